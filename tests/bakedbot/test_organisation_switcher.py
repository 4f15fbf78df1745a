"""The super admin's ways into every organisation: the header's switcher
(``/dashboard/organisations``), an organisation page opened without ``?tenant=`` (403 with the
organisations to open it for), the sidebar while acting for one, the landing page's panels and the
template library's "install for an organisation"."""

import pytest
from django.urls import reverse

from costs.budgets import update_media_budget
from costs.domain import MediaGenerationEvent
from costs.services import track_media_generation
from playbooks.models import Playbook, PlaybookRun
from playbooks.services import install_playbook_template, seed_playbook_templates
from tests.factories import OrganisationFactory

SEARCH = "/dashboard/organisations"
INSTALL = "/dashboard/ceo/playbooks/install"


# -- who may use them ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SEARCH, SEARCH + "?q=alpha"])
def test_the_search_is_for_super_admins(
    client, owner_a_client, member_a_client, user_b_client, url
):
    assert client.get(url).status_code == 302
    for tenant_user in (owner_a_client, member_a_client, user_b_client):
        assert tenant_user.get(url).status_code == 403


def test_installing_for_an_organisation_is_for_super_admins(
    client, owner_a_client, member_a_client, org_a, db
):
    seed_playbook_templates()
    form = {"template_id": "weekly-deals-video", "org_id": org_a.pk}
    assert client.post(INSTALL, form).status_code == 302
    assert client.post(INSTALL, form).url.startswith("/accounts/login/")
    assert owner_a_client.post(INSTALL, form).status_code == 403
    assert member_a_client.post(INSTALL, form).status_code == 403
    assert not Playbook.objects.exists()


def test_a_tenant_user_gets_the_plain_403_without_the_picker(member_a_client, org_a):
    response = member_a_client.get("/dashboard/ceo?tab=costs")
    assert response.status_code == 403
    assert b"Choose an organisation" not in response.content


# -- the switcher -------------------------------------------------------------------------------


def test_it_finds_organisations_and_keeps_the_page(super_admin_client, org_a, org_b):
    response = super_admin_client.get(SEARCH, {"q": "alp", "next": "/dashboard/playbooks/pb_1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha Brands" in html and "Beta Dispensary" not in html
    # A page inside another organisation's object becomes its section.
    assert f'href="/dashboard/playbooks?tenant={org_a.pk}" data-testid="open-organisation"' in html
    for page in ("/dashboard/media", "/dashboard/creative", "/dashboard/presets"):
        assert f'href="{page}?tenant={org_a.pk}"' in html


def test_it_answers_htmx_with_the_results_only(super_admin_client, org_a, org_b):
    response = super_admin_client.get(
        SEARCH, {"q": "", "next": "/dashboard/abtests"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.count('data-testid="open-organisation"') == 2
    assert f'href="/dashboard/abtests?tenant={org_b.pk}"' in html


@pytest.mark.parametrize("next_page", ["https://evil.test/x", "//evil.test", "/dashboard/ceo", ""])
def test_it_never_sends_a_switch_elsewhere(super_admin_client, org_a, next_page):
    html = super_admin_client.get(SEARCH, {"next": next_page}).content.decode()
    assert f'href="/dashboard/media?tenant={org_a.pk}" data-testid="open-organisation"' in html
    assert "evil" not in html.split('id="organisation-results"')[1]


def test_it_bounds_the_search_and_shows_no_match(super_admin_client, org_a):
    response = super_admin_client.get(SEARCH, {"q": "z" * 5000})
    assert response.status_code == 200
    assert "No organisation matches" in response.content.decode()


def test_the_header_has_the_switcher_for_super_admins_only(
    super_admin_client, owner_a_client, org_a
):
    html = super_admin_client.get(f"/dashboard/media?tenant={org_a.pk}").content.decode()
    assert 'data-testid="org-switcher"' in html
    assert '<input type="hidden" name="next" value="/dashboard/media">' in html
    assert "Alpha Brands" in html.split('data-testid="org-name"')[1][:200]
    # The organisation's pages are one click away in the sidebar.
    for name in ("presets:gallery", "abtests:list", "playbooks:list", "media:creative"):
        assert f'href="{reverse(name)}?tenant={org_a.pk}"' in html
    assert 'data-testid="org-switcher"' not in owner_a_client.get("/dashboard").content.decode()


@pytest.mark.parametrize(
    "page", ["/dashboard/playbooks", "/dashboard/presets", "/dashboard/abtests", "/dashboard/media"]
)
def test_an_organisation_page_without_one_offers_the_organisations(
    super_admin_client, org_a, org_b, page
):
    response = super_admin_client.get(page)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Choose an organisation" in html
    assert f'href="{page}?tenant={org_a.pk}" data-testid="open-organisation"' in html


# -- the landing page ---------------------------------------------------------------------------


def test_the_landing_page_shows_the_platform(super_admin_client, org_a):
    track_media_generation(
        MediaGenerationEvent(
            id="spent",
            tenant_id=org_a.pk,
            user_id="u1",
            type="image",
            provider="gemini-flash",
            cost_micros=12_345_000,
        )
    )
    update_media_budget(org_a.pk, {"daily_limit": "10"})
    seed_playbook_templates()
    installed = install_playbook_template("weekly-deals-video", org_a.pk)
    PlaybookRun.objects.create(
        playbook_id=installed.playbook_id,
        organisation=org_a,
        triggered_by="manual",
        status="failed",
        run_key="k1",
        error="provider down",
    )
    html = super_admin_client.get("/dashboard").content.decode()
    assert 'data-testid="home-spend-today">$12.35<' in html
    assert 'data-testid="home-spend-month">$12.35<' in html
    assert "Alpha Brands" in html.split('data-testid="home-budget-watch"')[1][:400]
    assert 'data-testid="home-failed-runs">1<' in html
    assert 'data-testid="home-approvals">0<' in html


def test_tenant_users_get_no_platform_panels(owner_a_client):
    assert b'data-testid="home-panels"' not in owner_a_client.get("/dashboard").content


# -- install for an organisation ----------------------------------------------------------------


def test_the_library_installs_for_a_chosen_organisation(super_admin_client, org_a, org_b):
    seed_playbook_templates()
    page = super_admin_client.get(reverse("playbooks:ceo_library")).content.decode()
    assert page.count('data-testid="install-for"') == 3
    assert f'<option value="{org_b.pk}">Beta Dispensary</option>' in page
    response = super_admin_client.post(
        INSTALL, {"template_id": "weekly-deals-video", "org_id": org_b.pk}
    )
    playbook = Playbook.objects.get(organisation=org_b)
    assert response.url == f"/dashboard/playbooks/{playbook.pk}?tenant={org_b.pk}"
    assert super_admin_client.get(response.url).status_code == 200


def test_the_library_refuses_an_unknown_organisation(super_admin_client, db):
    seed_playbook_templates()
    response = super_admin_client.post(
        INSTALL, {"template_id": "weekly-deals-video", "org_id": "org_nobody"}, follow=True
    )
    assert "Organisation “org_nobody” does not exist" in response.content.decode()
    assert not Playbook.objects.exists()
    OrganisationFactory()  # the library still lists organisations afterwards
    assert super_admin_client.get(reverse("playbooks:ceo_library")).status_code == 200
