"""Reads of the cost core. Every number comes from the daily aggregates, except the lists of events
and the figures filtered by result (success or failure), which the aggregates do not split by cost:
those read the events of the range, at most ``SCAN_MAX_EVENTS`` of them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

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
from costs.tenants import tenant_time_zone, tenant_today


def _check_range(start_date: date, end_date: date) -> None:
    if end_date < start_date:
        raise InvalidInput(end_date=f"end_date {end_date} is before start_date {start_date}")


# What budgets count as spend is the store's aggregates plus the paid generations waiting in the
# outbox (``costs.outbox``), so an outage of the store never opens a hole in a budget. These three
# are the only places that add the two.


def get_tenant_spend(tenant_id: str, start_date: date, end_date: date) -> Decimal:
    """What ``tenant_id`` spent over its local dates ``start_date``..``end_date`` (inclusive):
    the store's aggregates plus the generations waiting in the outbox (what budgets count)."""
    _check_range(start_date, end_date)
    stored = get_repository().tenant_spend_micros(tenant_id, start_date, end_date)
    waiting = sum(micros for _, micros in _waiting_spend_by_day(tenant_id, start_date, end_date))
    return micros_to_decimal(stored + waiting)


def tenant_spend_by_day(tenant_id: str, start_date: date, end_date: date) -> list[tuple[date, int]]:
    """``(local date, cost_micros)`` pairs of the tenant's spend, the store's and the outbox's
    (a date may appear twice: callers sum them per window)."""
    stored = get_repository().tenant_daily_spend(tenant_id, start_date, end_date)
    return stored + _waiting_spend_by_day(tenant_id, start_date, end_date)


def spend_by_tenant(start_date: date, end_date: date) -> dict[str, int]:
    """Each tenant's spend in micro-dollars over local dates ``start_date``..``end_date``, the
    store's and the outbox's (tenants without either are absent)."""
    spend = {
        tenant_id: totals.cost_micros
        for tenant_id, totals in get_repository().usage_by_tenant(start_date, end_date).items()
    }
    for tenant_id, waiting in _waiting_spend_by_tenant(start_date, end_date).items():
        spend[tenant_id] = spend.get(tenant_id, 0) + waiting
    return spend


# --- the outbox: paid generations waiting to be recorded (costs.outbox) ------------------------


def pending_event_of(row: PendingCostEvent) -> MediaGenerationEvent:
    """The priced event an outbox row keeps (``costs.outbox`` writes it)."""
    values = dict(row.event)
    values["created_at"] = datetime.fromisoformat(values["created_at"])
    return MediaGenerationEvent(**values)


def _waiting_spend_by_day(
    tenant_id: str, start_date: date, end_date: date
) -> list[tuple[date, int]]:
    """The outbox's cost per local date of the tenant (dates with waiting events only): counted
    as spend until the drain records each event and deletes its row."""
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


def _waiting_spend_by_tenant(start_date: date, end_date: date) -> dict[str, int]:
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
class EventFilters:
    """What the CEO tab narrows every figure to: one organisation, one provider, a result."""

    tenant_id: str | None = None
    provider: str | None = None
    success: bool | None = None

    @property
    def any(self) -> bool:
        return self.tenant_id is not None or self.provider is not None or self.success is not None


# A local date D runs from D 00:00 at UTC+14 to D+1 00:00 at UTC-12, whatever a tenant's zone:
# the instants of a range of local dates lie inside these bounds.
EARLIEST_OFFSET = timedelta(hours=14)
LATEST_OFFSET = timedelta(hours=12)
# The most events one page may read to filter its figures by result; past it the page asks for a
# shorter range or one organisation instead of reading without bound.
SCAN_MAX_EVENTS = 100_000


def utc_bounds(window: DateRange) -> tuple[datetime, datetime]:
    """``[since, until)`` instants that contain every tenant's local dates of ``window``."""
    since = datetime.combine(window.start, time.min, tzinfo=UTC) - EARLIEST_OFFSET
    until = datetime.combine(window.end + timedelta(days=1), time.min, tzinfo=UTC) + LATEST_OFFSET
    return since, until


