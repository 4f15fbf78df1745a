"""Reads of the cost core. Every number comes from the daily aggregates (never by scanning events),
except the lists of recent events."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from bakedbot.models import Organisation
from costs.domain import DailyUsage, MediaGenerationEvent, MediaUsageStats, UsageTotals
from costs.money import micros_to_decimal, to_decimal
from costs.pricing import IMAGE, IMAGE_EDIT, PROVIDER_LABELS, PROVIDERS, VIDEO
from costs.ranges import DateRange, resolve_period
from costs.repository import RECENT_LIMIT_MAX, EventPosition, get_repository
from costs.tenants import tenant_today


def _check_range(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise ValueError(f"end_date {end_date} is before start_date {start_date}")


def get_tenant_spend(tenant_id: str, start_date: date, end_date: date) -> Decimal:
    """What ``tenant_id`` spent over its local dates ``start_date``..``end_date`` (inclusive)."""
    _check_range(start_date, end_date)
    return micros_to_decimal(get_repository().tenant_spend_micros(tenant_id, start_date, end_date))


def get_media_usage(tenant_id: str, start_date: date, end_date: date) -> MediaUsageStats:
    """A tenant's usage over its local dates ``start_date``..``end_date`` (inclusive)."""
    _check_range(start_date, end_date)
    repository = get_repository()
    merged = repository.tenant_usage(tenant_id, start_date, end_date)
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
        daily_loader=lambda: repository.tenant_daily_usage(tenant_id, start_date, end_date),
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
    """The recorded event with this id, or None: how a caller reads back what it recorded."""
    return get_repository().get_event(event_id) if event_id else None


def get_recent_media_events(
    tenant_id: str, limit: int = 50, *, before: EventPosition | None = None
) -> list[MediaGenerationEvent]:
    """The tenant's newest events first (at most ``RECENT_LIMIT_MAX``), ordered by
    ``(created_at, id)`` descending. ``before`` (the ``(created_at, id)`` of the last event of the
    previous page) continues the list after it: pages never skip or repeat an event."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= RECENT_LIMIT_MAX:
        raise ValueError(f"limit must be a whole number from 1 to {RECENT_LIMIT_MAX}")
    return get_repository().recent_events(tenant_id=tenant_id, limit=limit, before=before)


def check_cost_limit(tenant_id: str, limit_usd: Decimal | int | str) -> tuple[bool, Decimal]:
    """``(exceeded, current_cost_usd)`` for the tenant's current local calendar month; reaching
    the limit counts as exceeded (no more spend fits under it)."""
    limit = to_decimal(limit_usd)
    if limit < 0:
        raise ValueError("limit_usd must not be negative")
    window = tenant_period(tenant_id, "month")
    current = get_tenant_spend(tenant_id, window.start, window.end)
    return current >= limit, current


# -- the CEO costs tab ----------------------------------------------------------------------------

TENANT_SORTS = ("cost", "count", "success_rate", "name", "budget")
TENANTS_PER_PAGE = 25
RECENT_EVENTS_SHOWN = 50


def get_first_usage_date() -> date | None:
    """The earliest local date with recorded usage (the start of "all time"), or None."""
    return get_repository().first_usage_date()


def platform_today() -> date:
    """The platform's date (``settings.TIME_ZONE``): global periods end on it."""
    return timezone.localdate()


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


def _change(current: Decimal, previous: Decimal) -> Decimal | None:
    """Relative change against the previous period (None when there is nothing to compare)."""
    if previous == 0:
        return None
    return (current - previous) / previous


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
    budget: Any = None  # costs.budget_selectors.BudgetUsage when the tenant has a limit


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


@dataclass(frozen=True)
class MetricCard:
    key: str
    label: str
    kind: str  # "money", "count" or "percent"
    value: Decimal
    previous: Decimal
    change: Decimal | None  # relative to the previous period, None without a previous value
    has_previous: bool = True  # False: nothing was generated in the previous period


@dataclass(frozen=True)
class TenantPage:
    rows: list[TenantCost]
    sort: str
    descending: bool
    page: int
    pages: int
    per_page: int
    total: int


@dataclass(frozen=True)
class EventFilters:
    tenant_id: str | None = None
    provider: str | None = None
    success: bool | None = None


