"""The Firestore cost store's document layout as pure functions: which document an event's
increments go to, and when a date's shards close. No client here, so the backend
(``costs.repository_firestore``) and the layout simulation (``tests/bench/firestore_layout.py``)
run the same code. ``costs/README.md`` has the arithmetic.

Each rollup (one per tenant, and the global one) has a *day document* per local date and, while
the date is still open somewhere on Earth, up to ``shards`` *shard documents* for that date:

- ``tenants/{tenant}/media_usage/{date}`` and ``tenants/{tenant}/media_usage_shards/{date}_{k}``;
- ``media_usage_global_days/{date}`` and ``media_usage_global_shards/{date}_{k}``.

The day documents are where the original, unsharded layout kept everything, so documents written
before tenant sharding are read as they are (a date's total is its day document plus its shards).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

EVENTS = "media_generation_events"
TENANTS = "tenants"
TENANT_USAGE = "media_usage"
TENANT_SHARDS = "media_usage_shards"
GLOBAL_SHARDS = "media_usage_global_shards"
GLOBAL_DAYS = "media_usage_global_days"

# One tenant at 50 generations/s puts 50 / 64 = 0.78 writes/s on each of its shards. The global
# rollup takes the whole platform's rate: 50 / 55 = 0.91 writes/s at 50 generations/s, and 55 is
# the most that keeps the 90-day CEO page within 400 document reads (costs/README.md).
DEFAULT_TENANT_SHARDS = 64
DEFAULT_GLOBAL_SHARDS = 55

# A local date D has ended in every zone (the last is UTC-12) at D+1 12:00 UTC. An hour later its
# increments go straight to the day document; two hours later its shards may be drained.
ROUTE_TO_DAY_GRACE = timedelta(hours=1)
DRAIN_GRACE = timedelta(hours=2)


def date_closes_at(day: date) -> datetime:
    """When ``day`` has ended in every zone (UTC-12 is the last)."""
    return datetime.combine(day + timedelta(days=1), time(12), tzinfo=UTC)


def routes_to_day(day: date, now: datetime) -> bool:
    """Increments for ``day`` go to its day document (the date closed everywhere an hour ago)."""
    return now >= date_closes_at(day) + ROUTE_TO_DAY_GRACE


def is_drainable(day: date, now: datetime) -> bool:
    """``day``'s shards may be folded into its day document (nothing routes to them any more)."""
    return now >= date_closes_at(day) + DRAIN_GRACE


@dataclass(frozen=True)
class Rollup:
    """Where one rollup's documents live: the tenant's own (``tenant_id`` set) or the global one."""

    tenant_id: str | None
    days: str  # collection path of the day documents
    shards: str  # collection path of the shard documents
    shard_count: int

    @property
    def fields(self) -> dict[str, Any]:
        """Fields every document of the rollup carries besides ``date`` and the counters."""
        return {} if self.tenant_id is None else {"tenant_id": self.tenant_id}

    def day_path(self, day: date) -> str:
        return f"{self.days}/{day.isoformat()}"

    def shard_path(self, day: date, shard: int) -> str:
        return f"{self.shards}/{day.isoformat()}_{shard:03d}"


class ShardCycle:
    """Which shard a rollup's next increment goes to: round robin per rollup from a random start.

    One process's consecutive increments of a rollup land on different shards, so any n of them
    put at most ceil(n / shards) writes on one document (a hash of the event id would put
    several on one document by chance: 50 ids over 64 shards collide almost surely). Processes
    start at random places and their positions drift apart, so several processes share the
    shards evenly over time. The choice never affects what is counted: reads sum every shard.
    """

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or random.Random()
        self._next: dict[str | None, int] = {}
        self._lock = threading.Lock()

    def next(self, rollup: Rollup) -> int:
        with self._lock:
            position = self._next.get(rollup.tenant_id)
            if position is None:
                position = self._rng.randrange(rollup.shard_count)
            self._next[rollup.tenant_id] = position + 1
        return position % rollup.shard_count


@dataclass(frozen=True)
class Layout:
    """Shard counts (settings ``FIRESTORE_TENANT_SHARDS``, ``FIRESTORE_GLOBAL_SHARDS``) and the
    paths that follow from them. Changing a count is safe at any time: reads find a date's shards
    by a query on its date, whatever their number."""

    tenant_shards: int = DEFAULT_TENANT_SHARDS
    global_shards: int = DEFAULT_GLOBAL_SHARDS

    def __post_init__(self) -> None:
        if self.tenant_shards < 1 or self.global_shards < 1:
            raise ValueError("shard counts must be at least 1")

    def tenant(self, tenant_id: str) -> Rollup:
        base = f"{TENANTS}/{tenant_id}"
        return Rollup(
            tenant_id, f"{base}/{TENANT_USAGE}", f"{base}/{TENANT_SHARDS}", self.tenant_shards
        )

    @property
    def platform(self) -> Rollup:
        return Rollup(None, GLOBAL_DAYS, GLOBAL_SHARDS, self.global_shards)

    def target(
        self, rollup: Rollup, day: date, *, now: datetime, cycle: ShardCycle
    ) -> tuple[str, dict[str, Any]]:
        """The document one event's increment of ``rollup`` goes to, and its fixed fields."""
        fields = {**rollup.fields, "date": day.isoformat()}
        if routes_to_day(day, now):
            return rollup.day_path(day), fields
        shard = cycle.next(rollup)
        return rollup.shard_path(day, shard), {**fields, "shard": shard}

    def event_targets(
        self, tenant_id: str, day: date, *, now: datetime, cycle: ShardCycle
    ) -> list[tuple[str, dict[str, Any], bool]]:
        """The aggregate documents one event increments: ``(path, fixed fields, with tenant
        counters)`` for the tenant's rollup, then the global one."""
        tenant_path, tenant_fields = self.target(self.tenant(tenant_id), day, now=now, cycle=cycle)
        global_path, global_fields = self.target(self.platform, day, now=now, cycle=cycle)
        return [(tenant_path, tenant_fields, False), (global_path, global_fields, True)]


@dataclass
class DocumentTally:
    """Documents a repository read and wrote, by path: Firestore bills and rate-limits per
    document, so tests and benchmarks hold the arithmetic of costs/README.md with these counts.
    Off unless a repository is given one."""

    reads: dict[str, int] = field(default_factory=dict)
    writes: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def read(self, path: str) -> None:
        with self._lock:
            self.reads[path] = self.reads.get(path, 0) + 1

    def wrote(self, paths: list[str]) -> None:
        with self._lock:
            for path in paths:
                self.writes[path] = self.writes.get(path, 0) + 1

    def clear(self) -> None:
        with self._lock:
            self.reads.clear()
            self.writes.clear()

    @property
    def documents_read(self) -> int:
        return sum(self.reads.values())
