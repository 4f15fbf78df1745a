"""get_media_budget_status: spent, held, limit, remaining, percent, state, start and reset."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from costs.budget_selectors import (
    get_media_budget_status,
)
from costs.budgets import place_budget_hold
from costs.periods import BudgetPeriod
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_it_reports_each_period_against_its_limit(fake_store, org_a, set_budget, record_spend):
    set_budget(org_a.pk, daily_limit="10", weekly_limit="40", soft_threshold_percent="50")
    record_spend(org_a.pk, "4")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="2", reason="in flight")
    status = get_media_budget_status(org_a.pk)
    day, week, month = status.periods
    assert (day.spent, day.held, day.limit, day.remaining) == (4, 2, 10, 4)
    assert (day.percent, day.state, day.bar_percent) == (Decimal("60.0"), "warning", 60)
    assert (week.limit, week.percent, week.state) == (40, Decimal("15.0"), "ok")
    assert (month.limit, month.remaining, month.percent, month.state) == (None, None, None, "ok")
    assert month.spent == 4
    assert status.state == "warning"


def test_it_reports_an_exceeded_period_with_nothing_remaining(
    fake_store, org_a, set_budget, record_spend
):
    set_budget(org_a.pk, daily_limit="5", hard_limit_enabled=False)
    record_spend(org_a.pk, "7.50")
    day = get_media_budget_status(org_a.pk).period("day")
    assert (day.remaining, day.percent, day.bar_percent, day.state) == (0, 150, 100, "exceeded")


def test_it_gives_period_starts_and_resets_in_the_tenants_zone(db):
    tokyo = OrganisationFactory(time_zone="Asia/Tokyo")
    now = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)  # Monday 9 March, 00:30 in Tokyo
    status = get_media_budget_status(tokyo.pk, now=now)
    assert status.time_zone == "Asia/Tokyo"
    assert status.as_of.utcoffset() == timedelta(hours=9)
    starts = {p.period: p.period_start.isoformat() for p in status.periods}
    resets = {p.period: p.next_reset.isoformat() for p in status.periods}
    assert starts == {
        BudgetPeriod.DAY: "2026-03-09T00:00:00+09:00",
        BudgetPeriod.WEEK: "2026-03-09T00:00:00+09:00",
        BudgetPeriod.MONTH: "2026-03-01T00:00:00+09:00",
    }
    assert resets == {
        BudgetPeriod.DAY: "2026-03-10T00:00:00+09:00",
        BudgetPeriod.WEEK: "2026-03-16T00:00:00+09:00",
        BudgetPeriod.MONTH: "2026-04-01T00:00:00+09:00",
    }
