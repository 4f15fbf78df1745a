"""The cost store's interface: what every backend (``costs.repository_sql``,
``costs.repository_firestore``, the dict-backed fake in ``tests/``) implements.

Callers get a backend from ``costs.stores.get_repository()`` and see only this interface and the
dataclasses in ``costs.domain``; they never learn which store is underneath. Dates are tenant-local
dates (inclusive ranges); the global methods sum tenants' local dates, so a global total always
equals the sum of the tenant totals.

A store that does not answer within its deadline (``COSTS_STORE_TIMEOUT_SECONDS``) raises
``CostStoreUnavailable`` from every public method, whichever backend: each backend names its own
outage errors in ``unavailable_errors`` and the interface translates them, so callers catch one
exception and never a driver's.
"""

from __future__ import annotations

import functools
import inspect
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bakedbot.errors import Unavailable
from costs.domain import (
    DailyUsage,
    MediaGenerationEvent,
    RecomputeReport,
    UsageBreakdown,
    UsageTotals,
)

RECENT_LIMIT_MAX = 500


@dataclass(frozen=True)
class Reprice:
    """One event's new price: ``reprice_events`` input (the event as stored, what it costs now)."""

    event: MediaGenerationEvent
    cost_micros: int
    price_version: str

    @property
    def delta_micros(self) -> int:
        return self.cost_micros - (self.event.cost_micros or 0)


# A place in the newest-first list of events: ``(created_at, id)`` of the last event a page showed.
EventPosition = tuple[datetime, str]


# What a client is told to wait before retrying after an outage (the API's ``Retry-After``).
RETRY_AFTER_SECONDS = 15


class CostStoreUnavailable(Unavailable):
    """The cost store did not answer within its deadline: Firestore unavailable or past its
    deadline, the SQL database unreachable or locked for longer than the deadline. The call that
    raised it wrote nothing (a store write is atomic); the same call may succeed later.

    ``retryable``: a generation job that meets it tries again later, like a provider's 503."""

    retryable = True

    def __init__(
        self,
        message: str = "Costs are temporarily unavailable: the cost store did not answer in time.",
        *,
        retry_after: int = RETRY_AFTER_SECONDS,
    ) -> None:
        super().__init__(message, retry_after=retry_after)


