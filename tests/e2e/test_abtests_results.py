"""In Chromium: an owner starts a drafted test, enters each variant's metrics in the forms, and
sees the winner banner and the interval charts; a member sees results but no lifecycle buttons."""

import pytest

from tests.abtests.conftest import make_test, start

pytestmark = pytest.mark.django_db(transaction=True)


def _fill(page, variant_name, **values):
    form = page.locator("[data-testid=metrics-form]").filter(has_text=variant_name)
    for field, value in values.items():
        form.locator(f"input[name={field}]").fill(str(value))
    form.get_by_role("button", name=f"Save {variant_name}").click()
    page.get_by_text(f"Metrics for {variant_name} saved.").wait_for()


def test_it_runs_a_test_from_draft_to_winner(page, login, live_server, owner_a, org_a, tmp_path):
    test = make_test(org_a, name="Spring drop hero image")
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/abtests")
    page.get_by_role("link", name="Spring drop hero image").click()
    assert page.get_by_test_id("status").inner_text() == "Draft"

    page.get_by_test_id("to-running").click()
    page.get_by_text("The test is now running.").wait_for()
    assert page.get_by_test_id("status").inner_text() == "Running"

    _fill(
        page,
        "Control",
        impressions=20000,
        clicks=1000,
        conversions=100,
        engagement=1500,
        cost="400",
    )
    banner = page.get_by_test_id("winner-banner")
    assert "No winner yet" in banner.inner_text()

    _fill(
        page,
        "Playful",
        impressions=20000,
        clicks=1250,
        conversions=130,
        engagement=1600,
        cost="400",
    )
    banner = page.get_by_test_id("winner-banner")
    assert "Winner: Playful" in banner.inner_text()
    assert "chance to be best on CTR" in banner.inner_text()
    assert page.get_by_test_id("winner-pill").count() == 1

    page.reload()
    page.locator("[data-testid=chart-ctr] .main-svg").first.wait_for()
    assert page.locator("[data-testid=chart-cpc] .main-svg").count() > 0
    page.screenshot(path=str(tmp_path / "abtest-results.png"), full_page=True)
    assert test.results.get(is_winner=True).variant.name == "Playful"


def test_it_shows_a_refused_metric_next_to_its_field(page, login, live_server, member_a, org_a):
    test = start(make_test(org_a))
    login(page, member_a)
    page.goto(f"{live_server.url}/dashboard/abtests/{test.pk}")
    assert page.get_by_test_id("lifecycle").count() == 0
    form = page.locator("[data-testid=metrics-form]").filter(has_text="Control")
    form.locator("input[name=impressions]").fill("100")
    form.locator("input[name=clicks]").fill("120")
    form.get_by_role("button", name="Save Control").click()
    error = page.get_by_test_id("field-error")
    error.wait_for()
    assert error.inner_text() == "Clicks cannot exceed impressions (100)."
