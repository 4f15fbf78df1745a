"""The cross-tenant matrix over every URL pattern of the pages (the JSON API has its own in
tests/api): anonymous users go to the login page, a user of another organisation gets 404 —
naming it with ``?tenant=`` or using its objects' ids — and the wrong role 403.

``ACCESS`` says who each pattern is for; a new pattern without an entry fails the first test, so
no page joins the product without its row in the matrix.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from bakedbot.api_tokens import create_api_token
from bakedbot.models import Organisation
from presets.models import StylePreset
from tests.bakedbot.test_hostile_pages import _page_routes
from tests.bakedbot.test_no_provider_in_requests import MISSING, TENANT, Route, _path, _values

OTHER_OWNER = "owner@summit.test"
OWNER = "owner@greenleaf.test"
MEMBER = "member@greenleaf.test"
SUPER_ADMIN = "admin@bakedbot.test"

PUBLIC = "public"  # Django's login and logout pages
USER = "user"  # any signed-in user, for themselves (home, dashboard, notifications)
MEMBER_PAGE = "member"  # members and owners of the organisation (super admins with ?tenant=)
OWNER_PAGE = "owner"  # the organisation's owners (super admins with ?tenant=)
SUPER_ADMIN_PAGE = "super_admin"  # super admins only

ACCESS: dict[str, str] = {
    "home": USER,
    "dashboard": USER,
    "organisations": SUPER_ADMIN_PAGE,
    "notifications": USER,
    "notification_read": USER,
    "notifications_read_all": USER,
    "api_tokens": OWNER_PAGE,
    "api_token_revoke": OWNER_PAGE,
    "login": PUBLIC,
    "logout": PUBLIC,
    "costs:ceo": SUPER_ADMIN_PAGE,
    "costs:summary_csv": SUPER_ADMIN_PAGE,
    "costs:events_csv": SUPER_ADMIN_PAGE,
    "costs:price_versions": SUPER_ADMIN_PAGE,
    "costs:billing": SUPER_ADMIN_PAGE,
    "media:dashboard": MEMBER_PAGE,
    "media:budget_update": OWNER_PAGE,
    "media:alert_acknowledge": MEMBER_PAGE,
    "media:creative": MEMBER_PAGE,
    "media:creative_estimate": MEMBER_PAGE,
    "media:creative_generate": MEMBER_PAGE,
    "media:creative_preset_search": MEMBER_PAGE,
    "media:creative_jobs": MEMBER_PAGE,
    "media:creative_job_retry": MEMBER_PAGE,
    "media:creative_gallery": MEMBER_PAGE,
    "media:asset_file": MEMBER_PAGE,
    "media:asset_thumbnail": MEMBER_PAGE,
    "media:asset_submit": MEMBER_PAGE,
    "media:content_review": OWNER_PAGE,
    "media:content_approve": OWNER_PAGE,
    "media:content_reject": OWNER_PAGE,
    "presets:gallery": MEMBER_PAGE,
    "presets:picker": MEMBER_PAGE,
    "presets:create": MEMBER_PAGE,
    "presets:published": MEMBER_PAGE,
    "presets:preview": MEMBER_PAGE,
    "presets:compose": MEMBER_PAGE,
    "presets:edit": MEMBER_PAGE,
    "presets:delete": OWNER_PAGE,
    "presets:publish": OWNER_PAGE,
    "presets:copy": MEMBER_PAGE,
    "abtests:list": MEMBER_PAGE,
    "abtests:new": MEMBER_PAGE,
    "abtests:recommendations": MEMBER_PAGE,
    "abtests:detail": MEMBER_PAGE,
    "abtests:wizard": MEMBER_PAGE,
    "abtests:status": OWNER_PAGE,
    "abtests:variant_metrics": MEMBER_PAGE,
    "abtests:variant_media": MEMBER_PAGE,
    "abtests:upload": MEMBER_PAGE,
    "abtests:split": OWNER_PAGE,
    "playbooks:list": MEMBER_PAGE,
    "playbooks:install": OWNER_PAGE,
    "playbooks:template_run": OWNER_PAGE,
    "playbooks:run_detail": MEMBER_PAGE,
    "playbooks:run_rerun": OWNER_PAGE,
    "playbooks:detail": MEMBER_PAGE,
    "playbooks:settings": OWNER_PAGE,
    "playbooks:toggle": OWNER_PAGE,
    "playbooks:run": OWNER_PAGE,
    "playbooks:ceo_library": SUPER_ADMIN_PAGE,
    "playbooks:ceo_seed": SUPER_ADMIN_PAGE,
    "playbooks:ceo_install": SUPER_ADMIN_PAGE,
}
# Path arguments that name no organisation's object: the same for everyone.
SHARED_IDS = {"playbooks:template_run"}


def test_every_page_has_a_row_in_the_matrix():
    names = {route.name for route in _page_routes()}
    missing, gone = sorted(names - set(ACCESS)), sorted(set(ACCESS) - names)
    assert not missing, f"say who may open these pages in ACCESS: {missing}"
    assert not gone, f"ACCESS names pages that no longer exist: {gone}"


@pytest.fixture
def walk(db, django_user_model):
    """The demo organisations; each route's path filled with Greenleaf's objects."""
    call_command("demo_setup", stdout=io.StringIO())
    tenant = Organisation.objects.get(pk=TENANT)
    users = {
        name: django_user_model.objects.get(username=name)
        for name in (OWNER, MEMBER, OTHER_OWNER, SUPER_ADMIN)
    }
    token = create_api_token(tenant=tenant, name="Matrix", created_by=users[OWNER])
    values, by_url = _values(tenant, token.token.pk)
    # Other organisations copy a published preset by design: the matrix copies a private one.
    private = StylePreset.objects.filter(tenant=tenant, is_public=False).first()
    by_url["presets:copy"] = {"preset_id": private.pk}

    def request(user_name: str | None, route: Route, query: dict | None = None):
        client = Client(raise_request_exception=False)
        if user_name:
            client.force_login(users[user_name])
        path = _path(
            route, {**dict.fromkeys(route.params, MISSING), **values, **by_url.get(route.name, {})}
        )
        response = client.get(path, query or {})
        if response.status_code == 405:
            url = path + (f"?tenant={query['tenant']}" if query else "")
            response = client.post(url)
        return response

    return request


def _routes_for(*rules: str) -> list[Route]:
    return [route for route in _page_routes() if ACCESS.get(route.name) in rules]


def test_anonymous_users_are_sent_to_login(walk):
    wrong = []
    for route in _routes_for(USER, MEMBER_PAGE, OWNER_PAGE, SUPER_ADMIN_PAGE):
        response = walk(None, route)
        # The home page sends everyone to the dashboard, which asks for a login.
        login = "/dashboard" if route.name == "home" else "/accounts/login/"
        if response.status_code != 302 or not response["Location"].startswith(login):
            wrong.append(f"{route.name}: {response.status_code}")
    assert not wrong, f"anonymous users not sent to login: {wrong}"


def test_another_organisation_named_with_tenant_is_404_everywhere(walk):
    wrong = []
    for route in _routes_for(USER, MEMBER_PAGE, OWNER_PAGE, SUPER_ADMIN_PAGE):
        status = walk(OTHER_OWNER, route, {"tenant": TENANT}).status_code
        if status != 404:
            wrong.append(f"{route.name}: {status}")
        status = walk(OTHER_OWNER, route, {"tenant": "org_missing"}).status_code
        if status != 404:
            wrong.append(f"{route.name} (unknown organisation): {status}")
    assert not wrong, f"another organisation's ?tenant= not answered 404: {wrong}"


def test_another_organisations_ids_are_404(walk):
    wrong = []
    routes = [
        route
        for route in _routes_for(USER, MEMBER_PAGE, OWNER_PAGE)
        if route.params and route.name not in SHARED_IDS
    ]
    for route in routes:
        status = walk(OTHER_OWNER, route).status_code
        if status != 404:
            wrong.append(f"{route.name}: {status}")
    assert not wrong, f"another organisation's objects not answered 404: {wrong}"


def test_the_wrong_role_is_403(walk):
    wrong = []
    for route in _routes_for(OWNER_PAGE):
        status = walk(MEMBER, route).status_code
        if status != 403:
            wrong.append(f"{route.name} as a member: {status}")
    for route in _routes_for(SUPER_ADMIN_PAGE):
        status = walk(OWNER, route).status_code
        if status != 403:
            wrong.append(f"{route.name} as an owner: {status}")
    assert not wrong, f"the wrong role not answered 403: {wrong}"