class _Zones:
    """Tenants' zones for one pass over events (an organisation deleted since: UTC)."""

    def __init__(self) -> None:
        self._zones: dict[str, ZoneInfo] = {}

    def __call__(self, tenant_id: str) -> ZoneInfo:
        zone = self._zones.get(tenant_id)
        if zone is None:
            try:
                zone = tenant_time_zone(tenant_id)
            except InvalidInput:
                zone = ZoneInfo("UTC")
            self._zones[tenant_id] = zone
        return zone


def iter_media_events(
    window: DateRange,
    filters: EventFilters | None = None,
    *,
    before: EventPosition | None = None,
    page_size: int = RECENT_LIMIT_MAX,
) -> Iterator[tuple[MediaGenerationEvent, datetime]]:
    """Every event of the local dates of ``window`` matching ``filters``, newest first, each with
    its time in the tenant's zone; ``before`` continues after a page's last event. The store is
    read a page at a time (``CostRepository.iter_events``): constant memory for any count."""
    filters = filters or EventFilters()
    since, until = utc_bounds(window)
    zone_of = _Zones()
    events = get_repository().iter_events(
        tenant_id=filters.tenant_id,
        provider=filters.provider,
        success=filters.success,
        since=since,
        before=before or (until, ""),
        page_size=page_size,
    )
    for event in events:
        local = event.created_at.astimezone(zone_of(event.tenant_id))
        if window.start <= local.date() <= window.end:
            yield event, local


@dataclass(frozen=True)
class EventRow:
    """An event as the events explorer lists it: when in the organisation's own zone."""

    event: MediaGenerationEvent
    local_time: datetime  # aware, in the organisation's zone
    tenant_name: str
    provider_label: str

    @property
    def zone(self) -> str:
        return self.local_time.tzname() or ""


@dataclass(frozen=True)
class EventsPage:
    rows: list[EventRow]
    next_before: EventPosition | None  # where the next page starts; None: this is the last


