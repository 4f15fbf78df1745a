"""The month-end forecast (``costs.forecast``) against hand-computed cases: the run rate is the
month's spend over the days so far (today counted whole), the projection adds that rate for each
day left, a limit is reached on the first day the cumulated spend reaches it."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from costs.forecast import MonthForecast, get_spend_forecast, limit_reached_on

DOLLAR = 1_000_000


@pytest.mark.parametrize(
    ("today", "spent", "rate", "projected"),
    [
        # $100 in 10 days of November: $10 a day, 20 days left -> $100 + $200.
        (date(2026, 11, 10), 100, Decimal(10), Decimal(300)),
        # The month's first day: today's $5 is the rate for the 29 days left -> $150.
        (date(2026, 11, 1), 5, Decimal(5), Decimal(150)),
        # No history: nothing spent, nothing projected.
        (date(2026, 11, 10), 0, Decimal(0), Decimal(0)),
        # The last day: the month's spend is its end.
        (date(2026, 12, 31), 31, Decimal(1), Decimal(31)),
        # A leap February: $20 in 10 days -> $2 a day, 19 days left -> $58.
        (date(2028, 2, 10), 20, Decimal(2), Decimal(58)),
        # $10 in 3 days: $3.333... a day, 27 days left -> exactly $100.
        (date(2026, 11, 3), 10, Decimal(10) / 3, Decimal(100)),
    ],
)
def test_it_projects_the_month_end_from_the_run_rate(today, spent, rate, projected):
    forecast = MonthForecast(today, spent * DOLLAR)
    assert forecast.daily_rate == rate
    assert forecast.projected.quantize(Decimal("0.000001")) == projected


@pytest.mark.parametrize(
    ("used", "limit", "rate", "expected"),
    [
        (100, 150, 10, (date(2026, 11, 15), False)),  # $50 left at $10 a day: 5 days
        (100, 125, 10, (date(2026, 11, 13), False)),  # 2.5 days: reached on the third
        (100, 100, 10, (date(2026, 11, 10), True)),  # reached already
        (120, 100, 0, (date(2026, 11, 10), True)),  # over already, whatever the rate
        (100, 1000, 10, (None, False)),  # 90 days away: not before the period resets
        (0, 50, 0, (None, False)),  # no history: never at this rate
        (100, 300, 10, (date(2026, 11, 30), False)),  # exactly on the period's last day
    ],
)
def test_it_dates_when_a_limit_is_reached(used, limit, rate, expected):
    assert (
        limit_reached_on(
            used_micros=used * DOLLAR,
            limit_micros=limit * DOLLAR,
            daily_rate_micros=Decimal(rate * DOLLAR),
            today=date(2026, 11, 10),
            period_end=date(2026, 11, 30),
        )
        == expected
    )


NOW = datetime(2026, 11, 10, 20, tzinfo=UTC)  # 10 Nov (a Tuesday) in New York and Los Angeles


def test_it_forecasts_the_platform_and_each_organisation(org_a, org_b, record_spend, set_budget):
    # Alpha (Los Angeles): $20 on 3 Nov, $10 on 9 Nov (Monday) -> $30 in 10 days, $3 a day.
    record_spend(org_a.pk, "20", at=datetime(2026, 11, 3, 20, tzinfo=UTC))
    record_spend(org_a.pk, "10", at=datetime(2026, 11, 9, 20, tzinfo=UTC))
    record_spend(org_a.pk, "99", at=datetime(2026, 10, 31, 20, tzinfo=UTC))  # last month
    set_budget(org_a.pk, monthly_limit="60", weekly_limit="15")
    # Beta (New York): a budget and no history.
    set_budget(org_b.pk, monthly_limit="50")

    forecast = get_spend_forecast(now=NOW)

    assert forecast.platform.spent == Decimal(30)
    assert forecast.platform.projected == Decimal(90)  # $30 + $3 x 20 days
    alpha, beta = forecast.organisations
    assert (alpha.tenant_id, alpha.month.spent, alpha.month.projected) == (
        org_a.pk,
        Decimal(30),
        Decimal(90),
    )
    # Monthly: $30 left at $3 a day -> 10 days -> 20 Nov. Weekly (from Monday 9 Nov): $10 used,
    # $5 left -> 1.67 days -> 12 Nov.
    assert (alpha.monthly.reached_on, alpha.monthly.already) == (date(2026, 11, 20), False)
    assert (alpha.weekly.reached_on, alpha.weekly.limit) == (date(2026, 11, 12), Decimal(15))
    assert (beta.tenant_id, beta.month.projected, beta.month.daily_rate) == (
        org_b.pk,
        Decimal(0),
        Decimal(0),
    )
    assert (beta.monthly.reached_on, beta.monthly.already, beta.weekly) == (None, False, None)


def test_it_forecasts_on_the_months_first_day(org_a, record_spend, set_budget):
    now = datetime(2026, 11, 1, 20, tzinfo=UTC)  # 1 Nov, 12:00 in Los Angeles
    record_spend(org_a.pk, "4", at=datetime(2026, 11, 1, 18, tzinfo=UTC))
    set_budget(org_a.pk, monthly_limit="30")
    [alpha] = get_spend_forecast(now=now).organisations
    assert alpha.month.projected == Decimal(120)  # $4 x 30 days
    # $26 left at $4 a day: 6.5 days -> reached on 8 Nov.
    assert alpha.monthly.reached_on == date(2026, 11, 8)


def test_it_narrows_to_one_organisation(org_a, org_b, record_spend):
    record_spend(org_a.pk, "1", at=datetime(2026, 11, 9, 20, tzinfo=UTC))
    record_spend(org_b.pk, "2", at=datetime(2026, 11, 9, 20, tzinfo=UTC))
    forecast = get_spend_forecast(tenant_id=org_b.pk, now=NOW)
    assert [row.tenant_id for row in forecast.organisations] == [org_b.pk]
    assert forecast.platform.spent == Decimal(3)  # the platform line stays the platform's
