"""The cost store on Firestore (``COSTS_STORE=firestore``); see ``costs/README.md`` for the layout
and the arithmetic behind it, and ``costs.firestore_layout`` for the paths.

- ``media_generation_events/{event id}``: one document per event.
- ``tenants/{tenant id}/media_usage_shards/{local date}_{k}`` and
  ``media_usage_global_shards/{local date}_{k}``: while a date is open somewhere on Earth, the
  tenant's and the platform's increments for it are spread round robin over shard documents
  (``FIRESTORE_TENANT_SHARDS``, ``FIRESTORE_GLOBAL_SHARDS``), so none takes more than about one
  write a second.
- ``tenants/{tenant id}/media_usage/{local date}`` and ``media_usage_global_days/{local date}``: a
  date's totals once its shards are drained into them (and any increment arriving after the date
  closed everywhere). Tenant documents written before tenant sharding are these day documents.

Recording is one batched write, atomic in Firestore: *create* the event document (fails with
ALREADY_EXISTS if the id was recorded before, and then nothing is written) plus merge-increments of
one tenant document and one global document. No read, so no transaction contention.

Counters are flat top-level fields (``total__count``, ``provider__veo__cost_micros``,
``tenant__org_5fgreenleaf__count``): increments on nested map fields and dotted field paths are not
supported by the test emulator, and flat names need no quoting.
"""

from __future__ import annotations

import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from google.api_core import exceptions as google_exceptions
from google.api_core import gapic_v1
from google.api_core import retry as retries
from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from costs.domain import (
    DailyUsage,
    MediaGenerationEvent,
    RecomputeReport,
    UsageBreakdown,
    UsageTotals,
)
from costs.firestore_layout import (
    EVENTS,
    GLOBAL_DAYS,
    GLOBAL_SHARDS,
    TENANT_SHARDS,
    TENANT_USAGE,
    TENANTS,
    DocumentTally,
    Layout,
    Rollup,
    ShardCycle,
    date_closes_at,
    is_drainable,
)
from costs.repository import (
    RECENT_LIMIT_MAX,
    CostRepository,
    EventPosition,
    Reprice,
    merge_days,
)

__all__ = [
    "EVENTS",
    "GLOBAL_DAYS",
    "GLOBAL_SHARDS",
    "TENANTS",
    "TENANT_SHARDS",
    "TENANT_USAGE",
    "DocumentTally",
    "FirestoreCostRepository",
    "Layout",
    "date_closes_at",
    "decode_key",
    "emulator_client",
    "encode_key",
]
# A read scope remembers at most this many dates per rollup; longer ranges are read directly.
SCOPE_MAX_DAYS = 800

TOTAL = "total"
PROVIDER = "provider"
TYPE = "type"
TENANT = "tenant"
_SAFE = re.compile(r"[A-Za-z0-9]")


def encode_key(value: str) -> str:
    """A field-name-safe, reversible form of an id: letters and digits stay, every other byte
    becomes ``_hh``; so an encoded key never contains ``__`` (the group separator)."""
    return "".join(
        ch if _SAFE.fullmatch(ch) else "".join(f"_{b:02x}" for b in ch.encode()) for ch in value
    )


def decode_key(value: str) -> str:
    out = bytearray()
    i = 0
    while i < len(value):
        if value[i] == "_":
            out.append(int(value[i + 1 : i + 3], 16))
            i += 3
        else:
            out.extend(value[i].encode())
            i += 1
    return out.decode()


def counter_fields(totals: UsageTotals, group: str, key: str | None = None) -> dict[str, int]:
    prefix = group if key is None else f"{group}__{encode_key(key)}"
    return {f"{prefix}__{name}": value for name, value in totals.as_dict().items() if value}