def get_events_page(
    window: DateRange,
    filters: EventFilters | None = None,
    *,
    before: EventPosition | None = None,
    limit: int = 50,
) -> EventsPage:
    """One page of ``iter_media_events`` (newest first) and the position of the next."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= RECENT_LIMIT_MAX:
        raise InvalidInput(limit=f"limit must be a whole number from 1 to {RECENT_LIMIT_MAX}")
    found = []
    # Pages of what one page needs: Firestore bills every event document read.
    for item in iter_media_events(window, filters, before=before, page_size=limit + 1):
        found.append(item)
        if len(found) > limit:
            break
    more = len(found) > limit
    found = found[:limit]
    names = organisation_names({event.tenant_id for event, _ in found})
    rows = [
        EventRow(
            event,
            local,
            names.get(event.tenant_id, event.tenant_id),
            PROVIDER_LABELS.get(event.provider, event.provider),
        )
        for event, local in found
    ]
    last = found[-1][0] if more else None
    return EventsPage(rows, (last.created_at, last.id) if last else None)


def _only_provider(day: DailyUsage, provider: str) -> DailyUsage | None:
    totals = day.by_provider.get(provider)
    if totals is None:
        return None
    # The aggregates do not split a provider's cells by type: a provider's day has no by-type.
    return DailyUsage(day.date, totals, {provider: totals}, {})


def _scan_usage(
    window: DateRange, filters: EventFilters
) -> tuple[list[DailyUsage], dict[str, UsageTotals]]:
    """Daily usage and per-tenant totals summed from the events (the result filter)."""
    totals: dict[date, dict[str, UsageTotals]] = {}
    by_tenant: dict[str, UsageTotals] = {}
    for seen, (event, local) in enumerate(iter_media_events(window, filters), start=1):
        if seen > SCAN_MAX_EVENTS:
            raise InvalidInput(
                success=(
                    f"more than {SCAN_MAX_EVENTS:,} generations in this range: filtering by "
                    "result reads each one. Choose a shorter range or one organisation"
                )
            )
        value = UsageTotals.of_event(event)
        day = totals.setdefault(local.date(), {})
        day[event.provider] = day.get(event.provider, UsageTotals()) + value
        by_tenant[event.tenant_id] = by_tenant.get(event.tenant_id, UsageTotals()) + value
    days = []
    for day in sorted(totals):
        providers = totals[day]
        sum_ = UsageTotals()
        for value in providers.values():
            sum_ = sum_ + value
        days.append(DailyUsage(day, sum_, providers, {}))
    return days, by_tenant


def filtered_period_usage(
    start: date, end: date, filters: EventFilters | None = None
) -> tuple[list[DailyUsage], dict[str, UsageTotals]]:
    """``global_period_usage`` narrowed by ``filters``: from the aggregates for an organisation
    and a provider (a provider across tenants reads each tenant with usage once), from the events
    for a result."""
    repository = get_repository()
    filters = filters or EventFilters()
    if filters.success is not None:
        return _scan_usage(DateRange(start, end), filters)
    if filters.tenant_id is not None:
        days = repository.tenant_daily_usage(filters.tenant_id, start, end)
        if filters.provider is not None:
            days = [d for d in (_only_provider(day, filters.provider) for day in days) if d]
        total = UsageTotals()
        for day in days:
            total = total + day.totals
        return days, ({filters.tenant_id: total} if total.count else {})
    if filters.provider is not None:
        days = repository.global_daily_usage(start, end)
        days = [d for d in (_only_provider(day, filters.provider) for day in days) if d]
        by_tenant = {}
        for tenant_id in repository.usage_by_tenant(start, end):
            usage = repository.tenant_usage(tenant_id, start, end).by_provider
            if filters.provider in usage and usage[filters.provider].count:
                by_tenant[tenant_id] = usage[filters.provider]
        return days, by_tenant
    return repository.global_period_usage(start, end)


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
    filters: EventFilters = EventFilters()
    # False when the previous period lies before the first recorded generation ("all", or a range
    # starting at the first day): there is nothing to compare with.
    comparable: bool = True

    @property
    def providers_used(self) -> list[str]:
        return [row.provider for row in self.by_provider if row.totals.count]


def get_global_media_costs(
    period: str | DateRange, *, filters: EventFilters | None = None
) -> GlobalCostData:
    """Platform-wide costs over ``period`` (``7d``, ``30d``, ``90d``, ``all`` or a ``DateRange``
    of local dates) and the previous period of the same length, every figure narrowed by
    ``filters`` (see ``filtered_period_usage`` for what each filter reads)."""
    repository = get_repository()
    filters = filters or EventFilters()
    first = repository.first_usage_date() if period == "all" else None
    if isinstance(period, DateRange):
        window = period
    else:
        window = resolve_period(period, today=platform_today(), first_date=first)
    previous = window.previous()
    stored, tenant_totals = filtered_period_usage(window.start, window.end, filters)
    # Unfiltered, the previous period is read first: usage in it answers "comparable" without
    # looking for the first usage date, and in a read scope that look then finds only documents
    # the scope has not read (costs/README.md, read arithmetic).
    previous_totals = None if filters.any else _previous_totals(previous, filters)
    if previous_totals is not None and previous_totals.count:
        comparable = True
    else:
        first = first or repository.first_usage_date()
        comparable = first is not None and first <= previous.end
    if not comparable:
        previous_totals = UsageTotals()
    elif previous_totals is None:
        previous_totals = _previous_totals(previous, filters)
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
        previous_totals=previous_totals,
        by_provider=by_provider,
        by_tenant=by_tenant,
        daily=daily,
        filters=filters,
        comparable=comparable,
    )


def _previous_totals(window: DateRange, filters: EventFilters) -> UsageTotals:
    if not filters.any:
        return get_repository().global_usage(window.start, window.end).totals
    total = UsageTotals()
    for day in filtered_period_usage(window.start, window.end, filters)[0]:
        total = total + day.totals
    return total
