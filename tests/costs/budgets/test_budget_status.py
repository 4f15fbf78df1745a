"""Budget settings and status: spent, held, limit, remaining, percent, state, start and reset."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bakedbot.errors import InvalidInput
from costs.budget_selectors import (
    get_budget_usage_by_tenant,
    get_media_budget,
    get_media_budget_status,
)
from costs.budgets import place_budget_hold, update_media_budget
from costs.models import MediaBudget
from costs.periods import BudgetPeriod
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_it_gives_defaults_for_a_tenant_without_settings(org_a):
    config = get_media_budget(org_a.pk)
    assert not config.is_configured
    assert not config.has_limits
    assert (config.daily_limit, config.weekly_limit, config.monthly_limit) == (None, None, None)
    assert (config.soft_threshold_percent, config.hard_limit_enabled) == (80, True)
    assert config.alert_recipients == ()


def test_it_saves_settings_and_returns_them_as_decimals(org_a, owner_a):
    saved = update_media_budget(
        org_a.pk,
        {
            "daily_limit": "12.5",
            "weekly_limit": "50",
            "monthly_limit": "",
            "soft_threshold_percent": "75",
            "hard_limit_enabled": False,
            "alert_recipients": "ops@example.com",
        },
        updated_by=owner_a,
    )
    config = get_media_budget(org_a.pk)
    assert saved == config
    assert (config.daily_limit, config.weekly_limit, config.monthly_limit) == (
        Decimal("12.5"),
        Decimal(50),
        None,
    )
    assert (config.soft_threshold_percent, config.hard_limit_enabled) == (75, False)
    assert config.alert_recipients == ("ops@example.com",)
    assert MediaBudget.objects.get(pk=org_a.pk).updated_by == owner_a


def test_it_saves_nothing_when_any_field_is_bad(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="5", alert_recipients="a@example.com")
    before = get_media_budget(org_a.pk)
    with pytest.raises(InvalidInput) as refused:
        update_media_budget(
            org_a.pk,
            {"daily_limit": "7", "weekly_limit": "1e3", "alert_recipients": "b@example.com"},
        )
    assert list(refused.value.errors) == ["weekly_limit"]
    assert get_media_budget(org_a.pk) == before


def test_it_saves_no_row_for_a_first_update_that_fails(org_a):
    with pytest.raises(InvalidInput) as refused:
        update_media_budget(org_a.pk, {"daily_limit": "NaN"})
    assert "daily_limit" in refused.value.errors
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_refuses_an_unknown_tenant(db):
    with pytest.raises(InvalidInput) as refused:
        update_media_budget("org_missing", {"daily_limit": "1"})
    assert refused.value.errors == {"tenant": "No organisation 'org_missing'."}


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


def test_it_gives_budget_usage_for_a_page_of_tenants(
    org_a, org_b, set_budget, record_spend, django_assert_max_num_queries
):
    set_budget(org_a.pk, daily_limit="10", monthly_limit="100")
    set_budget(org_b.pk, alert_recipients="x@example.com")  # no limits: absent
    others = [OrganisationFactory() for _ in range(5)]
    for org in others:
        set_budget(org.pk, weekly_limit="20")
        record_spend(org.pk, "5")
    record_spend(org_a.pk, "9")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.50", reason="x")
    ids = [org_a.pk, org_b.pk, "org_missing", *[o.pk for o in others]]
    # Budgets, holds, and one spend read per distinct window (two zones here), not per tenant.
    with django_assert_max_num_queries(2 + 2 * 3):
        usage = get_budget_usage_by_tenant(ids)
    assert set(usage) == {org_a.pk, *[o.pk for o in others]}
    a = usage[org_a.pk]
    assert [p.period for p in a.periods] == [BudgetPeriod.DAY, BudgetPeriod.MONTH]
    assert (a.headline.period, a.percent, a.state) == (BudgetPeriod.DAY, Decimal("95.0"), "warning")
    assert usage[others[0].pk].percent == 25
    assert usage[others[0].pk].state == "ok"
    assert get_budget_usage_by_tenant([]) == {}
