"""End to end in Chromium: an owner sets a daily limit on /dashboard/media, spend crosses 80 %,
and the warning and the alert appear; the owner acknowledges the alert."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from costs.budgets import place_budget_hold, settle_budget_hold
from costs.domain import MediaGenerationEvent, new_event_id
from costs.money import decimal_to_micros
from costs.services import track_media_generation

pytestmark = pytest.mark.django_db(transaction=True)


def _generate(tenant_id: str, dollars: str, prompt: str) -> None:
    """What the generation service does: hold, record the event through costs, settle."""
    hold = place_budget_hold(tenant_id=tenant_id, estimated_cost=dollars, reason=prompt)
    track_media_generation(
        MediaGenerationEvent(
            id=new_event_id(),
            tenant_id=tenant_id,
            user_id="e2e",
            type="video",
            provider="veo",
            prompt=prompt,
            duration_seconds=8,
            cost_micros=decimal_to_micros(Decimal(dollars)),
            created_at=datetime.now(UTC),
        )
    )
    settle_budget_hold(hold=hold, actual_cost=dollars)


def test_it_warns_an_owner_whose_spend_crosses_80_percent_of_the_daily_limit(
    page, login, live_server, owner_a, org_a, tmp_path
):
    login(page, owner_a)
    page.goto(f"{live_server.url}/dashboard/media")
    day = page.locator("[data-testid=period-day]")
    assert day.locator("[data-testid=state]").inner_text() == "No limit"

    page.fill("#id_daily_limit", "1e3")
    page.click("text=Save budget")
    error = page.wait_for_selector("#err_daily_limit")
    assert "plain number" in error.inner_text()
    page.screenshot(path=str(tmp_path / "media-budget-field-error.png"), full_page=True)

    page.fill("#id_daily_limit", "1.00")
    page.fill("#id_alert_recipients", "finance@alpha.test")
    page.click("text=Save budget")
    page.wait_for_selector("#toasts .toast-success")
    assert page.locator("#err_daily_limit").count() == 0
    assert day.locator("[data-testid=state]").inner_text() == "OK"
    assert day.locator("[data-testid=remaining]").inner_text() == "$1.00"
    assert page.url == f"{live_server.url}/dashboard/media"  # swapped in place by HTMX

    _generate(org_a.pk, "0.75", "Weekly deals, 8 s")
    page.reload()
    assert day.locator("[data-testid=percent]").inner_text() == "75.0%"
    assert page.locator("[data-testid=alert]").count() == 0

    _generate(org_a.pk, "0.10", "Spotlight: Blue Dream")  # 85 %
    page.reload()
    assert day.locator("[data-testid=state]").inner_text() == "Warning"
    assert day.locator(".progress.warning").is_visible()
    assert day.locator("[data-testid=percent]").inner_text() == "85.0%"
    alert = page.locator("[data-testid=alert][data-kind=soft_threshold]")
    assert "80% of the daily budget used: $0.85 of $1.00." in alert.inner_text()
    assert page.locator("[data-testid=unacknowledged]").inner_text() == "1 new"
    assert page.locator("[data-testid=daily-chart] .main-svg").count() > 0  # plotly drew it
    assert "Spotlight: Blue Dream" in page.locator("[data-testid=recent-generations]").inner_text()
    page.screenshot(path=str(tmp_path / "media-budget-warning.png"), full_page=True)

    alert.locator("text=Acknowledge").click()
    page.wait_for_selector("[data-testid=alert].acknowledged")
    assert page.locator("[data-testid=unacknowledged]").count() == 0
    page.screenshot(path=str(tmp_path / "media-budget-acknowledged.png"), full_page=True)


def test_it_shows_a_member_the_budget_read_only(page, login, live_server, member_a, org_a):
    login(page, member_a)
    page.goto(f"{live_server.url}/dashboard/media")
    assert page.locator("[data-testid=read-only]").is_visible()
    assert page.locator("#id_daily_limit").is_disabled()
    assert page.locator("text=Save budget").count() == 0
