"""Hostile input on every page: a property-based walk (hypothesis) over every form field and
query parameter of every HTML page, GET and POST, plain and through HTMX, as the owner of a demo
organisation (the super admin's pages as a super admin).

Values come from ``tests.hostile``: digits that are not ASCII, numbers past 64 bits and past a
float, calendar extremes, control characters, 50,000-character text, unicode — each field either
one of those or a value the page offers, so a request gets past its first check. A path argument
is sometimes hostile too. The properties:

- no answer is a 5xx;
- a refused POST (a 4xx, or a redirect carrying an error message) writes nothing: the rows of
  every model of the project's apps (cost events, holds and the outbox included) and django-q's
  queue are counted before and after;
- no text with a NUL character reaches the database: PostgreSQL (production) refuses it with an
  error where SQLite (the tests) stores it, so the walk refuses it for PostgreSQL.

``PAGE_FIELDS`` lists the fields each URL pattern reads; a test fails when a pattern has no entry
(add the new page's fields there) or when a field the views read is missing from it. The JSON
API has its own suites (schemathesis, tests/api).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.messages import ERROR
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abtests.models import MediaABTest
from bakedbot.api_tokens import create_api_token
from bakedbot.models import Organisation
from costs.views import QUERY_FIELDS as CEO_QUERY_FIELDS
from media.models import CreativeContent
from playbooks.executor import STEP_TYPES
from playbooks.forms import input_name
from playbooks.models import Playbook
from tests.bakedbot.test_no_provider_in_requests import (
    MISSING,
    OWNER,
    SUPER_ADMIN,
    TENANT,
    Route,
    _path,
    _routes,
    _values,
)
from tests.hostile import hostile_text

ROOT = Path(__file__).resolve().parents[2]
# Examples per page and method: the walk covers ~50 patterns, so a few minutes on 2 cores.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "12"))
# The sweep's values: one of each kind (the property phase draws from all of them).
SWEEP = (
    "\u00b2",
    "\u0661\u0662",
    "9223372036854775808",
    "1e309",
    "NaN",
    "-0",
    "-1",
    "0001-01-01",
    "9999-12-31",
    "\x00",
    "\t\r",
    "\U0001f642",
    "A" * 50_000,
    "%_" * 25_000,
    "",
)
PROJECT_APPS = ("bakedbot", "costs", "media", "presets", "abtests", "playbooks", "django_q")


@dataclass(frozen=True)
class Field:
    plausible: tuple[str, ...] = ()
    many: bool = False


def F(*plausible: str, many: bool = False) -> Field:
    return Field(tuple(plausible), many)


@dataclass(frozen=True)
class Page:
    get: dict[str, Field] = field(default_factory=dict)
    post: dict[str, Field] = field(default_factory=dict)
    # Fields named after the tenant's objects (a variant's split, a step's parameters).
    dynamic: Callable[[dict], dict[str, Field]] | None = None
    upload: bool = False  # the POST carries a CSV file in "file"


TENANT_Q = {"tenant": F(TENANT)}
IMAGE = {
    "kind": F("image", "video"),
    "provider": F("gemini-flash", "gemini-pro", "imagen", "veo", "sora"),
    "aspect_ratio": F("1:1", "16:9", "9:16", "4:5"),
    "duration_seconds": F("4", "8", "12"),
    "image_size": F("1K", "2K", "4K", ""),
    "resolution": F("720p", "1080p", "4k", "1024p", ""),
    "base_prompt": F("Gummies on a marble counter"),
    "preset_id": F(""),
    "use_cache": F("on", "off", many=True),
}
PRESET_FORM = {
    "name": F("Walk look"),
    "description": F("A look"),
    "style_prompt": F("Soft studio light."),
    "negative_prompt": F("blur"),
    "primary_color": F("#2F7D4F"),
    "secondary_color": F("#F6F7F4"),
    "accent_color": F("#B7791F"),
    "font_family": F("Inter"),
    "font_size": F("small", "medium", "large"),
    "font_weight": F("light", "normal", "bold"),
    "tags": F("walk, summer"),
    "aspect_ratios": F("1:1", "4:5", "16:9", "9:16", many=True),
}
BUDGET_FORM = {
    "daily_limit": F("50", "12.50", ""),
    "weekly_limit": F("300", ""),
    "monthly_limit": F("900", ""),
    "soft_threshold_percent": F("80", "50"),
    "alert_recipients": F("owner@greenleaf.test", ""),
    "hard_limit_enabled": F("on", ""),
    "confirm_below_spend": F("yes", ""),
}
CEO = {
    "tab": F("costs"),
    "format": F("csv", ""),
    "period": F("7d", "30d", "90d", "all", "custom"),
    "start": F("2026-01-01"),
    "end": F("2026-01-31"),
    "sort": F("cost", "count", "success_rate", "name", "budget"),
    "dir": F("asc", "desc"),
    "page": F("1", "2"),
    "tenant": F(TENANT),
    "provider": F("gemini-flash", "veo"),
    "success": F("yes", "no"),
    "before": F(""),
}
WIZARD = {
    "step": F("1", "2", "3", "4"),
    "action": F("next", "back", "add", "equal", "start", "remove-0", "generate-0", "remove-"),
    # A variant's preset picker: its Search button and search box.
    "preset_search": F("", "variant-0-preset_id"),
    "variant-0-preset_q": F("walk", ""),
    # Step 1
    "name": F("Walk test"),
    "description": F("Made by the walk."),
    "base_prompt": F("Gummies on a marble counter"),
    "start_date": F("", "2026-12-01"),
    "end_date": F("", "2026-12-31"),
    # Step 2
    "variant_count": F("2", "3"),
    "provider": F("gemini-flash"),
    "aspect_ratio": F("1:1"),
    # Step 3
    "bandit_mode": F("on", ""),
    "bandit_interval_hours": F("24", ""),
    "bandit_floor_percent": F("10", ""),
    # Step 4
    "primary_metric": F("ctr", "cvr"),
    "confidence_threshold": F("0.95", "95"),
    "minimum_detectable_effect": F("0.05", "5"),
    "adjustment": F("none", "bonferroni"),
    "metrics": F("ctr", "cvr", many=True),
}


def _variant_rows(objects: dict) -> dict[str, Field]:
    fields: dict[str, Field] = {}
    for i, variant in enumerate(objects["draft"].variants.all()):
        fields[f"variant-{i}-id"] = F(variant.pk)
        fields[f"variant-{i}-name"] = F(variant.name)
        fields[f"variant-{i}-preset_id"] = F(variant.preset_id or "")
        fields[f"variant-{i}-custom_prompt"] = F("Gummies on a marble counter")
        fields[f"split-{variant.pk}"] = F("50", "34")
    return fields


def _review_fields(objects: dict) -> dict[str, Field]:
    """The queue's buttons and ticks name pending content; each has its own comment box."""
    ids = objects["pending"]
    return {
        "approve": F(*ids[:1], ""),
        "reject": F(*ids[:1], ""),
        "selected": F(*ids, many=True),
        **{f"comment-{content_id}": F("Too dark.", "") for content_id in ids},
    }