def _caused_by(exc: BaseException, errors: tuple[type[BaseException], ...]) -> bool:
    """``exc`` is one of ``errors``, or was raised while handling one: a Firestore transaction
    that cannot begin fails its own rollback with a ``ValueError``, the outage as its context."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, errors):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _translating(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: CostRepository, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._unavailable_until:
            raise CostStoreUnavailable()
        try:
            return method(self, *args, **kwargs)
        except CostStoreUnavailable:
            raise
        except Exception as exc:
            if self.unavailable_errors and _caused_by(exc, self.unavailable_errors):
                self._unavailable_until = time.monotonic() + self.unavailable_cooldown
                raise CostStoreUnavailable() from exc
            raise

    return call


class CostRepository(ABC):
    """Generation events and their aggregates."""

    # The backend's own errors that mean "the store did not answer" (an outage, a deadline, a
    # lock held too long): every public method of a backend raises ``CostStoreUnavailable``
    # instead (``__init_subclass__`` wraps them, so a method added later is covered too; not
    # ``close``, which releases the client whatever the store's state).
    unavailable_errors: tuple[type[BaseException], ...] = ()
    # Once a call found the store unavailable, calls fail at once for this many seconds rather
    # than each waiting out its own deadline: a page reading the store three times, and every
    # request of a busy process during an outage, answer within one deadline. The first call
    # after it tries the store again.
    unavailable_cooldown = 5.0
    _unavailable_until = 0.0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and name != "close" and inspect.isfunction(member):
                setattr(cls, name, _translating(member))

    @abstractmethod
    def record(self, event: MediaGenerationEvent, local_date: date) -> bool:
        """Store ``event`` (priced, ``cost_micros`` set) and add it to the aggregates of
        ``local_date``, as one atomic unit. Returns False, changing nothing, when an event with the
        same id is already stored."""

    def record_many(self, items: Iterable[tuple[MediaGenerationEvent, date]]) -> int:
        """Record many events; returns how many were new. Backends may do it in bulk."""
        return sum(1 for event, local_date in items if self.record(event, local_date))

    @abstractmethod
    def get_event(self, event_id: str) -> MediaGenerationEvent | None: ...

    @abstractmethod
    def recent_events(
        self,
        *,
        tenant_id: str | None = None,
        provider: str | None = None,
        success: bool | None = None,
        limit: int = 50,
        before: EventPosition | None = None,
    ) -> list[MediaGenerationEvent]:
        """Newest first, ordered by ``(created_at, id)`` descending; every filter is optional (no
        tenant: across all tenants). ``before``: only events after that position in this order,
        so pages follow each other without gaps or repeats, even among equal timestamps."""

    def iter_events(
        self,
        *,
        tenant_id: str | None = None,
        provider: str | None = None,
        success: bool | None = None,
        since: datetime | None = None,
        before: EventPosition | None = None,
        page_size: int = RECENT_LIMIT_MAX,
    ) -> Iterator[MediaGenerationEvent]:
        """Every event matching the filters, newest first, from ``before`` back to ``since``
        (inclusive): pages of ``recent_events`` read one after another, so a million events
        pass through in constant memory and every backend has it."""
        position = before
        while True:
            page = self.recent_events(
                tenant_id=tenant_id,
                provider=provider,
                success=success,
                limit=page_size,
                before=position,
            )
            for event in page:
                if since is not None and event.created_at < since:
                    return
                yield event
            if len(page) < page_size:
                return
            position = (page[-1].created_at, page[-1].id)

    @abstractmethod
    def tenant_daily_usage(self, tenant_id: str, start: date, end: date) -> list[DailyUsage]:
        """The tenant's days that have usage, oldest first."""

    def tenant_usage(self, tenant_id: str, start: date, end: date) -> UsageBreakdown:
        return merge_days(self.tenant_daily_usage(tenant_id, start, end))

    def tenant_period_usage(
        self, tenant_id: str, start: date, end: date
    ) -> tuple[UsageBreakdown, Callable[[], list[DailyUsage]]]:
        """``tenant_usage`` of the range and a loader of its ``tenant_daily_usage`` (read when
        called); a backend whose totals are sums of the daily documents reads them once."""
        return self.tenant_usage(tenant_id, start, end), lambda: self.tenant_daily_usage(
            tenant_id, start, end
        )

    def read_scope(self) -> AbstractContextManager[None]:
        """A block in which reading a document twice is not needed (one page's reads): a backend
        that pays per document read may remember what it read until the block ends."""
        return nullcontext()

    def tenant_spend_micros(self, tenant_id: str, start: date, end: date) -> int:
        return self.tenant_usage(tenant_id, start, end).totals.cost_micros

    def tenant_daily_spend(self, tenant_id: str, start: date, end: date) -> list[tuple[date, int]]:
        """``(local date, cost_micros)`` of the tenant's dates with usage: all a budget check
        needs, which a backend may read more cheaply than the days' full breakdown."""
        return [
            (day.date, day.totals.cost_micros)
            for day in self.tenant_daily_usage(tenant_id, start, end)
        ]

    @abstractmethod
    def global_daily_usage(self, start: date, end: date) -> list[DailyUsage]:
        """All tenants' totals per local date that has usage, oldest first."""

    def global_usage(self, start: date, end: date) -> UsageBreakdown:
        return merge_days(self.global_daily_usage(start, end))

    @abstractmethod
    def usage_by_tenant(self, start: date, end: date) -> dict[str, UsageTotals]:
        """Each tenant's totals over the range (tenants without usage are absent)."""

    def global_period_usage(
        self, start: date, end: date
    ) -> tuple[list[DailyUsage], dict[str, UsageTotals]]:
        """``global_daily_usage`` and ``usage_by_tenant`` of one range together (the CEO tab);
        a backend that keeps both in the same documents reads them once."""
        return self.global_daily_usage(start, end), self.usage_by_tenant(start, end)

    @abstractmethod
    def first_usage_date(self) -> date | None:
        """The earliest local date with usage, or None when nothing was ever recorded."""

    @abstractmethod
    def recompute_aggregates(self, *, tenant_id: str | None = None) -> RecomputeReport:
        """Rebuild aggregates from the events and report every one that had to change."""

    @abstractmethod
    def reprice_events(self, changes: Sequence[Reprice]) -> int:
        """Set each event's ``cost_micros`` and ``price_version`` and move its aggregates by the
        difference, each event together with its aggregates (``costs.reprice``): SQL, one
        transaction for all; Firestore, one batch per tenant and at most 100 events (a batch is
        atomic; batches are not atomic with each other). Returns how many events changed;
        an event that is not stored is skipped."""


def merge_days(days: Iterable[DailyUsage]) -> UsageBreakdown:
    by_provider: dict[str, UsageTotals] = {}
    by_type: dict[str, UsageTotals] = {}
    totals = UsageTotals()
    for day in days:
        totals = totals + day.totals
        for provider, value in day.by_provider.items():
            by_provider[provider] = by_provider.get(provider, UsageTotals()) + value
        for kind, value in day.by_type.items():
            by_type[kind] = by_type.get(kind, UsageTotals()) + value
    return UsageBreakdown(totals=totals, by_provider=by_provider, by_type=by_type)


def days_from_cells(rows: Iterable[tuple]) -> list[DailyUsage]:
    """``DailyUsage`` per date from ``(date, provider, type, *UsageTotals.FIELDS)`` rows.

    Sums plain integer lists and builds each ``UsageTotals`` once: dashboards fold hundreds of
    cells per request.
    """
    totals: dict[date, list[int]] = {}
    providers: dict[date, dict[str, list[int]]] = {}
    kinds: dict[date, dict[str, list[int]]] = {}
    for day, provider, kind, cost, count, successes, failures, saved, cache_hits in rows:
        values = (cost or 0, count or 0, successes or 0, failures or 0, saved or 0, cache_hits or 0)
        if day not in totals:
            totals[day] = [0] * 6
            providers[day] = {}
            kinds[day] = {}
        for target in (
            totals[day],
            providers[day].setdefault(provider, [0] * 6),
            kinds[day].setdefault(kind, [0] * 6),
        ):
            target[0] += values[0]
            target[1] += values[1]
            target[2] += values[2]
            target[3] += values[3]
            target[4] += values[4]
            target[5] += values[5]
    return [
        DailyUsage(
            date=day,
            totals=UsageTotals(*totals[day]),
            by_provider={p: UsageTotals(*v) for p, v in providers[day].items()},
            by_type={k: UsageTotals(*v) for k, v in kinds[day].items()},
        )
        for day in sorted(totals)
    ]