@dataclass(frozen=True)
class RecentEvent:
    event: MediaGenerationEvent
    tenant_name: str
    provider_label: str


@dataclass(frozen=True)
class DashboardData:
    """``get_media_costs_dashboard``: everything the CEO costs tab shows."""

    costs: GlobalCostData
    cards: list[MetricCard]
    tenants: TenantPage
    recent_events: list[RecentEvent]
    filters: EventFilters
    has_any_usage: bool


def _tenant_names(tenant_ids) -> dict[str, str]:
    return dict(Organisation.objects.filter(pk__in=list(tenant_ids)).values_list("pk", "name"))


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
    names = _tenant_names(tenant_totals)
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


def _cards(current: UsageTotals, previous: UsageTotals) -> list[MetricCard]:
    values = [
        ("cost", "Total cost", "money", current.cost, previous.cost),
        ("generations", "Generations", "count", Decimal(current.count), Decimal(previous.count)),
        ("success_rate", "Success rate", "percent", current.success_rate, previous.success_rate),
        ("average", "Average cost", "money", current.average_cost, previous.average_cost),
        ("savings", "Cache savings", "money", current.saved, previous.saved),
    ]
    return [
        MetricCard(key, label, kind, value, before, _change(value, before), previous.count > 0)
        for key, label, kind, value, before in values
    ]


def _tenant_sort_key(sort: str):
    if sort == "name":
        return lambda row: (row.name.lower(), row.tenant_id)
    if sort == "count":
        return lambda row: (row.totals.count, row.totals.cost_micros, row.tenant_id)
    if sort == "success_rate":
        return lambda row: (row.totals.success_rate, row.totals.count, row.tenant_id)
    if sort == "budget":
        return lambda row: (
            row.budget.percent if row.budget else Decimal(-1),
            row.totals.cost_micros,
            row.tenant_id,
        )
    return lambda row: (row.totals.cost_micros, row.totals.count, row.tenant_id)


def get_media_costs_dashboard(
    period: str | DateRange,
    *,
    sort: str = "cost",
    descending: bool = True,
    page: int = 1,
    per_page: int = TENANTS_PER_PAGE,
    filters: EventFilters | None = None,
) -> DashboardData:
    """The CEO costs tab: summary cards against the previous period, providers, one page of
    tenants (sorted; budget usage where a budget exists), the daily series and recent events."""
    # Budgets read this module's spend selectors, so they are imported when needed, not at load.
    from costs.budget_selectors import get_budget_usage_by_tenant

    if sort not in TENANT_SORTS:
        raise ValueError(f"sort must be one of {', '.join(TENANT_SORTS)}; got {sort!r}")
    if page < 1:
        raise ValueError("page must be 1 or more")
    filters = filters or EventFilters()
    repository = get_repository()
    costs = get_global_media_costs(period)
    rows = costs.by_tenant
    if sort == "budget":
        budgets = get_budget_usage_by_tenant([row.tenant_id for row in rows])
        rows = [dataclasses.replace(row, budget=budgets.get(row.tenant_id)) for row in rows]
    rows = sorted(rows, key=_tenant_sort_key(sort), reverse=descending)
    pages = max(1, -(-len(rows) // per_page))
    page = min(page, pages)
    page_rows = rows[(page - 1) * per_page : page * per_page]
    if sort != "budget":
        budgets = get_budget_usage_by_tenant([row.tenant_id for row in page_rows])
        page_rows = [
            dataclasses.replace(row, budget=budgets.get(row.tenant_id)) for row in page_rows
        ]
    events = repository.recent_events(
        tenant_id=filters.tenant_id,
        provider=filters.provider,
        success=filters.success,
        limit=RECENT_EVENTS_SHOWN,
    )
    names = _tenant_names({event.tenant_id for event in events})
    return DashboardData(
        costs=costs,
        cards=_cards(costs.totals, costs.previous_totals),
        tenants=TenantPage(page_rows, sort, descending, page, pages, per_page, len(rows)),
        recent_events=[
            RecentEvent(
                event,
                names.get(event.tenant_id, event.tenant_id),
                PROVIDER_LABELS.get(event.provider, event.provider),
            )
            for event in events
        ],
        filters=filters,
        has_any_usage=costs.totals.count > 0 or repository.first_usage_date() is not None,
    )