def _split_fields(objects: dict) -> dict[str, Field]:
    return {f"split_{v.pk}": F("50", "34") for v in objects["running"].variants.all()}


def _playbook_params(objects: dict) -> dict[str, Field]:
    """Every step parameter of the tenant's first playbook (``param__<step>__<name>``)."""
    fields: dict[str, Field] = {}
    for step in objects["playbook"].template.steps:
        step_type = STEP_TYPES.types.get(step["type"])
        for name in step_type.params if step_type else ():
            fields[input_name(step["id"], name)] = F("")
    return fields


PAGE_FIELDS: dict[str, Page] = {
    "home": Page(get=TENANT_Q),
    "dashboard": Page(get=TENANT_Q),
    "notifications": Page(),
    "notification_read": Page(post={"next": F("/dashboard", "")}),
    "notifications_read_all": Page(post={"next": F("/dashboard", "")}),
    "organisations": Page(get={"q": F("green", ""), "next": F("/dashboard/media", "")}),
    "login": Page(get={"next": F("/dashboard")}, post={"username": F(OWNER), "password": F()}),
    "logout": Page(post={"next": F("/")}),
    "api_tokens": Page(get=TENANT_Q, post={"name": F("Walk token")}),
    "api_token_revoke": Page(),
    "costs:ceo": Page(get=CEO),
    "costs:summary_csv": Page(get=CEO),
    "costs:events_csv": Page(get=CEO),
    "costs:price_versions": Page(
        get={"a": F(""), "b": F("")},
        post={"data": F("{}", '{"version": "2026-12", "prices": {}}'), "corrects": F("")},
    ),
    "costs:billing": Page(post={"kind": F("gcp_csv", "openai_costs")}, upload=True),
    "media:dashboard": Page(),
    "media:budget_update": Page(post=BUDGET_FORM),
    "media:alert_acknowledge": Page(),
    "media:creative": Page(
        get={**IMAGE, "preset_q": F("walk", ""), "page": F("1", "2"), "since": F(), "delay": F("2")}
    ),
    "media:creative_estimate": Page(get=IMAGE),
    "media:creative_generate": Page(post=IMAGE),
    "media:creative_preset_search": Page(
        post={
            **IMAGE,
            "preset_q": F("walk", ""),
            "preset_search": F("preset_id", ""),
            "redraw": F("provider", ""),
        }
    ),
    "media:creative_jobs": Page(get={"since": F(), "delay": F("1", "2", "8")}),
    "media:creative_job_retry": Page(),
    "media:creative_gallery": Page(get={"page": F("1", "2", "3")}),
    "media:asset_file": Page(get={"download": F("1", "0")}),
    "media:asset_thumbnail": Page(get={"download": F("1")}),
    "media:asset_submit": Page(
        post={
            "title": F("Weekend deals"),
            "caption": F("Fresh drops."),
            "platform": F("instagram", "facebook", "tiktok"),
        }
    ),
    "media:content_review": Page(
        post={
            "decision": F("approve", "reject"),
            "approve": F(""),
            "reject": F(""),
            "selected": F("", many=True),
        },
        dynamic=_review_fields,
    ),
    "media:content_approve": Page(post={"comment": F("Lovely.")}),
    "media:content_reject": Page(post={"comment": F("Too dark.")}),
    "presets:gallery": Page(
        get={
            "q": F("walk"),
            "tag": F("summer"),
            "category": F("built-in", "custom"),
            "page": F("1", "2"),
        }
    ),
    "presets:picker": Page(
        get={"picker_field": F("preset_id"), "preset_q": F("walk", ""), "preset_id": F("")}
    ),
    "presets:create": Page(post=PRESET_FORM),
    "presets:published": Page(get={"q": F("walk")}),
    "presets:preview": Page(get=PRESET_FORM),
    "presets:compose": Page(
        get={"base_prompt": F("Gummies"), "preset_id": F(""), "aspect_ratio": F("1:1", "")}
    ),
    "presets:edit": Page(post=PRESET_FORM),
    "presets:delete": Page(),
    "presets:publish": Page(post={"public": F("1", "0")}),
    "presets:copy": Page(),
    "abtests:list": Page(get={"status": F("draft", "running", "paused", "completed")}),
    "abtests:new": Page(post={k: WIZARD[k] for k in ("name", "description", "base_prompt")}),
    "abtests:recommendations": Page(get={"metric": F("ctr", "cvr", "cpc")}),
    "abtests:detail": Page(),
    "abtests:wizard": Page(get={"step": F("1", "2", "3", "4")}, post=WIZARD, dynamic=_variant_rows),
    "abtests:status": Page(post={"status": F("paused", "running", "completed")}),
    "abtests:variant_metrics": Page(
        post={
            "impressions": F("1000"),
            "clicks": F("50"),
            "conversions": F("5"),
            "engagement": F("10", ""),
            "cost": F("12.50"),
        }
    ),
    "abtests:variant_media": Page(get={"since": F(), "delay": F("2")}),
    "abtests:upload": Page(upload=True),
    "abtests:split": Page(dynamic=_split_fields),
    "playbooks:list": Page(),
    "playbooks:install": Page(post={"template_id": F("weekly-deals", "")}),
    "playbooks:template_run": Page(post={"mode": F("dry_run", "run")}),
    "playbooks:run_detail": Page(
        get={"guidance": F("Brighter"), "from_step": F(""), "since": F(), "delay": F("2")}
    ),
    "playbooks:run_rerun": Page(post={"from_step": F(""), "guidance": F("Brighter, please.")}),
    "playbooks:detail": Page(),
    "playbooks:settings": Page(
        post={"enabled": F("on", ""), "schedule": F("0 9 * * 1", "")}, dynamic=_playbook_params
    ),
    "playbooks:toggle": Page(post={"enabled": F("true", "false"), "return_to": F("detail")}),
    "playbooks:run": Page(post={"mode": F("dry_run", "run")}),
    "playbooks:ceo_library": Page(),
    "playbooks:ceo_seed": Page(),
    "playbooks:ceo_install": Page(
        post={"org_id": F(TENANT, ""), "template_id": F("daily-product-spotlight", "")}
    ),
}
# The super admin's pages; every other page is walked as the tenant's owner.
SUPER_ADMIN_PAGES = {
    "costs:price_versions",
    "costs:billing",
    "organisations",
    "playbooks:ceo_install",
    "costs:ceo",
    "costs:summary_csv",
    "costs:events_csv",
    "playbooks:ceo_library",
    "playbooks:ceo_seed",
}
# Walked last: they take away what the other requests use.
DESTRUCTIVE = {"presets:delete", "api_token_revoke", "media:content_reject"}


