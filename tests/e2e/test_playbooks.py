"""Playbooks in a real browser: the super admin seeds the template library and sees the toast;
an owner installs Weekly Deals Video, sees its cost estimate and next run, and edits its
schedule (an invalid cron is refused, naming the field)."""

import re

import pytest
from playwright.sync_api import expect

from playbooks.models import Playbook
from playbooks.services import seed_playbook_templates

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_super_admin_seeds_the_templates_and_sees_the_toast(
    page, login, live_server, super_admin, tmp_path
):
    login(page, super_admin)
    page.goto(f"{live_server.url}/dashboard/ceo/playbooks")
    expect(page.get_by_text("The template library is empty")).to_be_visible()
    page.get_by_test_id("seed-templates").click()
    toast = page.locator(".toast")
    expect(toast).to_contain_text("Seeded 3")
    expect(toast).to_contain_text("skipped 0, errors 0")
    expect(page.locator("[data-testid=template-table] tbody tr")).to_have_count(3)
    expect(page.locator("tr[data-template=weekly-deals-video]")).to_contain_text("0 9 * * 1")
    page.screenshot(path=str(tmp_path / "playbooks-seeded.png"), full_page=True)
    page.get_by_test_id("seed-templates").click()
    expect(page.locator(".toast").last).to_contain_text("Seeded 0, skipped 3")


def test_an_owner_installs_weekly_deals_video_and_edits_its_schedule(
    page, login, live_server, owner_a, org_a, tmp_path
):
    seed_playbook_templates()
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/playbooks")
    page.get_by_test_id("install-weekly-deals-video").click()
    page.wait_for_url(re.compile(r"/dashboard/playbooks/pb_"))
    expect(page.locator(".toast")).to_contain_text("Playbook installed")
    expect(page.get_by_test_id("estimate-total")).to_have_text("$1.125")
    expect(page.get_by_test_id("upcoming").locator("li").first).to_contain_text("09:00")
    expect(page.get_by_test_id("run-now")).to_be_visible()

    page.fill("#id_schedule", "0 9 * *")
    page.get_by_test_id("save-settings").click()
    expect(page.get_by_test_id("schedule-error")).to_contain_text("needs 5 fields")
    assert Playbook.objects.get(organisation=org_a).schedule == "0 9 * * 1"

    page.fill("#id_schedule", "30 7 * * 2")
    page.select_option("#param__step-2__provider", "sora")
    page.get_by_test_id("save-settings").click()
    expect(page.locator(".toast")).to_contain_text("settings saved")
    expect(page.get_by_test_id("upcoming").locator("li").first).to_contain_text("Tue")
    expect(page.get_by_test_id("estimate-total")).to_have_text("$1.50")
    page.screenshot(path=str(tmp_path / "playbook-detail.png"), full_page=True)

    page.goto(f"{live_server.url}/dashboard/playbooks")
    card = page.locator("[data-playbook=weekly-deals-video]")
    expect(card.get_by_test_id("estimate")).to_have_text("$1.50")
    expect(page.get_by_test_id("install-weekly-deals-video")).to_have_count(0)
    expect(page.get_by_test_id("install-daily-product-spotlight")).to_be_visible()
