"""Post/Redirect/Get, view by view: every page URL that takes a POST answers a successful write
with a redirect (302/303) — never a 200 page — so reloading what follows cannot send it again.

``WRITES`` holds one successful submission (or several) for each such URL, sent without HTMX (the
path a reload would repeat; an HTMX answer may be a fragment or ``HX-Redirect``) by the person the
access matrix says the page is for, on the demo organisation. Which URLs take a POST is read from
the views (``require_POST`` / ``require_http_methods``, or a class view's methods; a function view
without either takes any method): a new one without a row fails the first test, as the access
matrix does. A submission that is refused (an error message, a 4xx) fails the walk too, so every
row stays a write that succeeds.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.messages import ERROR
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import resolve

from abtests.models import MediaABTest
from bakedbot.api_tokens import create_api_token
from bakedbot.models import Notice, Organisation
from costs.budgets import raise_budget_alerts, update_media_budget
from media.models import CreativeContent, GenerationJob
from playbooks.models import Playbook, PlaybookRun, PlaybookTemplate
from playbooks.services import start_playbook_run
from tests.bakedbot.test_access_matrix import (
    ACCESS,
    OWNER,
    PUBLIC,
    SUPER_ADMIN,
    SUPER_ADMIN_PAGE,
)
from tests.bakedbot.test_hostile_pages import _page_routes
from tests.bakedbot.test_no_provider_in_requests import (
    TENANT,
    Route,
    _path,
    _post_data,
    _values,
)
from tests.costs.test_admin_pages import _future_version

WALK = "walk"  # the no-provider walk's plausible submissions for the URL (``_post_data``)


def accepted_methods(view: Callable) -> set[str]:
    """The HTTP methods a URL's view takes: a class view's handlers, the list its outermost
    ``require_http_methods`` closes over, or every method for a function view without one."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    wrapped: Callable | None = view
    while wrapped is not None:
        methods = inspect.getclosurevars(wrapped).nonlocals.get("request_method_list")
        if methods is not None:
            return {m.upper() for m in methods}
        wrapped = getattr(wrapped, "__wrapped__", None)
    return {"GET", "POST", "PUT", "PATCH", "DELETE"}


def _post_routes() -> dict[str, Route]:
    routes = {}
    for route in _page_routes():
        path = _path(route, dict.fromkeys(route.params, "x"))
        if "POST" in accepted_methods(resolve(path).func):
            routes[route.name] = route
    return routes


class Greenleaf:
    """The demo organisation's objects as each request finds them (a write may use some up),
    and the few a series of writes must keep acting on."""

    def __init__(self, tenant: Organisation, users: dict, token_id: str, failed_job: str):
        self.tenant, self.users, self.token_id = tenant, users, token_id
        self.failed_job = failed_job
        values, by_url = self.path_values()
        # Pausing a running test would make the next request's first running test another one.
        self.running = {"test_id": values["test_id"], "variant_id": values["variant_id"]}
        self.draft = by_url["abtests:wizard"]["test_id"]

    def path_values(self) -> tuple[dict[str, str], dict[str, dict]]:
        return _values(self.tenant, self.token_id)

    def pending_content(self) -> str:
        return CreativeContent.objects.filter(tenant=self.tenant, status="pending").first().pk


@dataclass(frozen=True)
class Write:
    """A successful POST: its data (a dict, several, WALK, or made from the organisation's
    objects) and any path arguments of its own."""

    data: dict | list[dict] | str | Callable[[Greenleaf], dict | list[dict]] = WALK
    path: Callable[[Greenleaf], dict[str, str]] | None = None


