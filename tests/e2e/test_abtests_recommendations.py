"""In Chromium: a member opens the style recommendations from the tests list and sees which
preset tends to win, with its interval and evidence; the bandit test's results page draws the
split over time; the Creative Center shows the advice beside its preset picker."""

import datetime

import pytest

from abtests import services
from tests.abtests.conftest import make_test, record, start, variant_ids
from tests.abtests.portfolios import run_test

pytestmark = pytest.mark.django_db(transaction=True)

PRO, PLAYFUL = "builtin-professional", "builtin-playful"


def test_a_member_reads_the_recommendations_and_a_bandits_timeline(
    page, login, live_server, member_a, org_a, tmp_path
):
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    run_test(org_a, [(PRO, 8000, 320), (PLAYFUL, 8000, 390)])
    bandit = start(make_test(org_a, name="Bandit banner", bandit_mode=True))
    control, playful = variant_ids(bandit)
    record(bandit, control, impressions=2000, clicks=80)
    record(bandit, playful, impressions=2000, clicks=100)
    later = bandit.started_at + datetime.timedelta(hours=24)
    services.reweight_bandit_test(tenant_id=org_a.pk, test_id=bandit.pk, now=later)

    login(page, member_a)
    page.goto(f"{live_server.url}/dashboard/abtests")
    page.get_by_test_id("recommendations-link").click()
    row = page.get_by_test_id("own-row").first
    assert "Playful" in row.inner_text()
    # The bandit test (professional against playful) is the third.
    assert "won 3 of 3 tests on CTR, 15,000 impressions" in row.inner_text()
    assert page.get_by_test_id("method").is_visible()
    page.screenshot(path=str(tmp_path / "recommendations.png"), full_page=True)

    page.goto(f"{live_server.url}/dashboard/abtests")
    page.get_by_role("link", name="Bandit banner").click()
    page.locator("[data-testid=chart-split] .main-svg").first.wait_for()
    assert page.get_by_test_id("split-change").count() == 2
    page.screenshot(path=str(tmp_path / "bandit-timeline.png"), full_page=True)

    page.goto(f"{live_server.url}/dashboard/creative")
    advice = page.get_by_test_id("style-recommendations")
    assert "Playful" in advice.inner_text()
