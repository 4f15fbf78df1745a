"""The cost store on the Django database (``COSTS_STORE=sql``).

Recording is one transaction: ``INSERT .. ON CONFLICT (id) DO NOTHING`` for the event, and only if
that inserted a row, ``INSERT .. ON CONFLICT DO UPDATE SET x = x + excluded.x`` for each aggregate.
Both SQLite (3.24+) and PostgreSQL speak this, and both make it safe under concurrency: a second
writer of the same id inserts nothing, and increments are done by the database, not
read-modify-write in Python.

Aggregates: ``TenantDailyUsage`` (tenant, local date, provider, type) cells; ``TenantUsageRollup``
day and week totals per tenant (the by-tenant breakdown reads whole weeks plus edge days, about 20
rows per tenant for 90 days); ``GlobalDailyUsage`` (local date, provider, type) cells for global
totals and series (at most ~8 rows per day whatever the event count).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Min, Q, Sum

from costs.domain import (
    DailyUsage,
    MediaGenerationEvent,
    RecomputeReport,
    UsageBreakdown,
    UsageTotals,
)
from costs.models import GenerationEvent, GlobalDailyUsage, TenantDailyUsage, TenantUsageRollup
from costs.repository import (
    RECENT_LIMIT_MAX,
    CostRepository,
    EventPosition,
    Reprice,
    days_from_cells,
)

TOTALS = UsageTotals.FIELDS
DAY = TenantUsageRollup.Period.DAY
WEEK = TenantUsageRollup.Period.WEEK


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _upsert_sql(model, key_columns: tuple[str, ...]) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = (*key_columns, *TOTALS)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    increments = ", ".join(
        f"{connection.ops.quote_name(c)} = {table}.{connection.ops.quote_name(c)} + excluded."
        f"{connection.ops.quote_name(c)}"
        for c in TOTALS
    )
    keys = ", ".join(connection.ops.quote_name(c) for c in key_columns)
    return (
        f"INSERT INTO {table} ({quoted}) VALUES ({placeholders}) "
        f"ON CONFLICT ({keys}) DO UPDATE SET {increments}"
    )


_CONVERTED_EVENT_FIELDS = {"params", "created_at", "local_date"}
_PLAIN_EVENT_FIELDS = (
    "id",
    "tenant_id",
    "user_id",
    "type",
    "provider",
    "model",
    "prompt",
    "params",
    "duration_seconds",
    "price_version",
    "success",
    "error",
    "generation_ms",
    "created_at",
    "cache_hit",
    "saved_micros",
    "simulated",
    "image_size",
    "resolution",
    "audio",
    "input_tokens",
    "output_tokens",
)


def _event_from_row(row: GenerationEvent) -> MediaGenerationEvent:
    return MediaGenerationEvent(
        id=row.id,
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        type=row.type,
        provider=row.provider,
        model=row.model,
        prompt=row.prompt,
        params=row.params or {},
        duration_seconds=row.duration_seconds,
        cost_micros=row.cost_micros,
        price_version=row.price_version,
        success=row.success,
        error=row.error,
        generation_ms=row.generation_ms,
        created_at=row.created_at,
        content_id=row.content_id or None,
        playbook_run_id=row.playbook_run_id or None,
        cache_hit=row.cache_hit,
        saved_micros=row.saved_micros,
        simulated=row.simulated,
        image_size=row.image_size,
        resolution=row.resolution,
        audio=row.audio,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
    )


def _aggregate_keys(event: MediaGenerationEvent, local_date: date):
    """(model, key) pairs an event adds to."""
    yield TenantDailyUsage, (event.tenant_id, local_date, event.provider, event.type)
    yield TenantUsageRollup, (DAY, local_date, event.tenant_id)
    yield TenantUsageRollup, (WEEK, week_start(local_date), event.tenant_id)
    yield GlobalDailyUsage, (local_date, event.provider, event.type)


KEY_COLUMNS = {
    TenantDailyUsage: ("tenant_id", "date", "provider", "type"),
    TenantUsageRollup: ("period", "start", "tenant_id"),
    GlobalDailyUsage: ("date", "provider", "type"),
}


def _totals_of(values: dict | tuple) -> UsageTotals:
    if isinstance(values, dict):
        return UsageTotals(*(int(values[n] or 0) for n in TOTALS))
    return UsageTotals(*(int(v or 0) for v in values))


class SqlCostRepository(CostRepository):
    # The database unreachable, its connection lost, or its lock held past the busy timeout /
    # lock_timeout (settings bound both by COSTS_STORE_TIMEOUT_SECONDS).
    unavailable_errors = (OperationalError, InterfaceError)

    def __init__(self) -> None:
        self._event_fields = GenerationEvent._meta.concrete_fields
        self._insert_sql: str | None = None
        self._upserts: dict = {}

    def _sql(self):
        # Built lazily: quoting depends on the connection's vendor.
        if self._insert_sql is None:
            table = connection.ops.quote_name(GenerationEvent._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(f.column) for f in self._event_fields)
            placeholders = ", ".join(["%s"] * len(self._event_fields))
            self._insert_sql = (
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT ({connection.ops.quote_name('id')}) DO NOTHING"
            )
            self._upserts = {model: _upsert_sql(model, keys) for model, keys in KEY_COLUMNS.items()}
        return self._insert_sql, self._upserts

    def _event_values(self, event: MediaGenerationEvent, local_date: date) -> list:
        # The hot path: only the fields whose database form differs from the Python value go
        # through Django's conversion (dates, times, JSON); building a model instance costs more.
        values = {
            **{name: getattr(event, name) for name in _PLAIN_EVENT_FIELDS},
            "cost_micros": event.cost_micros or 0,
            "content_id": event.content_id or "",
            "playbook_run_id": event.playbook_run_id or "",
            "local_date": local_date,
        }
        return [
            f.get_db_prep_save(values[f.attname], connection)
            if f.attname in _CONVERTED_EVENT_FIELDS
            else values[f.attname]
            for f in self._event_fields
        ]

    def record(self, event: MediaGenerationEvent, local_date: date) -> bool:
        insert_sql, upserts = self._sql()
        delta = tuple(UsageTotals.of_event(event).as_dict().values())
        # No savepoint inside a caller's transaction (``record_media_generation``): a failure
        # here fails that whole transaction anyway.
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(insert_sql, self._event_values(event, local_date))
            if cursor.rowcount != 1:
                return False
            for model, key in _aggregate_keys(event, local_date):
                cursor.execute(upserts[model], (*key, *delta))
        return True

    def record_many(self, items: Iterable[tuple[MediaGenerationEvent, date]]) -> int:
        """Bulk path (demo data, benchmarks): new ids only, aggregates summed in memory first."""
        items = list(items)
        insert_sql, upserts = self._sql()
        with transaction.atomic():
            seen: set[str] = set()
            ids = [event.id for event, _ in items]
            for chunk_start in range(0, len(ids), 500):
                chunk = ids[chunk_start : chunk_start + 500]
                seen.update(
                    GenerationEvent.objects.filter(id__in=chunk).values_list("id", flat=True)
                )
            fresh = []
            for event, local_date in items:
                if event.id not in seen:
                    seen.add(event.id)
                    fresh.append((event, local_date))
            # A plain INSERT: if another writer stored one of these ids meanwhile, the whole batch
            # fails and rolls back rather than counting that event twice.
            plain_insert = insert_sql.rsplit(" ON CONFLICT", 1)[0]
            with connection.cursor() as cursor:
                for chunk_start in range(0, len(fresh), 2000):
                    cursor.executemany(
                        plain_insert,
                        [
                            self._event_values(e, d)
                            for e, d in fresh[chunk_start : chunk_start + 2000]
                        ],
                    )
            deltas: dict = defaultdict(UsageTotals)
            for event, local_date in fresh:
                totals = UsageTotals.of_event(event)
                for model, key in _aggregate_keys(event, local_date):
                    deltas[(model, key)] = deltas[(model, key)] + totals
            by_model: dict = defaultdict(list)
            for (model, key), totals in deltas.items():
                by_model[model].append((*key, *totals.as_dict().values()))
            with connection.cursor() as cursor:
                for model, rows in by_model.items():
                    cursor.executemany(upserts[model], rows)
        return len(fresh)

    def get_event(self, event_id: str) -> MediaGenerationEvent | None:
        row = GenerationEvent.objects.filter(id=event_id).first()
        return _event_from_row(row) if row else None

    def recent_events(
        self,
        *,
        tenant_id: str | None = None,
        provider: str | None = None,
        success: bool | None = None,
        limit: int = 50,
        before: EventPosition | None = None,
    ) -> list[MediaGenerationEvent]:
        rows = GenerationEvent.objects.all()
        if tenant_id is not None:
            rows = rows.filter(tenant_id=tenant_id)
        if provider is not None:
            rows = rows.filter(provider=provider)
        if success is not None:
            rows = rows.filter(success=success)
        if before is not None:
            at, event_id = before
            # The plain range first, so the created_at index seeks to the position instead of
            # walking every newer row (an export pages through a million events).
            rows = rows.filter(created_at__lte=at).filter(
                Q(created_at__lt=at) | Q(created_at=at, id__lt=event_id)
            )
        limit = max(1, min(limit, RECENT_LIMIT_MAX))
        return [_event_from_row(row) for row in rows.order_by("-created_at", "-id")[:limit]]

    def tenant_daily_usage(self, tenant_id: str, start: date, end: date) -> list[DailyUsage]:
        cells = (
            TenantDailyUsage.objects.filter(tenant_id=tenant_id, date__range=(start, end))
            .order_by("date")
            .values_list("date", "provider", "type", *TOTALS)
        )
        return days_from_cells(cells)

    def tenant_usage(self, tenant_id: str, start: date, end: date) -> UsageBreakdown:
        cells = TenantDailyUsage.objects.filter(tenant_id=tenant_id, date__range=(start, end))
        return _breakdown(cells)

    def tenant_spend_micros(self, tenant_id: str, start: date, end: date) -> int:
        total = TenantUsageRollup.objects.filter(
            period=DAY, tenant_id=tenant_id, start__range=(start, end)
        ).aggregate(total=Sum("cost_micros"))["total"]
        return int(total or 0)

    def tenant_daily_spend(self, tenant_id: str, start: date, end: date) -> list[tuple[date, int]]:
        # One narrow read of the day rollups: a budget hold runs it holding the write lock.
        rows = TenantUsageRollup.objects.filter(
            period=DAY, tenant_id=tenant_id, start__range=(start, end)
        ).values_list("start", "cost_micros")
        return [(day, int(cost or 0)) for day, cost in rows]

    def global_daily_usage(self, start: date, end: date) -> list[DailyUsage]:
        cells = (
            GlobalDailyUsage.objects.filter(date__range=(start, end))
            .order_by("date")
            .values_list("date", "provider", "type", *TOTALS)
        )
        return days_from_cells(cells)

    def global_usage(self, start: date, end: date) -> UsageBreakdown:
        return _breakdown(GlobalDailyUsage.objects.filter(date__range=(start, end)))

    def usage_by_tenant(self, start: date, end: date) -> dict[str, UsageTotals]:
        if end < start:
            return {}
        first_week = start if start.weekday() == 0 else week_start(start) + timedelta(days=7)
        after_last_week = week_start(end + timedelta(days=1))
        if first_week < after_last_week:
            condition = (
                Q(period=WEEK, start__gte=first_week, start__lt=after_last_week)
                | Q(period=DAY, start__gte=start, start__lt=first_week)
                | Q(period=DAY, start__gte=after_last_week, start__lte=end)
            )
        else:
            condition = Q(period=DAY, start__range=(start, end))
        rows = (
            TenantUsageRollup.objects.filter(condition)
            .values("tenant_id")
            .annotate(**{name: Sum(name) for name in TOTALS})
            .order_by()
        )
        return {row["tenant_id"]: _totals_of(row) for row in rows}

    def first_usage_date(self) -> date | None:
        return GlobalDailyUsage.objects.aggregate(first=Min("date"))["first"]

    def reprice_events(self, changes: Sequence[Reprice]) -> int:
        """One transaction: each event row and its aggregate rows by the cost difference."""
        _, upserts = self._sql()
        changed = 0
        with transaction.atomic(), connection.cursor() as cursor:
            for change in changes:
                rows = GenerationEvent.objects.filter(
                    id=change.event.id, cost_micros=change.event.cost_micros or 0
                )
                local_date = rows.values_list("local_date", flat=True).first()
                if local_date is None:
                    continue
                rows.update(cost_micros=change.cost_micros, price_version=change.price_version)
                delta = (change.delta_micros, 0, 0, 0, 0, 0)
                for model, key in _aggregate_keys(change.event, local_date):
                    cursor.execute(upserts[model], (*key, *delta))
                changed += 1
        return changed

    def recompute_aggregates(self, *, tenant_id: str | None = None) -> RecomputeReport:
        sums = {name: Sum(name) for name in ("cost_micros", "saved_micros")}
        with transaction.atomic():
            events = GenerationEvent.objects.all()
            if tenant_id is not None:
                events = events.filter(tenant_id=tenant_id)
            event_count = events.count()
            grouped = events.values(
                "tenant_id", "local_date", "provider", "type", "success", "cache_hit"
            )
            grouped = grouped.annotate(n=Count("id"), **sums).order_by()
            expected: dict = defaultdict(UsageTotals)
            dates: set[date] = set()
            for row in grouped:
                n = int(row["n"])
                totals = UsageTotals(
                    cost_micros=int(row["cost_micros"] or 0),
                    count=n,
                    successes=n if row["success"] else 0,
                    failures=0 if row["success"] else n,
                    saved_micros=int(row["saved_micros"] or 0),
                    cache_hits=n if row["cache_hit"] else 0,
                )
                day = row["local_date"]
                dates.add(day)
                tenant, provider, kind = row["tenant_id"], row["provider"], row["type"]
                expected[(TenantDailyUsage, (tenant, day, provider, kind))] += totals
                expected[(TenantUsageRollup, (DAY, day, tenant))] += totals
                expected[(TenantUsageRollup, (WEEK, week_start(day), tenant))] += totals
            if tenant_id is None:
                for (model, key), totals in list(expected.items()):
                    if model is TenantDailyUsage:
                        expected[(GlobalDailyUsage, (key[1], key[2], key[3]))] += totals
            else:
                # The global cells of this tenant's dates, from every tenant's events on them.
                for row in (
                    GenerationEvent.objects.filter(local_date__in=dates)
                    .values("local_date", "provider", "type", "success", "cache_hit")
                    .annotate(n=Count("id"), **sums)
                    .order_by()
                ):
                    n = int(row["n"])
                    expected[
                        (GlobalDailyUsage, (row["local_date"], row["provider"], row["type"]))
                    ] += UsageTotals(
                        int(row["cost_micros"] or 0),
                        n,
                        n if row["success"] else 0,
                        0 if row["success"] else n,
                        int(row["saved_micros"] or 0),
                        n if row["cache_hit"] else 0,
                    )
            repaired = []
            checked = 0
            for model, keys in KEY_COLUMNS.items():
                stored_rows = model.objects.all()
                if tenant_id is not None:
                    stored_rows = (
                        stored_rows.filter(date__in=dates)
                        if model is GlobalDailyUsage
                        else stored_rows.filter(tenant_id=tenant_id)
                    )
                stored = {
                    tuple(row[: len(keys)]): (row[-1], _totals_of(row[len(keys) : -1]))
                    for row in stored_rows.values_list(*keys, *TOTALS, "pk")
                }
                wanted = {key: totals for (m, key), totals in expected.items() if m is model}
                for key in stored.keys() | wanted.keys():
                    checked += 1
                    have = stored.get(key)
                    want = wanted.get(key, UsageTotals())
                    if have is not None and have[1] == want:
                        continue
                    label = f"{model.__name__} {' '.join(str(k) for k in key)}"
                    if have is None:
                        model.objects.create(**dict(zip(keys, key, strict=True)), **want.as_dict())
                        repaired.append(f"{label}: missing, created {want.as_dict()}")
                    elif key not in wanted:
                        model.objects.filter(pk=have[0]).delete()
                        repaired.append(f"{label}: no events, removed {have[1].as_dict()}")
                    else:
                        model.objects.filter(pk=have[0]).update(**want.as_dict())
                        repaired.append(f"{label}: {have[1].as_dict()} -> {want.as_dict()}")
        return RecomputeReport(events=event_count, checked=checked, repaired=repaired)


def _breakdown(cells) -> UsageBreakdown:
    """Cells summed by the database per (provider, type), then folded into a breakdown."""
    rows = (
        cells.values("provider", "type")
        .annotate(**{name: Sum(name) for name in TOTALS})
        .order_by()
        .values_list("provider", "type", *TOTALS)
    )
    days = days_from_cells((date.min, *row) for row in rows)
    if not days:
        return UsageBreakdown()
    return UsageBreakdown(
        totals=days[0].totals, by_provider=days[0].by_provider, by_type=days[0].by_type
    )