@dataclass
class Groups:
    """Counters read back from a usage document, by group."""

    totals: UsageTotals = field(default_factory=UsageTotals)
    by_provider: dict[str, UsageTotals] = field(default_factory=dict)
    by_type: dict[str, UsageTotals] = field(default_factory=dict)
    by_tenant: dict[str, UsageTotals] = field(default_factory=dict)

    @classmethod
    def of(cls, delta: UsageTotals, *, provider: str, type: str, tenant_id: str | None) -> Groups:
        """What one event adds: ``delta`` in total, by its provider and type, and by its tenant
        when the document counts tenants (``tenant_id`` None where it does not)."""
        return cls(
            delta,
            {provider: delta},
            {type: delta},
            {tenant_id: delta} if tenant_id is not None else {},
        )

    def add(self, other: Groups) -> None:
        self.totals = self.totals + other.totals
        for mine, theirs in (
            (self.by_provider, other.by_provider),
            (self.by_type, other.by_type),
            (self.by_tenant, other.by_tenant),
        ):
            for key, value in theirs.items():
                mine[key] = mine.get(key, UsageTotals()) + value

    def as_day(self, day: date) -> DailyUsage:
        return DailyUsage(
            date=day, totals=self.totals, by_provider=self.by_provider, by_type=self.by_type
        )

    def counters(self) -> dict[str, int]:
        result = counter_fields(self.totals, TOTAL)
        for group, values in (
            (PROVIDER, self.by_provider),
            (TYPE, self.by_type),
            (TENANT, self.by_tenant),
        ):
            for key, value in values.items():
                result.update(counter_fields(value, group, key))
        return result


def parse_groups(data: dict[str, Any]) -> Groups:
    raw: dict[tuple[str, str | None], dict[str, int]] = defaultdict(dict)
    for name, value in data.items():
        parts = name.split("__")
        if len(parts) == 2 and parts[0] == TOTAL:
            raw[(TOTAL, None)][parts[1]] = value
        elif len(parts) == 3 and parts[0] in (PROVIDER, TYPE, TENANT):
            raw[(parts[0], decode_key(parts[1]))][parts[2]] = value
    groups = Groups()
    for (group, key), values in raw.items():
        totals = UsageTotals.from_mapping(values)
        if group == TOTAL:
            groups.totals = totals
        else:
            {PROVIDER: groups.by_provider, TYPE: groups.by_type, TENANT: groups.by_tenant}[group][
                key
            ] = totals
    return groups


def _increments(counters: dict[str, int]) -> dict[str, Any]:
    return {name: firestore.Increment(value) for name, value in counters.items()}


def _event_document(event: MediaGenerationEvent, local_date: date) -> dict[str, Any]:
    data = event.as_dict()
    data["cost_micros"] = event.cost_micros or 0
    data["local_date"] = local_date.isoformat()
    return data


def _event_from_document(data: dict[str, Any]) -> MediaGenerationEvent:
    known = MediaGenerationEvent.__dataclass_fields__
    values = {name: value for name, value in data.items() if name in known}
    values["created_at"] = datetime.fromtimestamp(data["created_at"].timestamp(), tz=UTC)
    values["params"] = dict(data.get("params") or {})
    return MediaGenerationEvent(**values)


def _by_tenant(days: dict[date, Groups]) -> dict[str, UsageTotals]:
    result: dict[str, UsageTotals] = {}
    for groups in days.values():
        for tenant_id, totals in groups.by_tenant.items():
            result[tenant_id] = result.get(tenant_id, UsageTotals()) + totals
    return {tenant_id: totals for tenant_id, totals in result.items() if totals.count}


def _event_groups(data: dict[str, Any], *, with_tenant: bool) -> Groups:
    """What one stored event document adds to a tenant (or, with the tenant group, global) doc."""
    success = bool(data.get("success"))
    delta = UsageTotals(
        cost_micros=int(data.get("cost_micros") or 0),
        count=1,
        successes=1 if success else 0,
        failures=0 if success else 1,
        saved_micros=int(data.get("saved_micros") or 0),
        cache_hits=1 if data.get("cache_hit") else 0,
    )
    return Groups.of(
        delta,
        provider=data["provider"],
        type=data["type"],
        tenant_id=data["tenant_id"] if with_tenant else None,
    )


_emulator_lock = threading.Lock()


def emulator_client(host: str, project: str, database: str = "(default)") -> firestore.Client:
    """A client for the emulator at ``host``, without changing the process environment for good.

    The client library takes the emulator address only from ``FIRESTORE_EMULATOR_HOST``, and only
    while the client is being built; it keeps it afterwards.
    """
    with _emulator_lock:
        previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
        os.environ["FIRESTORE_EMULATOR_HOST"] = host
        try:
            return firestore.Client(project=project, database=database)
        finally:
            if previous is None:
                del os.environ["FIRESTORE_EMULATOR_HOST"]
            else:
                os.environ["FIRESTORE_EMULATOR_HOST"] = previous


