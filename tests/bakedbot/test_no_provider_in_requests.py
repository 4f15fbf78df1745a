"""No web request calls a provider: generation always goes through the job queue.

Every URL pattern of the project is requested — GET, then POST with plausible form data, plain
and through HTMX — by the owner of a demo organisation and by a super admin acting for it, with
every provider given an API key and a base URL on a local recording server. With a key an adapter
is never simulated, so any provider call a view makes is an HTTP request the recorder sees; and
a generation that produced media inside the request (even in simulate mode) leaves a new media
asset behind. The test fails naming each request that did either.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from abtests.models import MediaABTest
from bakedbot.api_tokens import create_api_token
from bakedbot.demo import DEMO_PASSWORD
from bakedbot.models import Notice, Organisation
from costs.models import CostAlert
from media.models import CreativeContent, GenerationJob, MediaAsset
from playbooks.models import Playbook, PlaybookRun, PlaybookTemplate
from presets.models import StylePreset
from tests.media.providers.fakes import FakeProvider

TENANT = "org_greenleaf"
OWNER = "owner@greenleaf.test"
SUPER_ADMIN = "admin@bakedbot.test"
MISSING = "missing"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or "" for an unnamed pattern
    route: str  # the pattern as written, prefixes included
    params: tuple[str, ...]


def _routes(patterns=None, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            routes += _routes(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            params = tuple(entry.pattern.regex.groupindex)
            routes.append(Route(name, route, params))
    return routes


def _path(route: Route, values: dict[str, str]) -> str:
    if route.name:
        return reverse(route.name, kwargs={param: values[param] for param in route.params})
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route.route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
    return "/" + path.lstrip("^").rstrip("$")


@pytest.fixture
def provider_recorder(settings):
    """Every provider with an API key and its base URL on a recording server (unscripted: each
    request is recorded and refused), tried once so that a failing walk stays quick."""
    recorder = FakeProvider()
    settings.MEDIA_PROVIDERS = {
        key: {
            **entry,
            "api_key": "key-of-the-no-provider-walk",
            "base_url": f"{recorder.url}/{'v1' if key in ('sora', 'openai-text') else 'v1beta'}",
        }
        for key, entry in settings.MEDIA_PROVIDERS.items()
    }
    settings.GEMINI_API_KEY = settings.OPENAI_API_KEY = "key-of-the-no-provider-walk"
    settings.MEDIA_PROVIDER_OPTIONS = {**settings.MEDIA_PROVIDER_OPTIONS, "max_attempts": 1}
    yield recorder
    recorder.close()


def _first(queryset, default: str = MISSING) -> str:
    found = queryset.values_list("pk", flat=True).first()
    return str(found) if found is not None else default


def _values(tenant: Organisation, token_id: str) -> tuple[dict[str, str], dict[str, dict]]:
    """A value for every path argument (the tenant's own objects), and the few that differ by
    URL: the wizard works on a draft, the rest of the A/B pages on a running test."""
    running = MediaABTest.objects.filter(tenant=tenant, status="running").first()
    draft = MediaABTest.objects.filter(tenant=tenant, status="draft").first()
    values = {
        "alert_id": _first(CostAlert.objects.filter(tenant=tenant)),
        "job_id": _first(GenerationJob.objects.filter(tenant_id=tenant.pk)),
        "asset_id": _first(MediaAsset.objects.filter(tenant_id=tenant.pk)),
        "content_id": _first(CreativeContent.objects.filter(tenant_id=tenant.pk, status="pending")),
        "preset_id": _first(StylePreset.objects.filter(tenant=tenant)),
        "test_id": running.pk,
        "variant_id": _first(running.variants.all()),
        "template_id": _first(PlaybookTemplate.objects.order_by("pk")),
        "playbook_id": _first(Playbook.objects.filter(organisation=tenant)),
        "run_id": _first(PlaybookRun.objects.filter(organisation=tenant)),
        "notice_id": _first(Notice.objects.filter(organisation=tenant), "1"),
        "token_id": token_id,
        "object_id": "1",
        "id": "1",
        "content_type_id": "1",
        "app_label": "bakedbot",
        "url": MISSING,
        "path": MISSING,
    }
    on_draft = {"test_id": draft.pk, "variant_id": _first(draft.variants.all())}
    return values, {"abtests:wizard": on_draft, "abtests:variant_media": on_draft}


def _wizard_generate(draft: MediaABTest) -> dict:
    """Step 2 of the wizard with Generate pressed on the first variant."""
    variants = list(draft.variants.all())
    data = {
        "step": "2",
        "action": "generate-0",
        "variant_count": str(len(variants)),
        "provider": "gemini-flash",
        "aspect_ratio": "1:1",
    }
    for i, variant in enumerate(variants):
        data[f"variant-{i}-id"] = variant.pk
        data[f"variant-{i}-name"] = variant.name
        data[f"variant-{i}-preset_id"] = variant.preset_id
        data[f"variant-{i}-custom_prompt"] = variant.custom_prompt or "Gummies on a marble counter"
    return data


def _post_data(values: dict[str, str], by_url: dict[str, dict]) -> dict[str, list]:
    """Plausible submissions per URL name (one POST each); other URLs get an empty POST."""
    draft = MediaABTest.objects.get(pk=by_url["abtests:wizard"]["test_id"])
    running = MediaABTest.objects.get(pk=values["test_id"])
    preset = {
        "name": "Walk look",
        "style_prompt": "Soft studio light.",
        "aspect_ratios": ["1:1"],
        "primary_color": "#2F7D4F",
        "secondary_color": "#F6F7F4",
        "accent_color": "#B7791F",
        "font_family": "Inter",
        "font_size": "medium",
        "font_weight": "normal",
        "tags": "walk",
    }
    image = {"kind": "image", "provider": "gemini-flash", "aspect_ratio": "1:1"}
    return {
        "login": [{"username": OWNER, "password": DEMO_PASSWORD}],
        "api_tokens": [{"name": "Walk token"}],
        "media:budget_update": [
            {"daily_limit": "50", "monthly_limit": "900", "soft_threshold_percent": "80"}
        ],
        "media:creative_generate": [
            {**image, "base_prompt": "Gummies on a marble counter, morning light"},
            {**image, "base_prompt": "Gummies on a marble counter", "use_cache": ["off"]},
            {"kind": "video", "provider": "veo", "aspect_ratio": "16:9", "duration_seconds": "8"}
            | {"base_prompt": "A slow drone shot over a greenhouse", "resolution": "1080p"},
            {**image, "provider": "gemini-pro", "base_prompt": "A jar", "image_size": "4K"},
        ],
        "media:asset_submit": [
            {"title": "Weekend deals", "platform": "instagram", "caption": "Fresh drops."}
        ],
        "media:content_approve": [{"comment": "Lovely."}],
        "media:content_reject": [{"comment": "Too dark; brighter please."}],
        "presets:create": [preset],
        "presets:edit": [{**preset, "name": "Walk look, edited"}],
        "presets:publish": [{"public": "1"}],
        "abtests:new": [
            {
                "name": "Walk test",
                "description": "Made by the walk.",
                "base_prompt": "Gummies on a marble counter",
                "start_date": "",
                "end_date": "",
            }
        ],
        "abtests:wizard": [_wizard_generate(draft), {"step": "2", "action": "next"}],
        "abtests:status": [{"status": "paused"}, {"status": "running"}],
        "abtests:variant_metrics": [
            {"impressions": "1000", "clicks": "50", "conversions": "5", "cost": "12.50"}
        ],
        "abtests:upload": [
            {
                "file": SimpleUploadedFile(
                    "metrics.csv",
                    b"variant,impressions,clicks,conversions\n"
                    + "".join(f"{v.name},100,10,1\n" for v in running.variants.all()).encode(),
                    content_type="text/csv",
                )
            }
        ],
        "abtests:split": [
            {f"split_{v.pk}": str(100 // running.variants.count()) for v in running.variants.all()}
        ],
        "playbooks:install": [{"template_id": values["template_id"]}],
        "playbooks:template_run": [{"mode": "dry_run"}, {"mode": "run"}],
        "playbooks:run": [{"mode": "dry_run"}, {"mode": "run"}],
        "playbooks:run_rerun": [{"from_step": "", "guidance": "Brighter, please."}],
        "playbooks:toggle": [{"enabled": "true"}],
        "playbooks:settings": [{"enabled": "on", "schedule": "0 9 * * 1"}],
        "api-v1:record_event": [
            {"type": "image", "provider": "imagen", "prompt": "Gummies on a marble counter"}
        ],
        "api-v1:upload_metrics": [{"impressions": 100, "clicks": 10, "conversions": 1}],
        "api-v1:start_run": [{"dry_run": True}, {}],
    }


# Last in the walk: they take away what the other requests use.
DESTRUCTIVE = ("presets:delete", "api_token_revoke", "logout", "media:content_reject")
GET_QUERIES = {
    "media:creative_estimate": {"kind": "image", "provider": "gemini-pro", "image_size": "4K"},
    "presets:compose": {"base_prompt": "Gummies"},
    "presets:preview": {"name": "Walk", "primary_color": "#123456"},
}


@pytest.mark.parametrize("who", ["owner", "super admin acting for the tenant"])
def test_it_calls_no_provider_from_any_view(db, django_user_model, provider_recorder, who):
    call_command("demo_setup", stdout=io.StringIO())
    tenant = Organisation.objects.get(pk=TENANT)
    user = django_user_model.objects.get(username=OWNER if who == "owner" else SUPER_ADMIN)
    owner = django_user_model.objects.get(username=OWNER)
    token = create_api_token(tenant=tenant, name="Walk", created_by=owner)
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {token.secret}"}
    tenant_query = {} if who == "owner" else {"tenant": TENANT}

    def request(method: str, route: Route, path: str, data=None, *, htmx: bool) -> str:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        headers = {**api_headers, **({"HTTP_HX_REQUEST": "true"} if htmx else {})}
        if method == "GET":
            query = {**GET_QUERIES.get(route.name, {}), **tenant_query}
            response = client.get(path, query, **headers)
        elif route.name.startswith("api-v1:"):
            url = f"{path}?tenant={TENANT}" if tenant_query else path
            response = client.post(url, data or {}, content_type="application/json", **headers)
        else:
            url = f"{path}?tenant={TENANT}" if tenant_query else path
            for upload in (value for value in (data or {}).values() if hasattr(value, "seek")):
                upload.seek(0)  # the same file goes plain and through HTMX
            response = client.post(url, data or {}, **headers)
        return f"{method} {path}{' (htmx)' if htmx else ''} -> {response.status_code}"

    # A queued run gives the run pages something to show (the queue is never worked here).
    starter = Client()
    starter.force_login(owner)
    playbook = Playbook.objects.filter(organisation=tenant).first()
    starter.post(reverse("playbooks:run", args=[playbook.pk]), {"mode": "run"})

    routes = _routes()
    values, by_url = _values(tenant, token.token.pk)
    unknown = {param for route in routes for param in route.params} - set(values)
    assert not unknown, f"give the walk a value for the path arguments {sorted(unknown)}"
    submissions = _post_data(values, by_url)
    offenders = []
    assets_before = MediaAsset.objects.count()

    def walk(method: str, route: Route) -> None:
        path = _path(route, {**values, **by_url.get(route.name, {})})
        payloads = submissions.get(route.name, [{}]) if method == "POST" else [None]
        for data in payloads:
            for htmx in (False, True):
                calls, assets = len(provider_recorder.requests), MediaAsset.objects.count()
                seen = request(method, route, path, data, htmx=htmx)
                new_calls = provider_recorder.requests[calls:]
                new_assets = MediaAsset.objects.count() - assets
                if new_calls or new_assets:
                    called = ", ".join(f"{c.method} {c.path}" for c in new_calls)
                    offenders.append(f"{seen}: provider calls [{called}], {new_assets} new media")

    for route in routes:
        walk("GET", route)
    posts = sorted(routes, key=lambda route: route.name in DESTRUCTIVE)
    for route in posts:
        walk("POST", route)

    assert not offenders, "A web request reached a provider:\n" + "\n".join(offenders)
    assert provider_recorder.requests == []
    assert MediaAsset.objects.count() == assets_before
