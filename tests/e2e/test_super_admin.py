"""End to end in Chromium, a super admin reaches every organisation by clicking: the landing
page's figures, an organisation page opened without one offers the organisations, the header's
switcher keeps the page, the sidebar opens each of the organisation's pages, and the template
library installs for a chosen organisation. Each flow keeps a screenshot in
var/test-artifacts/e2e."""

import pytest

from costs.domain import MediaGenerationEvent
from costs.services import track_media_generation
from playbooks.services import seed_playbook_templates

pytestmark = pytest.mark.django_db(transaction=True)


PAGES = ["Media", "Creative Center", "Presets", "A/B tests", "Playbooks"]


def test_the_landing_page_shows_the_platform(page, login, super_admin, org_a, shot):
    track_media_generation(
        MediaGenerationEvent(
            id="e2e-1",
            tenant_id=org_a.pk,
            user_id="e2e",
            type="image",
            provider="gemini-flash",
            cost_micros=476_385_000,
        )
    )
    login(page, super_admin)
    assert page.inner_text("[data-testid=home-spend-today]") == "$476.39"
    assert page.inner_text("[data-testid=home-failed-runs]") == "0"
    shot(page, "super-admin-home.png", full_page=True)


def test_every_organisation_page_is_one_click_away(
    page, login, live_server, super_admin, org_a, org_b, shot
):
    login(page, super_admin)
    response = page.goto(f"{live_server.url}/dashboard/playbooks")
    assert response.status == 403
    shot(page, "super-admin-picker.png", full_page=True)
    page.click(f"[data-organisation={org_a.pk}] [data-testid=open-organisation]")
    page.wait_for_url(f"**/dashboard/playbooks?tenant={org_a.pk}")
    assert "Alpha Brands" in page.inner_text("[data-testid=org-name]")
    for label in PAGES:
        page.click(f"[data-nav='Alpha Brands/{label}']")
        page.wait_for_url(f"**tenant={org_a.pk}")
        assert page.locator("h1").count() >= 1, label
    shot(page, "super-admin-organisation-pages.png", full_page=True)


def test_the_switcher_keeps_the_page(page, login, live_server, super_admin, org_a, org_b, shot):
    login(page, super_admin)
    page.goto(f"{live_server.url}/dashboard/presets?tenant={org_a.pk}")
    page.fill("[data-testid=org-switcher] input[name=q]", "Beta")
    # The answer to "Beta" (the one to the focus lists every organisation first).
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=org-switcher-results] li').length === 1"
    )
    result = page.wait_for_selector(
        f"[data-testid=org-switcher-results] [data-organisation={org_b.pk}]"
    )
    shot(page, "super-admin-switcher.png")
    result.query_selector("[data-testid=open-organisation]").click()
    page.wait_for_url(f"**/dashboard/presets?tenant={org_b.pk}")
    assert "Beta Dispensary" in page.inner_text("[data-testid=org-name]")


def test_the_library_installs_for_an_organisation(
    page, login, live_server, super_admin, org_a, org_b, shot
):
    seed_playbook_templates()
    login(page, super_admin)
    page.goto(f"{live_server.url}/dashboard/ceo/playbooks")
    form = page.locator("[data-template=weekly-deals-video] [data-testid=install-for]")
    form.locator("select[name=org_id]").select_option(org_b.pk)
    form.locator("button").click()
    page.wait_for_url(f"**/dashboard/playbooks/*?tenant={org_b.pk}")
    assert "Playbook installed" in page.inner_text("#toasts")
    shot(page, "super-admin-install.png", full_page=True)