def _split(org: Greenleaf) -> dict:
    variants = list(MediaABTest.objects.get(pk=org.running["test_id"]).variants.all())
    shares = [100 // len(variants)] * len(variants)
    shares[0] += 100 - sum(shares)
    return {f"split_{v.pk}": str(share) for v, share in zip(variants, shares, strict=True)}


# The wizard's step 2 with two variants: Generate pressed on the first (saves the step and
# queues its image), then Next.
WIZARD_NEXT = {
    "step": "2",
    "action": "next",
    "variant_count": "2",
    "variant-0-name": "Control",
    "variant-0-preset_id": "builtin-modern",
    "variant-1-name": "Bold",
    "variant-1-preset_id": "builtin-luxury",
}
WIZARD_GENERATE = WIZARD_NEXT | {
    "action": "generate-0",
    "provider": "gemini-flash",
    "aspect_ratio": "1:1",
}


def _bill(org: Greenleaf) -> dict:
    csv = b"service.description,usage_start_time,cost,currency\n"
    csv += b"Gemini API,2026-11-02T01:00:00Z,1.50,USD\n"
    return {"kind": "gcp_csv", "file": SimpleUploadedFile("bill.csv", csv, "text/csv")}


def _own_notice(org: Greenleaf) -> dict[str, str]:
    notice = Notice.objects.filter(user=org.users[OWNER], resolved_at__isnull=True).first()
    return {"notice_id": notice.pk}


def _template_not_installed(org_id: str) -> str:
    installed = Playbook.objects.filter(organisation_id=org_id).values("template_id")
    return PlaybookTemplate.objects.exclude(pk__in=installed).first().pk


def _install_elsewhere(org: Greenleaf) -> dict:
    """The CEO library installs for another organisation than Greenleaf (which has them all by
    then)."""
    other = Organisation.objects.exclude(pk=TENANT).order_by("pk").first().pk
    return {"org_id": other, "template_id": _template_not_installed(other)}


def _running(org: Greenleaf) -> dict[str, str]:
    return org.running


# Every page URL that takes a POST, in the order they are walked (a write may need an earlier
# one's result: content to review is submitted first; deleting comes last).
WRITES: dict[str, Write] = {
    "login": Write(),
    "api_tokens": Write(),
    "notification_read": Write({}, path=_own_notice),
    "notifications_read_all": Write({}),
    "costs:price_versions": Write(lambda org: {"data": _future_version()}),
    "costs:billing": Write(_bill),
    "media:budget_update": Write(),
    "media:alert_acknowledge": Write({}),
    "media:creative_generate": Write(),
    "media:creative_preset_search": Write(
        [
            {"preset_q": "Walk", "base_prompt": "A jar"},
            # The form's redraw button without JavaScript, for a changed provider's sizes.
            {"redraw": "provider", "kind": "image", "provider": "gemini-pro", "image_size": "4K"},
        ]
    ),
    "media:creative_job_retry": Write({}, path=lambda org: {"job_id": org.failed_job}),
    "media:asset_submit": Write(),
    "media:content_approve": Write(path=lambda org: {"content_id": org.pending_content()}),
    "media:content_reject": Write(path=lambda org: {"content_id": org.pending_content()}),
    "media:content_review": Write(lambda org: {"approve": org.pending_content()}),
    "presets:create": Write(),
    "presets:edit": Write(),
    "presets:publish": Write(),
    "presets:copy": Write({}),
    "abtests:new": Write(),
    "abtests:wizard": Write(
        [WIZARD_GENERATE, WIZARD_NEXT],
        path=lambda org: {"test_id": org.draft},
    ),
    "abtests:status": Write(path=_running),
    "abtests:variant_metrics": Write(
        {
            "impressions": "1000",
            "clicks": "50",
            "conversions": "5",
            "engagement": "80",
            "cost": "9",
        },
        path=_running,
    ),
    "abtests:upload": Write(path=_running),
    "abtests:split": Write(_split, path=_running),
    "playbooks:install": Write(lambda org: {"template_id": _template_not_installed(TENANT)}),
    "playbooks:template_run": Write(),
    "playbooks:run": Write(),
    "playbooks:run_rerun": Write({"from_step": "step-1", "guidance": "Brighter, please."}),
    "playbooks:settings": Write(),
    "playbooks:toggle": Write(),
    "playbooks:ceo_seed": Write({}),
    "playbooks:ceo_install": Write(_install_elsewhere),
    "presets:delete": Write({}),
    "api_token_revoke": Write({}),
    "logout": Write({}),
}


def test_every_post_url_has_a_row():
    names = set(_post_routes())
    missing, gone = sorted(names - set(WRITES)), sorted(set(WRITES) - names)
    assert not missing, f"give these POST URLs a successful submission in WRITES: {missing}"
    assert not gone, f"WRITES names URLs that take no POST (or no longer exist): {gone}"


@pytest.fixture
def greenleaf(db, django_user_model):
    """The demo organisations, with what some writes act on: an alert to acknowledge, a failed
    job to retry, a run to re-run."""
    call_command("demo_setup", stdout=io.StringIO())
    tenant = Organisation.objects.get(pk=TENANT)
    users = {name: django_user_model.objects.get(username=name) for name in (OWNER, SUPER_ADMIN)}
    token = create_api_token(tenant=tenant, name="Redirects", created_by=users[OWNER])
    # A day's budget below the demo's spend: an alert to acknowledge (budget_update, walked
    # before anything is generated, lifts the limit again).
    update_media_budget(tenant.pk, {"daily_limit": "1"})
    assert raise_budget_alerts(tenant_id=tenant.pk)
    failed = GenerationJob.objects.filter(tenant=tenant).first().pk
    GenerationJob.objects.filter(pk=failed).update(
        status="failed", retryable=True, error="The provider answered 503."
    )
    playbook = Playbook.objects.filter(organisation=tenant).first()
    start_playbook_run(playbook=playbook, triggered_by=PlaybookRun.Trigger.MANUAL, dry_run=True)
    return Greenleaf(tenant, users, token.token.pk, failed)


def _client(org: Greenleaf, name: str) -> Client:
    client = Client(raise_request_exception=False)
    rule = ACCESS[name]
    if rule == SUPER_ADMIN_PAGE:
        client.force_login(org.users[SUPER_ADMIN])
    elif rule != PUBLIC or name == "logout":
        client.force_login(org.users[OWNER])
    return client


def _submissions(org: Greenleaf, name: str, write: Write) -> list[dict]:
    data = write.data
    if data == WALK:
        values, by_url = org.path_values()
        data = _post_data(values, by_url).get(name)
        assert data, f"{name}: the walk has no submission for it; give it one in WRITES"
    elif callable(data):
        data = data(org)
    return data if isinstance(data, list) else [data]


def test_every_successful_post_redirects(greenleaf):
    routes = _post_routes()
    wrong = []
    for name, write in WRITES.items():
        route = routes[name]
        for data in _submissions(greenleaf, name, write):
            values, by_url = greenleaf.path_values()
            own = write.path(greenleaf) if write.path else {}
            path = _path(route, {**values, **by_url.get(name, {}), **own})
            response = _client(greenleaf, name).post(path, data)
            queued = getattr(response.wsgi_request, "_messages", None)
            refused = [str(m) for m in getattr(queued, "_queued_messages", []) if m.level == ERROR]
            if response.status_code not in (302, 303) or refused:
                wrong.append(f"{name} {sorted(data)}: {response.status_code} {refused}")
    assert not wrong, "a successful POST that does not redirect (or was refused):\n" + "\n".join(
        wrong
    )


def test_it_reads_the_methods_from_the_views():
    routes = _post_routes()
    assert "media:creative_generate" in routes and "media:creative" not in routes
    assert "login" in routes  # a class view
    assert "costs:price_versions" in routes  # a function view without a method decorator
