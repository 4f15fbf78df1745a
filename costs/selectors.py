"""Reads of the cost core. Every number comes from the daily aggregates (never by scanning events),
except the lists of recent events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from costs.domain import DailyUsage, MediaGenerationEvent, MediaUsageStats
from costs.money import micros_to_decimal, to_decimal
from costs.pricing import IMAGE, IMAGE_EDIT, VIDEO
from costs.ranges import DateRange, resolve_period
from costs.repository import RECENT_LIMIT_MAX, get_repository
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


def get_recent_media_events(tenant_id: str, limit: int = 50) -> list[MediaGenerationEvent]:
    """The tenant's newest events first (at most ``RECENT_LIMIT_MAX``)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= RECENT_LIMIT_MAX:
        raise ValueError(f"limit must be a whole number from 1 to {RECENT_LIMIT_MAX}")
    return get_repository().recent_events(tenant_id=tenant_id, limit=limit)


def check_cost_limit(tenant_id: str, limit_usd: Decimal | int | str) -> tuple[bool, Decimal]:
    """``(exceeded, current_cost_usd)`` for the tenant's current local calendar month; reaching
    the limit counts as exceeded (no more spend fits under it)."""
    limit = to_decimal(limit_usd)
    if limit < 0:
        raise ValueError("limit_usd must not be negative")
    window = tenant_period(tenant_id, "month")
    current = get_tenant_spend(tenant_id, window.start, window.end)
    return current >= limit, current