def _page_routes() -> list[Route]:
    """Every URL pattern but the JSON API (its own suites) and Django's admin."""
    return [r for r in _routes() if not r.route.startswith(("api/", "admin/"))]


def _who(route: Route) -> str:
    return "super_admin" if route.name in SUPER_ADMIN_PAGES else "owner"


def _app(route: Route) -> str:
    return route.name.split(":")[0] if ":" in route.name else "bakedbot"


# --- the table is complete ----------------------------------------------------------------------


def test_every_page_has_an_entry_in_the_field_table():
    names = {route.name for route in _page_routes()}
    missing, gone = sorted(names - set(PAGE_FIELDS)), sorted(set(PAGE_FIELDS) - names)
    assert not missing, f"add the fields of these pages to PAGE_FIELDS: {missing}"
    assert not gone, f"PAGE_FIELDS names pages that no longer exist: {gone}"


# Fields a view reads by a literal name: request.GET/POST.get("x"), .getlist("x"), post.get("x").
READS = re.compile(r"""\b(?:GET|POST|post|data|params)\.(?:get|getlist)\(\s*["']([a-z_]+)["']""")
# Every views module, and the helpers that read a request's fields for them.
VIEW_MODULES = sorted(
    {*ROOT.glob("*/views.py"), *ROOT.glob("*/*_views.py")}
    | {ROOT / name for name in ("bakedbot/polling.py", "media/dashboard.py", "abtests/wizard.py")}
)
# Names read in those modules that are not request fields (a dict's keys, a step's params).
NOT_FIELDS = {"params", "tenant_id"}