def bound_deadlines(client: firestore.Client, seconds: float) -> firestore.Client:
    """Give every RPC ``client`` makes a deadline of ``seconds`` (retries of UNAVAILABLE
    included) instead of the library's defaults: 60 s for a commit or a transaction, 300 s for a
    read or a query, which made a stopped store hang requests for minutes.

    Set once on the client's transport, so every call is covered, those that take no
    ``timeout=`` / ``retry=`` argument too (a transaction's begin and commit). A call that passes
    its own ``timeout``/``retry`` keeps them.
    """
    retry = retries.Retry(
        predicate=retries.if_exception_type(
            google_exceptions.ServiceUnavailable, google_exceptions.ResourceExhausted
        ),
        initial=0.1,
        maximum=1.0,
        multiplier=1.5,
        timeout=seconds,
    )
    transport = client._firestore_api._transport
    for rpc in list(transport._wrapped_methods):
        transport._wrapped_methods[rpc] = gapic_v1.method.wrap_method(
            rpc, default_retry=retry, default_timeout=seconds, client_info=client._client_info
        )
    return client


DEFAULT_TIMEOUT_SECONDS = 5.0


class FirestoreCostRepository(CostRepository):
    # Unavailable or past the deadline (``bound_deadlines``), retries used up, or overloaded.
    unavailable_errors = (
        google_exceptions.ServiceUnavailable,
        google_exceptions.DeadlineExceeded,
        google_exceptions.RetryError,
        google_exceptions.ResourceExhausted,
        google_exceptions.InternalServerError,
    )

    def __init__(
        self,
        *,
        project: str = "",
        database: str = "(default)",
        emulator_host: str = "",
        client: firestore.Client | None = None,
        clock: Callable[[], datetime] | None = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        layout: Layout | None = None,
        tally: DocumentTally | None = None,
    ) -> None:
        if client is None:
            client = (
                emulator_client(emulator_host, project or "demo-bakedbot", database)
                if emulator_host
                else firestore.Client(project=project or None, database=database)
            )
        self.client = bound_deadlines(client, timeout)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.layout = layout or Layout()
        # Counts every document read and written when given (tests, benchmarks); off by default.
        self.tally = tally
        self._cycle = ShardCycle()
        self._scope = threading.local()

    def close(self) -> None:
        self.client.close()

    # -- instrumented access: every document read or written passes here ---------------------

    def _stream(self, query, transaction=None) -> Iterator[Any]:
        snapshots = query.stream(transaction=transaction) if transaction else query.stream()
        for snapshot in snapshots:
            if self.tally is not None:
                self.tally.read(snapshot.reference.path)
            yield snapshot

    def _get(self, ref):
        snapshot = ref.get()
        if snapshot.exists and self.tally is not None:
            self.tally.read(ref.path)
        return snapshot

    def _commit_batch(self, batch, paths: list[str]) -> None:
        batch.commit()
        if self.tally is not None:
            self.tally.wrote(paths)

    # -- read scope ------------------------------------------------------------------------

    @contextmanager
    def read_scope(self) -> Iterator[None]:
        """Inside the block (this thread), a rollup document read once is not read again: the
        CEO tab reads the 90-day range, then each budget window inside it, at the price of one
        read per document. Scopes nest; the outermost one forgets at its end."""
        if getattr(self._scope, "days", None) is not None:
            yield
            return
        self._scope.days = {}
        try:
            yield
        finally:
            self._scope.days = None

    # -- writes -----------------------------------------------------------------------------

    def _commit(self, items: list[tuple[MediaGenerationEvent, date]]) -> None:
        """One batch: create every event, then one merged increment per aggregate document.

        The creates come first: a precondition failing stops the whole commit (in the emulator,
        before any increment is applied). At most 150 events, so at most 450 writes (< 500).
        """
        batch = self.client.batch()
        paths: list[str] = []
        targets: dict[str, tuple[dict[str, Any], Groups]] = {}
        now = self.clock()
        for event, local_date in items:
            ref = self.client.collection(EVENTS).document(event.id)
            batch.create(ref, _event_document(event, local_date))
            paths.append(ref.path)
            self._count(targets, event, local_date, UsageTotals.of_event(event), now=now)
        self._increment(batch, targets, paths)
        self._commit_batch(batch, paths)

    def _count(
        self,
        targets: dict[str, tuple[dict[str, Any], Groups]],
        event: MediaGenerationEvent,
        local_date: date,
        delta: UsageTotals,
        *,
        now: datetime,
    ) -> None:
        """Add ``delta`` of ``event`` to every aggregate document it is counted in."""
        for path, fields, with_tenant in self.layout.event_targets(
            event.tenant_id, local_date, now=now, cycle=self._cycle
        ):
            groups = Groups.of(
                delta,
                provider=event.provider,
                type=event.type,
                tenant_id=event.tenant_id if with_tenant else None,
            )
            targets.setdefault(path, (fields, Groups()))[1].add(groups)

    def _increment(
        self, batch, targets: dict[str, tuple[dict[str, Any], Groups]], paths: list[str]
    ) -> None:
        """One merged increment per aggregate document into ``batch``."""
        for path, (fields, groups) in targets.items():
            batch.set(
                self.client.document(path), {**fields, **_increments(groups.counters())}, merge=True
            )
            paths.append(path)

    def record(self, event: MediaGenerationEvent, local_date: date) -> bool:
        try:
            self._commit([(event, local_date)])
        except google_exceptions.AlreadyExists:
            return False
        return True

    def record_many(self, items: Iterable[tuple[MediaGenerationEvent, date]]) -> int:
        """Up to 150 events per batch; ids already stored (checked first) are skipped."""
        first_of_id: dict[str, tuple[MediaGenerationEvent, date]] = {}
        for event, local_date in items:
            first_of_id.setdefault(event.id, (event, local_date))
        unique = list(first_of_id.values())
        added = 0
        for start in range(0, len(unique), 150):
            chunk = unique[start : start + 150]
            refs = [self.client.collection(EVENTS).document(event.id) for event, _ in chunk]
            known = set()
            for snapshot in self.client.get_all(refs):
                if snapshot.exists:
                    known.add(snapshot.id)
                    if self.tally is not None:
                        self.tally.read(snapshot.reference.path)
            fresh = [(event, day) for event, day in chunk if event.id not in known]
            if not fresh:
                continue
            try:
                self._commit(fresh)
                added += len(fresh)
            except google_exceptions.AlreadyExists:
                # Another writer stored one of them meanwhile: record one by one instead.
                added += sum(1 for event, day in fresh if self.record(event, day))
        return added

    # -- events -----------------------------------------------------------------------------

    def get_event(self, event_id: str) -> MediaGenerationEvent | None:
        snapshot = self._get(self.client.collection(EVENTS).document(event_id))
        return _event_from_document(snapshot.to_dict()) if snapshot.exists else None

    def recent_events(
        self,
        *,
        tenant_id: str | None = None,
        provider: str | None = None,
        success: bool | None = None,
        limit: int = 50,
        before: EventPosition | None = None,
    ) -> list[MediaGenerationEvent]:
        # Needs composite indexes (filter fields + created_at desc) in production: see
        # costs/firestore.indexes.json. No query cursors (the emulator has none): ``before`` is a
        # range filter on created_at plus an equality read of the events sharing its timestamp.
        filtered = self.client.collection(EVENTS)
        for name, value in (("tenant_id", tenant_id), ("provider", provider), ("success", success)):
            if value is not None:
                filtered = filtered.where(filter=FieldFilter(name, "==", value))
        limit = max(1, min(limit, RECENT_LIMIT_MAX))
        query = filtered
        found: list[MediaGenerationEvent] = []
        if before is not None:
            at, event_id = before
            found = [e for e in self._events_at(filtered, at) if e.id < event_id]
            query = query.where(filter=FieldFilter("created_at", "<", at))
        # One more than the page: only when it shares the last one's timestamp can the limit have
        # cut a run of equal timestamps (Firestore does not order them by id); then the whole run
        # is read so the page ends at the same event on both backends.
        query = query.order_by("created_at", direction=firestore.Query.DESCENDING).limit(limit + 1)
        older = [_event_from_document(doc.to_dict()) for doc in self._stream(query)]
        if len(older) > limit:
            edge = older[limit - 1].created_at
            if older[limit].created_at == edge:
                older = [e for e in older if e.created_at != edge] + self._events_at(filtered, edge)
            else:
                older = older[:limit]
        found.extend(older)
        found.sort(key=lambda e: (e.created_at, e.id), reverse=True)
        return found[:limit]

    def _events_at(self, query, at: datetime) -> list[MediaGenerationEvent]:
        query = query.where(filter=FieldFilter("created_at", "==", at))
        return [_event_from_document(doc.to_dict()) for doc in self._stream(query)]

    # -- rollups (a tenant's, the platform's) -----------------------------------------------

    def _rollup_days(self, rollup: Rollup, start: date, end: date) -> dict[date, Groups]:
        """Each date's counters in ``start``..``end`` (dates without documents absent); inside a
        read scope, only the dates not read yet in it are read."""
        known = getattr(self._scope, "days", None)
        if known is None or (end - start).days > SCOPE_MAX_DAYS:
            return self._read_rollup(rollup, start, end)
        days = known.setdefault(rollup.tenant_id, {})
        span = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        missing = [day for day in span if day not in days]
        for first, last in _runs(missing):
            found = self._read_rollup(rollup, first, last)
            for n in range((last - first).days + 1):
                day = first + timedelta(days=n)
                days[day] = found.get(day)
        return {day: days[day] for day in span if days[day] is not None}

    def _read_rollup(self, rollup: Rollup, start: date, end: date) -> dict[date, Groups]:
        """Each date's counters: its day document plus any shards not drained yet.

        Reads at most one day document per date plus the shards of dates still open (at most
        three dates of ``rollup.shard_count`` each, only those written); closed dates found with
        shards are drained on the way.
        """
        bounds = (
            FieldFilter("date", ">=", start.isoformat()),
            FieldFilter("date", "<=", end.isoformat()),
        )
        days: dict[date, Groups] = defaultdict(Groups)
        query = self.client.collection(rollup.days)
        shard_query = self.client.collection(rollup.shards)
        for bound in bounds:
            query = query.where(filter=bound)
            shard_query = shard_query.where(filter=bound)
        for doc in self._stream(query):
            days[date.fromisoformat(doc.id)].add(parse_groups(doc.to_dict()))
        drainable: set[date] = set()
        now = self.clock()
        for doc in self._stream(shard_query):
            data = doc.to_dict()
            day = date.fromisoformat(data["date"])
            days[day].add(parse_groups(data))
            if is_drainable(day, now):
                drainable.add(day)
        for day in sorted(drainable):
            self._drain(rollup, day)
        return dict(days)

    def _drain(self, rollup: Rollup, day: date) -> int:
        """Move one date's shard counters into its day document; returns the shards drained."""
        shard_query = self.client.collection(rollup.shards).where(
            filter=FieldFilter("date", "==", day.isoformat())
        )
        day_ref = self.client.document(rollup.day_path(day))

        @firestore.transactional
        def drain(transaction) -> list[str]:
            shards = list(self._stream(shard_query, transaction))
            if not shards:
                return []
            total = Groups()
            for shard in shards:
                total.add(parse_groups(shard.to_dict()))
            fields = {**rollup.fields, "date": day.isoformat()}
            transaction.set(day_ref, {**fields, **_increments(total.counters())}, merge=True)
            for shard in shards:
                transaction.delete(shard.reference)
            return [day_ref.path, *(shard.reference.path for shard in shards)]

        written = drain(self.client.transaction())
        if self.tally is not None:
            self.tally.wrote(written)
        return max(0, len(written) - 1)

    def drain_shards(self, day: date, *, tenant_id: str | None = None) -> int:
        """Move a date's shard counters (the platform's, or ``tenant_id``'s) into its day
        document; returns the shards drained."""
        rollup = self.layout.platform if tenant_id is None else self.layout.tenant(tenant_id)
        return self._drain(rollup, day)

    def drain_closed_days(self) -> list[date]:
        """Drain every date whose shards may be drained (a scheduled job or a command): the
        platform's shards, and the shards of every tenant they count (collection groups cannot
        be queried in the emulator, so the global shards say which tenants to look at)."""
        now = self.clock()
        tenants_by_date: dict[date, set[str]] = defaultdict(set)
        for doc in self._stream(self.client.collection(GLOBAL_SHARDS)):
            data = doc.to_dict()
            tenants_by_date[date.fromisoformat(data["date"])].update(parse_groups(data).by_tenant)
        drained = [day for day in sorted(tenants_by_date) if is_drainable(day, now)]
        for day in drained:
            for tenant_id in sorted(tenants_by_date[day]):
                self._drain(self.layout.tenant(tenant_id), day)
            self._drain(self.layout.platform, day)
        return drained

    # -- tenant aggregates ------------------------------------------------------------------

    def _tenant_day(self, tenant_id: str, day: date):
        return self.client.document(self.layout.tenant(tenant_id).day_path(day))

    def _tenant_days(self, tenant_id: str, start: date, end: date) -> dict[date, Groups]:
        return self._rollup_days(self.layout.tenant(tenant_id), start, end)

    def tenant_daily_usage(self, tenant_id: str, start: date, end: date) -> list[DailyUsage]:
        days = self._tenant_days(tenant_id, start, end)
        return [days[day].as_day(day) for day in sorted(days) if days[day].totals.count]

    def tenant_period_usage(
        self, tenant_id: str, start: date, end: date
    ) -> tuple[UsageBreakdown, Callable[[], list[DailyUsage]]]:
        # The totals are sums of the same documents: one read serves both.
        days = self.tenant_daily_usage(tenant_id, start, end)
        return merge_days(days), lambda: days

    # -- global rollups ---------------------------------------------------------------------

    def _global_days(self, start: date, end: date) -> dict[date, Groups]:
        return self._rollup_days(self.layout.platform, start, end)

    def global_daily_usage(self, start: date, end: date) -> list[DailyUsage]:
        days = self._global_days(start, end)
        return [days[day].as_day(day) for day in sorted(days) if days[day].totals.count]

    def usage_by_tenant(self, start: date, end: date) -> dict[str, UsageTotals]:
        return _by_tenant(self._global_days(start, end))

    def global_period_usage(
        self, start: date, end: date
    ) -> tuple[list[DailyUsage], dict[str, UsageTotals]]:
        days = self._global_days(start, end)
        daily = [days[day].as_day(day) for day in sorted(days) if days[day].totals.count]
        return daily, _by_tenant(days)

    def first_usage_date(self) -> date | None:
        # In a read scope, only dates before the earliest one already found with usage are
        # looked for: a document found there cannot be one the scope has read.
        known = (getattr(self._scope, "days", None) or {}).get(None, {})
        found = [day for day, groups in known.items() if groups is not None]
        firsts = [min(found)] if found else []
        for collection in (GLOBAL_DAYS, GLOBAL_SHARDS):
            query = self.client.collection(collection)
            if firsts:
                query = query.where(filter=FieldFilter("date", "<", firsts[0].isoformat()))
            query = query.order_by("date").limit(1)
            firsts.extend(date.fromisoformat(doc.to_dict()["date"]) for doc in self._stream(query))
        return min(firsts) if firsts else None

    # -- repair -----------------------------------------------------------------------------

    def reprice_events(self, changes: Sequence[Reprice]) -> int:
        """Per tenant, batches of at most 100 events: each event document updated (on the
        condition that it was not changed since it was read) with merged increments of the cost
        difference to its tenant daily document and the global day document or shard it was
        counted in, so an event never moves without its aggregates. A batch is atomic; a run
        that dies between batches leaves the rest at the old price and is simply run again
        (an event already at its new price is no longer a change)."""
        by_tenant: dict[str, list[Reprice]] = defaultdict(list)
        for change in changes:
            by_tenant[change.event.tenant_id].append(change)
        changed = 0
        now = self.clock()
        for tenant_changes in by_tenant.values():
            for start in range(0, len(tenant_changes), 100):
                chunk = tenant_changes[start : start + 100]
                refs = [self.client.collection(EVENTS).document(c.event.id) for c in chunk]
                snapshots = {snap.id: snap for snap in self.client.get_all(refs) if snap.exists}
                batch = self.client.batch()
                paths: list[str] = []
                targets: dict[str, tuple[dict[str, Any], Groups]] = {}
                for change, ref in zip(chunk, refs, strict=True):
                    snapshot = snapshots.get(ref.id)
                    data = snapshot.to_dict() if snapshot is not None else None
                    if data is None or int(data.get("cost_micros") or 0) != (
                        change.event.cost_micros or 0
                    ):
                        continue
                    batch.update(
                        ref,
                        {"cost_micros": change.cost_micros, "price_version": change.price_version},
                        option=self.client.write_option(last_update_time=snapshot.update_time),
                    )
                    paths.append(ref.path)
                    self._count(
                        targets,
                        change.event,
                        date.fromisoformat(data["local_date"]),
                        UsageTotals(cost_micros=change.delta_micros),
                        now=now,
                    )
                    changed += 1
                if not paths:
                    continue
                self._increment(batch, targets, paths)
                self._commit_batch(batch, paths)
        return changed

    def recompute_aggregates(self, *, tenant_id: str | None = None) -> RecomputeReport:
        """Rebuild from the events. Run it while nothing records (it overwrites documents)."""
        events = self.client.collection(EVENTS)
        if tenant_id is not None:
            events = events.where(filter=FieldFilter("tenant_id", "==", tenant_id))
        tenant_days: dict[tuple[str, date], Groups] = defaultdict(Groups)
        global_days: dict[date, Groups] = defaultdict(Groups)
        count = 0
        for doc in self._stream(events):
            data = doc.to_dict()
            count += 1
            day = date.fromisoformat(data["local_date"])
            tenant_days[(data["tenant_id"], day)].add(_event_groups(data, with_tenant=False))
            global_days[day].add(_event_groups(data, with_tenant=True))
        if tenant_id is not None:
            global_days = self._expected_global_days(set(global_days))
        repaired: list[str] = []
        checked = 0

        # Tenant daily documents: every tenant with events, plus every tenant the global rollups
        # know (collection ids cannot be listed, so that is how stale tenants are found).
        stored_global = self._global_days(date.min, date.max)
        tenants = {tenant_id} if tenant_id else {t for t, _ in tenant_days}
        if tenant_id is None:
            for groups in stored_global.values():
                tenants.update(groups.by_tenant)
        for tenant in sorted(tenants):
            stored = self._tenant_days(tenant, date.min, date.max)
            wanted = {day: groups for (t, day), groups in tenant_days.items() if t == tenant}
            for day in sorted(stored.keys() | wanted.keys()):
                checked += 1
                have, want = stored.get(day), wanted.get(day, Groups())
                if have is not None and have.counters() == want.counters():
                    continue
                # The day document alone then holds the date: its shards go first.
                self.drain_shards(day, tenant_id=tenant)
                ref = self._tenant_day(tenant, day)
                label = f"{TENANTS}/{tenant}/{TENANT_USAGE}/{day.isoformat()}"
                if not want.totals.count:
                    ref.delete()
                    repaired.append(f"{label}: no events, removed")
                else:
                    ref.set({"tenant_id": tenant, "date": day.isoformat(), **want.counters()})
                    repaired.append(
                        f"{label}: {(have or Groups()).totals.as_dict()} -> {want.totals.as_dict()}"
                    )

        # Global days: drain shards, then overwrite each date whose totals differ.
        dates = set(global_days) if tenant_id else set(global_days) | set(stored_global)
        for day in sorted(dates):
            checked += 1
            have = stored_global.get(day, Groups())
            want = global_days.get(day, Groups())
            if have.counters() == want.counters():
                continue
            self.drain_shards(day)
            ref = self.client.collection(GLOBAL_DAYS).document(day.isoformat())
            label = f"{GLOBAL_DAYS}/{day.isoformat()}"
            if not want.totals.count:
                ref.delete()
                repaired.append(f"{label}: no events, removed")
            else:
                ref.set({"date": day.isoformat(), **want.counters()})
                repaired.append(f"{label}: {have.totals.as_dict()} -> {want.totals.as_dict()}")
        return RecomputeReport(events=count, checked=checked, repaired=repaired)

    def _expected_global_days(self, dates: Iterable[date]) -> dict[date, Groups]:
        result: dict[date, Groups] = defaultdict(Groups)
        for day in dates:
            query = self.client.collection(EVENTS).where(
                filter=FieldFilter("local_date", "==", day.isoformat())
            )
            for doc in self._stream(query):
                result[day].add(_event_groups(doc.to_dict(), with_tenant=True))
        return result


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted dates as runs of consecutive dates: ``(first, last)`` each."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
