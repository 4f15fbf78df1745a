"""Reads of the cost core. Every number comes from the daily aggregates (never by scanning events),
except the lists of recent events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from bakedbot.errors import InvalidInput
from bakedbot.selectors import organisation_names
from costs.domain import DailyUsage, MediaGenerationEvent, MediaUsageStats, UsageTotals
from costs.models import PendingCostEvent
from costs.money import micros_to_decimal, to_decimal
from costs.pricing import IMAGE, IMAGE_EDIT, PROVIDER_LABELS, PROVIDERS, VIDEO
from costs.ranges import DateRange, resolve_period
from costs.repository import RECENT_LIMIT_MAX, EventPosition
from costs.stores import get_repository
from costs.tenants import tenant_today


def _check_range(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise InvalidInput(end_date=f"end_date {end_date} is before start_date {start_date}")


def get_tenant_spend(tenant_id: str, start_date: date, end_date: date) -> Decimal:
    """What ``tenant_id`` spent over its local dates ``start_date``..``end_date`` (inclusive):
    the store's aggregates plus the generations waiting in the outbox (what budgets count)."""
    _check_range(start_date, end_date)
    stored = get_repository().tenant_spend_micros(tenant_id, start_date, end_date)
    waiting = sum(micros for _, micros in waiting_spend_by_day(tenant_id, start_date, end_date))
    return micros_to_decimal(stored + waiting)


# --- the outbox: paid generations waiting to be recorded (costs.outbox) ------------------------


def pending_event_of(row: PendingCostEvent) -> MediaGenerationEvent:
    """The priced event an outbox row keeps (``costs.outbox`` writes it)."""
    values = dict(row.event)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    return MediaGenerationEvent(**values)


def waiting_spend_by_day(
    tenant_id: str, start_date: date, end_date: date
) -> list[tuple[date, int]]:
    """The outbox's cost per local date of the tenant (dates with waiting events only).

    Counted as spend beside the store's aggregates until the drain records each event and
    deletes its row, so an outage of the store never opens a hole in a budget."""
    rows = (
        PendingCostEvent.objects.filter(
            tenant_id=tenant_id, local_date__gte=start_date, local_date__lte=end_date
        )
        .values("local_date")
        .annotate(total=Sum("cost_micros"))
        .values_list("local_date", "total")
        .order_by()
    )
    return [(day, int(total or 0)) for day, total in rows]


def waiting_spend_by_tenant(start_date: date, end_date: date) -> dict[str, int]:
    """The outbox's cost per tenant over local dates ``start_date``..``end_date``."""
    rows = (
        PendingCostEvent.objects.filter(local_date__gte=start_date, local_date__lte=end_date)
        .values("tenant_id")
        .annotate(total=Sum("cost_micros"))
        .values_list("tenant_id", "total")
        .order_by()
    )
    return {tenant_id: int(total or 0) for tenant_id, total in rows}


def count_waiting_generations(tenant_id: str | None = None) -> int:
    """How many generations wait in the outbox to be recorded (one tenant's, or all)."""
    waiting = PendingCostEvent.objects.all()
    if tenant_id is not None:
        waiting = waiting.filter(tenant_id=tenant_id)
    return waiting.count()


def get_media_usage(tenant_id: str, start_date: date, end_date: date) -> MediaUsageStats:
    """A tenant's usage over its local dates ``start_date``..``end_date`` (inclusive)."""
    _check_range(start_date, end_date)
    merged, daily_loader = get_repository().tenant_period_usage(tenant_id, start_date, end_date)
    totals = merged.totals
    return MediaUsageStats(
        tenant_id=tenant_id,
        start_date=start_date,
        end_date=end_date,
        total_cost=totals.cost,
        total_cost_micros=totals.cost_micros,
        total_generations=totals.count,
        successes=totals.successes,
        failures=totals.failures,
        success_rate=totals.success_rate,
        cache_hits=totals.cache_hits,
        cache_savings=totals.saved,
        image_count=sum(
            merged.by_type[t].count for t in (IMAGE, IMAGE_EDIT) if t in merged.by_type
        ),
        video_count=merged.by_type[VIDEO].count if VIDEO in merged.by_type else 0,
        by_provider=merged.by_provider,
        by_type=merged.by_type,
        daily_loader=daily_loader,
    )


def get_media_usage_by_day(tenant_id: str, start_date: date, end_date: date) -> list[DailyUsage]:
    """The tenant's local dates in the range that have usage, oldest first, each split by
    provider and by type (for charts)."""
    _check_range(start_date, end_date)
    return get_repository().tenant_daily_usage(tenant_id, start_date, end_date)


def tenant_period(tenant_id: str, period: str | DateRange) -> DateRange:
    """``period`` (``day``, ``week``, ``month``, ``7d``, ``30d``, ``90d``, ``all``) as the tenant's
    local dates ending today; a ``DateRange`` is returned as it is."""
    if isinstance(period, DateRange):
        return period
    first = get_repository().first_usage_date() if period == "all" else None
    return resolve_period(period, today=tenant_today(tenant_id), first_date=first)


def get_media_costs_by_provider(tenant_id: str, period: str | DateRange) -> dict[str, Decimal]:
    """Cost per provider over ``period`` (providers without usage are absent)."""
    window = tenant_period(tenant_id, period)
    usage = get_repository().tenant_usage(tenant_id, window.start, window.end)
    return {provider: totals.cost for provider, totals in sorted(usage.by_provider.items())}