def test_every_field_the_views_read_is_in_the_table():
    listed = {name for page in PAGE_FIELDS.values() for name in (*page.get, *page.post)}
    listed |= set(CEO_QUERY_FIELDS)
    read = set()
    for module in VIEW_MODULES:
        read |= set(READS.findall(module.read_text()))
    missing = sorted(read - listed - NOT_FIELDS)
    assert not missing, f"add these fields to PAGE_FIELDS: {missing}"
    assert set(CEO_QUERY_FIELDS) <= set(CEO), "the CEO tab reads fields the table lacks"


# --- the walk -------------------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS and not model._meta.proxy
    }


def _refuse_nul(execute, sql, params, many, context):
    """PostgreSQL refuses text with NUL (psycopg's DataError, a 500 in production); SQLite
    stores it. Refuse it here as PostgreSQL would."""
    rows = params if many else [params]
    for row in rows or ():
        for value in row if isinstance(row, list | tuple) else (row or {}).values():
            if isinstance(value, str) and "\x00" in value:
                raise AssertionError(f"a NUL character reached the database: {sql[:120]}")
    return execute(sql, params, many, context)


def _csv_file(text: str) -> SimpleUploadedFile:
    body = f"variant,impressions,clicks,conversions\nVariant A,{text},10,1\n{text},1,1,1\n"
    return SimpleUploadedFile("metrics.csv", body.encode(errors="replace"), "text/csv")


