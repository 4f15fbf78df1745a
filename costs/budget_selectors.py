"""Budget reads: a tenant's settings, the status of each period, alerts, and a pre-flight check.

Spend comes from the cost store (``costs.selectors.get_tenant_spend``, tenant-local dates); holds
and alerts from the Django database. "Used" is spend plus active holds: money already charged plus
money set aside for generations in flight, so the status, the alerts and the hard limit all look
at the same figure.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from bakedbot.errors import InvalidInput
from bakedbot.selectors import OrganisationInfo, get_organisation
from costs.budget_validation import BudgetSettings
from costs.models import BudgetHold, CostAlert, MediaBudget
from costs.money import decimal_to_micros, format_micros, micros_to_decimal, to_decimal
from costs.periods import BudgetPeriod, PeriodWindow, current_periods
from costs.selectors import get_tenant_spend, spend_by_tenant, tenant_spend_by_day

BudgetState = Literal["ok", "warning", "exceeded"]
_STATE_RANK = {"ok": 0, "warning": 1, "exceeded": 2}


@dataclass(frozen=True)
class MediaBudgetConfig:
    """A tenant's budget settings (defaults when none were saved: no limits, warn at 80 %)."""

    tenant_id: str
    settings: BudgetSettings
    updated_at: datetime | None = None

    @property
    def is_configured(self) -> bool:
        return self.updated_at is not None

    @property
    def has_limits(self) -> bool:
        return any(self.settings.limit_micros(period) is not None for period in BudgetPeriod)

    def limit(self, period: BudgetPeriod) -> Decimal | None:
        micros = self.settings.limit_micros(period)
        return None if micros is None else micros_to_decimal(micros)

    @property
    def daily_limit(self) -> Decimal | None:
        return self.limit(BudgetPeriod.DAY)

    @property
    def weekly_limit(self) -> Decimal | None:
        return self.limit(BudgetPeriod.WEEK)

    @property
    def monthly_limit(self) -> Decimal | None:
        return self.limit(BudgetPeriod.MONTH)

    @property
    def soft_threshold_percent(self) -> int:
        return self.settings.soft_threshold_percent

    @property
    def hard_limit_enabled(self) -> bool:
        return self.settings.hard_limit_enabled

    @property
    def alert_recipients(self) -> tuple[str, ...]:
        return self.settings.alert_recipients