def get_media_generation_event(event_id: str) -> MediaGenerationEvent | None:
    """The recorded event with this id, or None: how a caller reads back what it recorded.

    An event waiting in the outbox is found there (as it will be recorded), so a job finished
    during a store outage still answers with its event."""
    if not event_id:
        return None
    row = PendingCostEvent.objects.filter(pk=event_id).first()
    if row is not None:
        return pending_event_of(row)
    return get_repository().get_event(event_id)


def get_recent_media_events(
    tenant_id: str, limit: int = 50, *, before: EventPosition | None = None
) -> list[MediaGenerationEvent]:
    """The tenant's newest events first (at most ``RECENT_LIMIT_MAX``), ordered by
    ``(created_at, id)`` descending. ``before`` (the ``(created_at, id)`` of the last event of the
    previous page) continues the list after it: pages never skip or repeat an event."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= RECENT_LIMIT_MAX:
        raise InvalidInput(limit=f"limit must be a whole number from 1 to {RECENT_LIMIT_MAX}")
    return get_repository().recent_events(tenant_id=tenant_id, limit=limit, before=before)


@dataclass(frozen=True)
class CostLimitCheck:
    """``check_cost_limit``: whether the month's spend reached the limit, and the spend."""

    exceeded: bool
    current_cost_usd: Decimal


def check_cost_limit(tenant_id: str, limit_usd: Decimal | int | str) -> CostLimitCheck:
    """Has the tenant's spend this local calendar month reached ``limit_usd``? Reaching the
    limit counts as exceeded (no more spend fits under it)."""
    limit = to_decimal(limit_usd)
    if limit < 0:
        raise InvalidInput(limit_usd="limit_usd must not be negative")
    window = tenant_period(tenant_id, "month")
    current = get_tenant_spend(tenant_id, window.start, window.end)
    return CostLimitCheck(exceeded=current >= limit, current_cost_usd=current)


# -- the whole platform --------------------------------------------------------------------------


def get_first_usage_date() -> date | None:
    """The earliest local date with recorded usage (the start of "all time"), or None."""
    return get_repository().first_usage_date()


def platform_today() -> date:
    """The platform's date (``settings.TIME_ZONE``): global periods end on it."""
    return timezone.localdate()


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


@dataclass(frozen=True)
class ProviderCost:
    provider: str
    label: str
    totals: UsageTotals
    share: Decimal  # of the period's cost, 0..1


@dataclass(frozen=True)
class TenantCost:
    tenant_id: str
    name: str
    totals: UsageTotals
    share: Decimal  # of the period's cost, 0..1


@dataclass(frozen=True)
class DailyCost:
    date: date
    totals: UsageTotals
    by_provider: dict[str, UsageTotals]


@dataclass(frozen=True)
class GlobalCostData:
    """``get_global_media_costs``: the whole platform over a period, from the aggregates."""

    period: DateRange
    previous_period: DateRange
    totals: UsageTotals
    previous_totals: UsageTotals
    by_provider: list[ProviderCost]  # the known providers always, in price-book order
    by_tenant: list[TenantCost]  # every tenant with usage, highest cost first
    daily: list[DailyCost]  # every date of the period; days without usage are zeros

    @property
    def providers_used(self) -> list[str]:
        return [row.provider for row in self.by_provider if row.totals.count]


def get_global_media_costs(period: str | DateRange) -> GlobalCostData:
    """Platform-wide costs over ``period`` (``7d``, ``30d``, ``90d``, ``all`` or a ``DateRange``
    of local dates) and the previous period of the same length."""
    repository = get_repository()
    if isinstance(period, DateRange):
        window = period
    else:
        first = repository.first_usage_date() if period == "all" else None
        window = resolve_period(period, today=platform_today(), first_date=first)
    previous = window.previous()
    stored, tenant_totals = repository.global_period_usage(window.start, window.end)
    stored_days = {day.date: day for day in stored}
    daily = [
        DailyCost(day, stored_days[day].totals, stored_days[day].by_provider)
        if day in stored_days
        else DailyCost(day, UsageTotals(), {})
        for day in window.dates()
    ]
    totals = UsageTotals()
    provider_totals: dict[str, UsageTotals] = {}
    for day in stored_days.values():
        totals = totals + day.totals
        for provider, value in day.by_provider.items():
            provider_totals[provider] = provider_totals.get(provider, UsageTotals()) + value
    providers = [*PROVIDERS, *sorted(set(provider_totals) - set(PROVIDERS))]
    by_provider = [
        ProviderCost(
            provider,
            PROVIDER_LABELS.get(provider, provider),
            provider_totals.get(provider, UsageTotals()),
            _share(provider_totals.get(provider, UsageTotals()).cost_micros, totals.cost_micros),
        )
        for provider in providers
    ]
    names = organisation_names(tenant_totals)
    by_tenant = sorted(
        (
            TenantCost(
                tenant_id,
                names.get(tenant_id, tenant_id),
                value,
                _share(value.cost_micros, totals.cost_micros),
            )
            for tenant_id, value in tenant_totals.items()
        ),
        key=lambda row: (-row.totals.cost_micros, row.name.lower(), row.tenant_id),
    )
    return GlobalCostData(
        period=window,
        previous_period=previous,
        totals=totals,
        previous_totals=repository.global_usage(previous.start, previous.end).totals,
        by_provider=by_provider,
        by_tenant=by_tenant,
        daily=daily,
    )