def _short(data: dict) -> str:
    def one(value):
        text = repr(value)
        return text if len(text) < 60 else f"{text[:40]}…({len(text)} chars)"

    return "{" + ", ".join(f"{key}: {one(value)}" for key, value in data.items()) + "}"


def _status_of(client: Client, method: str, url: str, data: dict, headers: dict):
    if method == "GET":
        return client.get(url, data, **headers)
    return client.post(url, data, **headers)


@dataclass(frozen=True)
class Target:
    """One page and method as one user walks it."""

    route: Route
    method: str
    user: object
    path_values: dict
    upload: bool


def _send(target: Target, data: dict, *, htmx: str | None, path: dict, upload: str | None):
    """One request; fails (AssertionError naming the request) on a 5xx, or on a refused POST
    that wrote something."""
    route, method, user = target.route, target.method, target.user
    client = Client(raise_request_exception=False)
    if route.name != "login":
        client.force_login(user)
    url = _path(route, target.path_values)
    if path:
        # Past the converters' patterns (a slug, an int) on purpose: straight into the route.
        raw = {**target.path_values, **{k: quote(v, safe="") for k, v in path.items()}}
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: raw[m.group(1)], route.route)
    if user.is_superuser and route.name not in SUPER_ADMIN_PAGES and method == "POST":
        url += f"?tenant={TENANT}"
    if upload is not None:
        data = {**data, "file": _csv_file(upload)}
    headers = {} if htmx is None else {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": htmx}
    before = _counts() if method == "POST" else None
    with connection.execute_wrapper(_refuse_nul):
        response = _status_of(client, method, url, data, headers)
    seen = f"{method} {url}{' (htmx)' if htmx is not None else ''} {_short(data)}"
    exc = getattr(response, "exc_info", None)
    assert response.status_code < 500, f"{seen} -> {response.status_code} {exc and exc[1]!r}"
    if before is None:
        return
    queued = getattr(response.wsgi_request, "_messages", None)
    errors = [m for m in getattr(queued, "_queued_messages", []) if m.level == ERROR]
    if 400 <= response.status_code < 500 or errors:
        after = _counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"{seen} -> {response.status_code} refused but wrote {changed}"


def _sweep(target: Target, fields: dict[str, Field]) -> list[str]:
    """Every value of ``SWEEP`` in every field at once (a page refuses its first bad field, so
    the property phase attacks a few fields among plausible ones), then in each path argument."""
    problems = []
    attempts = [({name: [v] if f.many else v for name, f in fields.items()}, {}) for v in SWEEP]
    attempts += [({}, {param: v}) for param in target.route.params for v in SWEEP if v.strip()]
    for data, path in attempts:
        try:
            _send(target, data, htmx=None, path=path, upload=SWEEP[0] if target.upload else None)
        except AssertionError as failure:
            problems.append(str(failure).splitlines()[0])
    return problems


def _probe(target: Target, fields: dict[str, Field]) -> list[str]:
    """Hypothesis over one page and method: plausible values with one to three fields (or a path
    argument, or the uploaded file) hostile; the problems found (none: an empty list)."""
    route = target.route
    plausible = {
        name: (
            st.sampled_from(f.plausible or ("",)).map(lambda v: [v])
            if f.many
            else st.sampled_from(f.plausible or ("",))
        )
        for name, f in fields.items()
    }
    attacks = (
        st.dictionaries(st.sampled_from(sorted(fields)), hostile_text(), min_size=1, max_size=3)
        if fields
        else st.just({})
    )

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        base=st.fixed_dictionaries(plausible),
        attack=attacks,
        htmx=st.sampled_from([None, "", "composer", "results", "preset-results"]),
        path=st.dictionaries(st.sampled_from(route.params), hostile_text().filter(bool), max_size=1)
        if route.params
        else st.just({}),
        upload=hostile_text() if target.upload else st.none(),
    )
    def probe(base, attack, htmx, path, upload):
        _send(target, {**base, **attack}, htmx=htmx, path=path, upload=upload)

    try:
        probe()
    except AssertionError as failure:
        return [str(failure).splitlines()[0]]
    return []