@dataclass(frozen=True)
class BudgetPeriodStatus:
    """One period's position against its limit; amounts in micro-dollars, ``Decimal`` views."""

    window: PeriodWindow
    limit_micros: int | None
    spent_micros: int
    held_micros: int
    soft_threshold_percent: int

    @property
    def period(self) -> BudgetPeriod:
        return self.window.period

    @property
    def used_micros(self) -> int:
        return self.spent_micros + self.held_micros

    @property
    def remaining_micros(self) -> int | None:
        if self.limit_micros is None:
            return None
        return max(self.limit_micros - self.used_micros, 0)

    @property
    def percent(self) -> Decimal | None:
        """Used as a percentage of the limit, one decimal; a $0 limit counts as fully used."""
        if self.limit_micros is None:
            return None
        if self.limit_micros == 0:
            return Decimal(100)
        ratio = Decimal(self.used_micros * 100) / Decimal(self.limit_micros)
        return ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def state(self) -> BudgetState:
        if self.limit_micros is None:
            return "ok"
        if self.used_micros >= self.limit_micros:
            return "exceeded"
        if self.used_micros * 100 >= self.soft_threshold_percent * self.limit_micros:
            return "warning"
        return "ok"

    @property
    def micros_before_next_state(self) -> int | None:
        """How much more can be used before ``state`` changes (ok → warning → exceeded: an
        alert would be due, or a hard limit would refuse); negative once exceeded, None without
        a limit."""
        if self.limit_micros is None:
            return None
        if self.state == "exceeded":
            return -1
        if self.state == "ok":  # warning starts at the first amount >= threshold % of limit
            next_state_at = -(-self.soft_threshold_percent * self.limit_micros // 100)
        else:
            next_state_at = self.limit_micros
        return next_state_at - 1 - self.used_micros

    @property
    def bar_percent(self) -> Decimal:
        """The progress bar's width: the percentage capped at 100."""
        return min(self.percent or Decimal(0), Decimal(100))

    @property
    def spent(self) -> Decimal:
        return micros_to_decimal(self.spent_micros)

    @property
    def held(self) -> Decimal:
        return micros_to_decimal(self.held_micros)

    @property
    def limit(self) -> Decimal | None:
        return None if self.limit_micros is None else micros_to_decimal(self.limit_micros)

    @property
    def remaining(self) -> Decimal | None:
        remaining = self.remaining_micros
        return None if remaining is None else micros_to_decimal(remaining)

    @property
    def period_start(self) -> datetime:
        return self.window.starts_at

    @property
    def next_reset(self) -> datetime:
        return self.window.resets_at


@dataclass(frozen=True)
class BudgetCheck:
    """``check_budget_limit``: whether the generation fits, and if not, why (for people)."""

    allowed: bool
    reason: str | None = None


@dataclass(frozen=True)
class MediaBudgetStatus:
    tenant_id: str
    time_zone: str
    as_of: datetime
    config: MediaBudgetConfig
    periods: list[BudgetPeriodStatus]

    @property
    def state(self) -> BudgetState:
        return max((p.state for p in self.periods), key=_STATE_RANK.__getitem__, default="ok")

    def period(self, period: BudgetPeriod | str) -> BudgetPeriodStatus:
        return next(p for p in self.periods if p.period == BudgetPeriod(period))

    def check(self, estimated_cost: Decimal | int | str) -> BudgetCheck:
        """``check_budget_limit`` answered from this status, without reading the store again
        (a form that shows the status and the check together)."""
        requested = cost_micros_of(estimated_cost, field="estimated_cost")
        return _budget_check(self.config, self.periods, requested)


@dataclass(frozen=True)
class BudgetUsage:
    """A tenant's budget usage for a list of tenants (the CEO costs tab): the limited periods and
    the one closest to (or furthest over) its limit."""

    tenant_id: str
    periods: list[BudgetPeriodStatus]

    @property
    def headline(self) -> BudgetPeriodStatus:
        return max(self.periods, key=lambda p: (p.percent, -list(BudgetPeriod).index(p.period)))

    @property
    def state(self) -> BudgetState:
        return self.headline.state

    @property
    def percent(self) -> Decimal:
        return self.headline.percent or Decimal(0)


@dataclass(frozen=True)
class CostAlertInfo:
    id: str
    tenant_id: str
    kind: str
    kind_label: str
    period: BudgetPeriod
    period_start: date
    threshold_percent: int
    limit_micros: int
    spent_micros: int
    held_micros: int
    requested_micros: int
    message: str
    created_at: datetime
    emailed_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def severity(self) -> BudgetState:
        return "warning" if self.kind == CostAlert.Kind.SOFT_THRESHOLD else "exceeded"


def cost_micros_of(amount: Decimal | int | str, *, field: str) -> int:
    """A cost in dollars as micro-dollars; ``InvalidInput`` on ``field`` when it is negative or
    not an amount. A float is a ``TypeError``: code, not people, sends one."""
    try:
        micros = decimal_to_micros(to_decimal(amount))
    except ValueError as exc:
        raise InvalidInput({field: str(exc)}) from None
    if micros < 0:
        raise InvalidInput({field: f"{field} must be 0 or more, not {amount}"})
    return micros


def budget_settings_of(budget: MediaBudget) -> BudgetSettings:
    return BudgetSettings(
        daily_limit_micros=budget.daily_limit_micros,
        weekly_limit_micros=budget.weekly_limit_micros,
        monthly_limit_micros=budget.monthly_limit_micros,
        soft_threshold_percent=budget.soft_threshold_percent,
        hard_limit_enabled=budget.hard_limit_enabled,
        alert_recipients=tuple(budget.alert_recipients),
    )


def budget_config_of(tenant_id: str, budget: MediaBudget | None) -> MediaBudgetConfig:
    if budget is None:
        return MediaBudgetConfig(tenant_id=tenant_id, settings=BudgetSettings())
    return MediaBudgetConfig(
        tenant_id=tenant_id, settings=budget_settings_of(budget), updated_at=budget.updated_at
    )


# Plain SQL: every hold runs this under the tenant lock, where building the ORM query cost more
# than running it. The status is a literal so that any plan (PostgreSQL's generic plans too) can
# use the partial index on active holds rather than walk every hold the tenant ever had.
_HELD_SQL = (
    "SELECT COALESCE(SUM(amount_micros), 0) FROM {table}"
    " WHERE tenant_id = %s AND status = 'active' AND expires_at > %s"
)


def held_micros(tenant_id: str, *, now: datetime) -> int:
    """Active holds that have not expired: what the tenant's generations in flight set aside."""
    with connection.cursor() as cursor:
        cursor.execute(_HELD_SQL.format(table=BudgetHold._meta.db_table), [tenant_id, now])
        return int(cursor.fetchone()[0])


def spent_micros_by_window(tenant_id: str, windows: list[PeriodWindow]) -> list[int]:
    """What the tenant spent in each window, from one read of its daily totals.

    The same sums ``get_tenant_spend`` gives per range, read once for day, week and month
    together: a hold checks all three while it holds the tenant lock.
    """
    if not windows:
        return []
    if len(windows) == 1:
        window = windows[0]
        return [decimal_to_micros(get_tenant_spend(tenant_id, window.start_date, window.end_date))]
    start = min(window.start_date for window in windows)
    end = max(window.end_date for window in windows)
    days = tenant_spend_by_day(tenant_id, start, end)
    return [
        sum(cost for day, cost in days if window.start_date <= day <= window.end_date)
        for window in windows
    ]


def period_statuses(
    tenant_id: str,
    settings: BudgetSettings,
    tz: ZoneInfo,
    *,
    now: datetime,
    held: int,
    only_limited: bool = False,
) -> list[BudgetPeriodStatus]:
    """The status of the current day, week and month, each with ``held`` micro-dollars on hold;
    ``only_limited`` leaves out (and reads no spend for) periods without a limit."""
    windows = [
        window
        for window in current_periods(tz=tz, now=now)
        if not only_limited or settings.limit_micros(window.period) is not None
    ]
    return [
        BudgetPeriodStatus(
            window=window,
            limit_micros=settings.limit_micros(window.period),
            spent_micros=spent,
            held_micros=held,
            soft_threshold_percent=settings.soft_threshold_percent,
        )
        for window, spent in zip(windows, spent_micros_by_window(tenant_id, windows), strict=True)
    ]


def get_media_budget(tenant_id: str) -> MediaBudgetConfig:
    """The tenant's budget settings, or the defaults when none were saved."""
    return budget_config_of(tenant_id, MediaBudget.objects.filter(tenant_id=tenant_id).first())


def _organisation(tenant_id: str) -> OrganisationInfo:
    organisation = get_organisation(tenant_id)
    if organisation is None:
        raise LookupError(f"No organisation {tenant_id!r}")
    return organisation


def get_media_budget_status(tenant_id: str, *, now: datetime | None = None) -> MediaBudgetStatus:
    """Spent, held, limit, remaining, percent and state for the day, week and month, with each
    period's start and next reset in the tenant's time zone."""
    now = now or timezone.now()
    org = _organisation(tenant_id)
    tz = ZoneInfo(org.time_zone)
    config = get_media_budget(tenant_id)
    held = held_micros(tenant_id, now=now)
    return MediaBudgetStatus(
        tenant_id=tenant_id,
        time_zone=org.time_zone,
        as_of=now.astimezone(tz),
        config=config,
        periods=period_statuses(tenant_id, config.settings, tz, now=now, held=held),
    )


@dataclass(frozen=True)
class BudgetBreach:
    """The first period whose hard limit a request would pass."""

    status: BudgetPeriodStatus
    requested_micros: int

    @property
    def over_by_micros(self) -> int:
        return self.status.used_micros + self.requested_micros - (self.status.limit_micros or 0)

    @property
    def message(self) -> str:
        status = self.status
        return (
            f"The {status.period.adjective} budget of {format_micros(status.limit_micros or 0)} "
            f"would be exceeded by {format_micros(self.over_by_micros)} "
            f"(spent {format_micros(status.spent_micros)}, held {format_micros(status.held_micros)}"
            f", this request {format_micros(self.requested_micros)}). It resets "
            f"{status.next_reset:%a %d %b %H:%M %Z}."
        )


def find_breach(
    statuses: Iterable[BudgetPeriodStatus], requested_micros: int
) -> BudgetBreach | None:
    """The first period (day, week, month) where used + requested would pass the limit."""
    for status in statuses:
        limit = status.limit_micros
        if limit is not None and status.used_micros + requested_micros > limit:
            return BudgetBreach(status=status, requested_micros=requested_micros)
    return None


def check_budget_limit(tenant_id: str, estimated_cost: Decimal | int | str) -> BudgetCheck:
    """Would a generation of ``estimated_cost`` dollars pass now?

    A read-only pre-flight check (for a form's estimate); only ``place_budget_hold`` reserves
    the money, so a check that passes can still lose to a concurrent generation.
    """
    requested = cost_micros_of(estimated_cost, field="estimated_cost")
    org = _organisation(tenant_id)
    config = get_media_budget(tenant_id)
    if not (config.has_limits and config.hard_limit_enabled):
        return BudgetCheck(allowed=True)
    now = timezone.now()
    statuses = period_statuses(
        tenant_id,
        config.settings,
        ZoneInfo(org.time_zone),
        now=now,
        held=held_micros(tenant_id, now=now),
        only_limited=True,
    )
    return _budget_check(config, statuses, requested)


def _budget_check(
    config: MediaBudgetConfig, statuses: Iterable[BudgetPeriodStatus], requested_micros: int
) -> BudgetCheck:
    """The hard limits' answer: refused with the first breach's reason, when limits are on."""
    if not (config.has_limits and config.hard_limit_enabled):
        return BudgetCheck(allowed=True)
    breach = find_breach(statuses, requested_micros)
    return BudgetCheck(allowed=True) if breach is None else BudgetCheck(False, breach.message)


def cost_alert_info(alert: CostAlert) -> CostAlertInfo:
    user = alert.acknowledged_by
    return CostAlertInfo(
        id=alert.id,
        tenant_id=alert.tenant_id,
        kind=alert.kind,
        kind_label=alert.get_kind_display(),
        period=BudgetPeriod(alert.period),
        period_start=alert.period_start,
        threshold_percent=alert.threshold_percent,
        limit_micros=alert.limit_micros,
        spent_micros=alert.spent_micros,
        held_micros=alert.held_micros,
        requested_micros=alert.requested_micros,
        message=alert.message,
        created_at=alert.created_at,
        emailed_at=alert.emailed_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=(user.get_full_name() or user.get_username()) if user else None,
    )


def get_media_cost_alerts(
    tenant_id: str, *, include_acknowledged: bool = True, limit: int = 50
) -> list[CostAlertInfo]:
    """The tenant's budget alerts, newest first."""
    alerts = CostAlert.objects.filter(tenant_id=tenant_id).select_related("acknowledged_by")
    if not include_acknowledged:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return [cost_alert_info(alert) for alert in alerts[:limit]]


def count_unacknowledged_alerts(tenant_id: str) -> int:
    return CostAlert.objects.filter(tenant_id=tenant_id, acknowledged_at__isnull=True).count()


def get_budget_usage_by_tenant(
    tenant_ids: Iterable[str], *, now: datetime | None = None
) -> dict[str, BudgetUsage]:
    """Budget usage for each of ``tenant_ids`` that has at least one limit (others are absent).

    Batched for a page of tenants: one query for the budgets and their zones, one for the holds,
    and one by-tenant spend read per distinct period window (tenants sharing a zone share their
    windows), however many tenants there are.
    """
    now = now or timezone.now()
    ids = list(dict.fromkeys(tenant_ids))
    budgets = [
        (budget, budget_settings_of(budget))
        for budget in MediaBudget.objects.filter(tenant_id__in=ids).select_related("tenant")
    ]
    budgets = [
        (b, s) for b, s in budgets if any(s.limit_micros(p) is not None for p in BudgetPeriod)
    ]
    if not budgets:
        return {}
    held = dict(
        BudgetHold.objects.filter(
            tenant_id__in=[budget.tenant_id for budget, _ in budgets],
            status=BudgetHold.Status.ACTIVE,
            expires_at__gt=now,
        )
        .values("tenant_id")
        .annotate(total=Sum("amount_micros"))
        .values_list("tenant_id", "total")
        .order_by()
    )
    spend_by_window: dict[tuple[date, date], dict[str, int]] = {}
    usage = {}
    for budget, settings in budgets:
        statuses = []
        for window in current_periods(tz=budget.tenant.tz, now=now):
            limit = settings.limit_micros(window.period)
            if limit is None:
                continue
            key = (window.start_date, window.end_date)
            if key not in spend_by_window:
                spend_by_window[key] = spend_by_tenant(*key)
            statuses.append(
                BudgetPeriodStatus(
                    window=window,
                    limit_micros=limit,
                    spent_micros=spend_by_window[key].get(budget.tenant_id, 0),
                    held_micros=held.get(budget.tenant_id) or 0,
                    soft_threshold_percent=settings.soft_threshold_percent,
                )
            )
        usage[budget.tenant_id] = BudgetUsage(tenant_id=budget.tenant_id, periods=statuses)
    return usage
