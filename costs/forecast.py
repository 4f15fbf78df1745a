"""Month-end spend forecast (the CEO costs tab): where the platform and each organisation will be at
the end of the calendar month at the current run rate, and when a budget's limit is reached.

**Method** (stated on the page as ``METHOD``): run rate = spend so far this month / days so far
(today counts as a whole day); projected month-end spend = spend so far + run rate x the days left
after today. A limit is reached on the first day whose cumulative spend at that rate reaches it
(spend so far + budget holds + run rate x days after today); a date past the period's last day
means the limit is not reached before the period resets. Organisations use their own local month
and week (budgets' periods), the platform its own date (``settings.TIME_ZONE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from bakedbot.selectors import list_organisations, organisation_names
from costs.budget_selectors import get_budget_usage_by_tenant
from costs.money import micros_to_decimal
from costs.periods import BudgetPeriod, current_periods
from costs.stores import get_repository
from costs.tenants import tenant_time_zone

METHOD = (
    "Run rate = spend so far this month ÷ days so far (today counts as a whole day); "
    "projected month-end spend = spend so far + run rate x days left. A limit's date is the first "
    "day on which spend so far, budget holds and the run rate reach it, within the period."
)


def month_end(day: date) -> date:
    following = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class MonthForecast:
    """One month's projection from ``spent_micros`` over ``month_start``..``today``."""

    today: date
    spent_micros: int

    @property
    def month_start(self) -> date:
        return self.today.replace(day=1)

    @property
    def month_end(self) -> date:
        return month_end(self.today)

    @property
    def days_elapsed(self) -> int:
        return self.today.day

    @property
    def days_left(self) -> int:
        return (self.month_end - self.today).days

    @property
    def spent(self) -> Decimal:
        return micros_to_decimal(self.spent_micros)

    @property
    def daily_rate_micros(self) -> Decimal:
        """Micro-dollars per day (exact fraction as a Decimal)."""
        return Decimal(self.spent_micros) / Decimal(self.days_elapsed)

    @property
    def daily_rate(self) -> Decimal:
        return self.daily_rate_micros / Decimal(1_000_000)

    @property
    def projected(self) -> Decimal:
        projected = Decimal(self.spent_micros) + self.daily_rate_micros * self.days_left
        return projected / Decimal(1_000_000)


@dataclass(frozen=True)
class LimitForecast:
    """When a budget period's limit is reached at the run rate."""

    period: BudgetPeriod
    limit_micros: int
    used_micros: int  # spend so far in the period plus active holds
    period_end: date  # its last local date
    reached_on: date | None  # None: not before the period resets
    already: bool  # reached already

    @property
    def limit(self) -> Decimal:
        return micros_to_decimal(self.limit_micros)

    @property
    def used(self) -> Decimal:
        return micros_to_decimal(self.used_micros)


def limit_reached_on(
    *,
    used_micros: int,
    limit_micros: int,
    daily_rate_micros: Decimal,
    today: date,
    period_end: date,
) -> tuple[date | None, bool]:
    """``(date, already)``: the first day the limit is reached, or None when it is not reached by
    ``period_end``; ``already`` when the use has reached it by today."""
    if used_micros >= limit_micros:
        return today, True
    if daily_rate_micros <= 0:
        return None, False
    days = ((Decimal(limit_micros - used_micros)) / daily_rate_micros).to_integral_value(
        rounding=ROUND_CEILING
    )
    reached = today + timedelta(days=int(days))
    return (reached if reached <= period_end else None), False


@dataclass(frozen=True)
class OrganisationForecast:
    tenant_id: str
    name: str
    month: MonthForecast
    limits: list[LimitForecast]  # the organisation's monthly and weekly limits, when set

    def _limit(self, period: BudgetPeriod) -> LimitForecast | None:
        return next((item for item in self.limits if item.period == period), None)

    @property
    def monthly(self) -> LimitForecast | None:
        return self._limit(BudgetPeriod.MONTH)

    @property
    def weekly(self) -> LimitForecast | None:
        return self._limit(BudgetPeriod.WEEK)


@dataclass(frozen=True)
class SpendForecast:
    """``get_spend_forecast``: the platform and the organisations (highest projection first)."""

    platform: MonthForecast
    organisations: list[OrganisationForecast]
    method: str = METHOD


def get_spend_forecast(
    *, tenant_id: str | None = None, now: datetime | None = None
) -> SpendForecast:
    """The month-end forecast for the platform and for every organisation that spent this month or
    has a budget (only ``tenant_id`` when given). Reads: the platform's month, one by-tenant read
    per distinct local month (organisations sharing a zone share it) and the budgets' own reads."""
    now = now or timezone.now()
    repository = get_repository()
    today = timezone.localdate(now)
    platform = MonthForecast(
        today, repository.global_usage(today.replace(day=1), today).totals.cost_micros
    )
    month_spend: dict[tuple[date, date], dict[str, int]] = {}

    def spend_of(tenant: str, start: date, end: date) -> int:
        if (start, end) not in month_spend:
            month_spend[(start, end)] = {
                key: totals.cost_micros
                for key, totals in repository.usage_by_tenant(start, end).items()
            }
        return month_spend[(start, end)].get(tenant, 0)

    if tenant_id is not None:
        tenants = [tenant_id]
    else:
        # The platform month's spenders (local months differ by at most a day at each end).
        first = today.replace(day=1) - timedelta(days=1)
        tenants = list(repository.usage_by_tenant(first, today + timedelta(days=1)))
    budgets = get_budget_usage_by_tenant(
        [org.id for org in list_organisations()] if tenant_id is None else [tenant_id], now=now
    )
    tenants = list(dict.fromkeys([*tenants, *budgets]))
    names = organisation_names(tenants)
    rows = []
    for tenant in tenants:
        if tenant not in names:
            continue
        windows = {w.period: w for w in current_periods(tz=tenant_time_zone(tenant), now=now)}
        month = windows[BudgetPeriod.MONTH]
        local_today = now.astimezone(tenant_time_zone(tenant)).date()
        forecast = MonthForecast(local_today, spend_of(tenant, month.start_date, local_today))
        limits = []
        usage = budgets.get(tenant)
        for status in usage.periods if usage else []:
            if status.period not in (BudgetPeriod.MONTH, BudgetPeriod.WEEK):
                continue
            reached, already = limit_reached_on(
                used_micros=status.used_micros,
                limit_micros=status.limit_micros,
                daily_rate_micros=forecast.daily_rate_micros,
                today=local_today,
                period_end=status.window.end_date,
            )
            limits.append(
                LimitForecast(
                    status.period,
                    status.limit_micros,
                    status.used_micros,
                    status.window.end_date,
                    reached,
                    already,
                )
            )
        limits.sort(key=lambda item: item.period != BudgetPeriod.MONTH)
        if not forecast.spent_micros and not limits:
            continue
        rows.append(OrganisationForecast(tenant, names[tenant], forecast, limits))
    rows.sort(key=lambda row: (-row.month.projected, row.name.lower()))
    return SpendForecast(platform, rows)