@pytest.fixture
def demo(db, django_user_model):
    """The demo data, a token to revoke and a queued run (the queue is never worked here)."""
    call_command("demo_setup", stdout=io.StringIO())
    tenant = Organisation.objects.get(pk=TENANT)
    owner = django_user_model.objects.get(username=OWNER)
    token = create_api_token(tenant=tenant, name="Walk", created_by=owner)
    starter = Client()
    starter.force_login(owner)
    playbook = Playbook.objects.filter(organisation=tenant).select_related("template").first()
    starter.post(reverse("playbooks:run", args=[playbook.pk]), {"mode": "run"})
    values, by_url = _values(tenant, token.token.pk)
    objects = {
        "running": MediaABTest.objects.get(pk=values["test_id"]),
        "draft": MediaABTest.objects.get(pk=by_url["abtests:wizard"]["test_id"]),
        "playbook": playbook,
        "pending": list(
            CreativeContent.objects.filter(tenant_id=TENANT, status="pending").values_list(
                "pk", flat=True
            )
        ),
    }
    users = {
        "owner": owner,
        "super_admin": django_user_model.objects.get(username=SUPER_ADMIN),
    }
    return users, values, by_url, objects


@pytest.mark.parametrize("app", ["bakedbot", "costs", "media", "presets", "abtests", "playbooks"])
def test_no_page_answers_5xx_or_writes_on_refusal(demo, app):
    users, values, by_url, objects = demo
    routes = sorted(
        (route for route in _page_routes() if _app(route) == app),
        key=lambda route: route.name in DESTRUCTIVE,
    )
    problems = []
    for route in routes:
        # A page missing from the table is walked without fields (and the table test fails).
        page = PAGE_FIELDS.get(route.name, Page())
        probe_client = Client()
        probe_client.force_login(
            users["super_admin" if route.name in SUPER_ADMIN_PAGES else "owner"]
        )
        path = _path(route, {**dict.fromkeys(route.params, MISSING), **values})
        takes_get = probe_client.get(path).status_code != 405
        methods = ["GET"] if takes_get else []
        if page.post or page.dynamic or page.upload or not takes_get:
            methods.append("POST")
        for method in methods:
            fields = dict(page.get if method == "GET" else page.post)
            if method == "POST" and page.dynamic:
                fields.update(page.dynamic(objects))
            target = Target(
                route,
                method,
                users[_who(route)],
                # A path argument the walk has no object for gets one that names nothing.
                {**dict.fromkeys(route.params, MISSING), **values, **by_url.get(route.name, {})},
                upload=method == "POST" and page.upload,
            )
            problems += _sweep(target, fields)
            problems += _probe(target, fields)
    assert not problems, "Hostile input broke pages:\n" + "\n".join(problems)
