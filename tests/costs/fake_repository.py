"""A dict-backed cost store for unit tests of what sits above the store (selectors, budgets, the
CEO tab, the API): the ``costs.repository.CostRepository`` interface over plain dicts, with the same
rules as the real backends — an event id is recorded once, and the event and its aggregate
increments are one atomic unit. The contract suite (``tests/contract``) runs on it too, through the
``cost_store`` fixture, so it is proven to behave like SQL and Firestore.

Put it under the code with ``costs.stores.use_repository`` (the ``fake_store`` fixture does).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from costs.domain import DailyUsage, MediaGenerationEvent, RecomputeReport, UsageTotals
from costs.repository import (
    RECENT_LIMIT_MAX,
    CostRepository,
    CostStoreUnavailable,
    EventPosition,
    days_from_cells,
)

# An aggregate cell: (tenant id, local date, provider, type).
Cell = tuple[str, date, str, str]


def _cell(event: MediaGenerationEvent, local_date: date) -> Cell:
    return (event.tenant_id, local_date, event.provider, event.type)


class FakeCostRepository(CostRepository):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: dict[str, tuple[MediaGenerationEvent, date]] = {}
        # The aggregates: per tenant, local date, provider and type (what SQL's
        # TenantDailyUsage holds); the global and per-tenant views are sums of these cells.
        self.cells: dict[Cell, UsageTotals] = {}

    def record(self, event: MediaGenerationEvent, local_date: date) -> bool:
        with self._lock:
            if event.id in self.events:
                return False
            self.events[event.id] = (event, local_date)
            cell = _cell(event, local_date)
            self.cells[cell] = self.cells.get(cell, UsageTotals()) + UsageTotals.of_event(event)
        return True

    def get_event(self, event_id: str) -> MediaGenerationEvent | None:
        stored = self.events.get(event_id)
        return stored[0] if stored else None

    def recent_events(
        self,
        *,
        tenant_id: str | None = None,
        provider: str | None = None,
        success: bool | None = None,
        limit: int = 50,
        before: EventPosition | None = None,
    ) -> list[MediaGenerationEvent]:
        with self._lock:
            events = [event for event, _ in self.events.values()]
        chosen = [
            event
            for event in events
            if (tenant_id is None or event.tenant_id == tenant_id)
            and (provider is None or event.provider == provider)
            and (success is None or event.success == success)
            and (before is None or (event.created_at, event.id) < before)
        ]
        chosen.sort(key=lambda event: (event.created_at, event.id), reverse=True)
        return chosen[: max(1, min(limit, RECENT_LIMIT_MAX))]

    def _days(self, cells: Iterable[tuple[Cell, UsageTotals]]) -> list[DailyUsage]:
        return days_from_cells(
            (day, provider, kind, *totals.as_dict().values())
            for (_, day, provider, kind), totals in cells
        )

    def _cells_between(self, start: date, end: date) -> list[tuple[Cell, UsageTotals]]:
        with self._lock:
            return [
                (cell, totals) for cell, totals in self.cells.items() if start <= cell[1] <= end
            ]

    def tenant_daily_usage(self, tenant_id: str, start: date, end: date) -> list[DailyUsage]:
        return self._days(
            (cell, totals)
            for cell, totals in self._cells_between(start, end)
            if cell[0] == tenant_id
        )

    def global_daily_usage(self, start: date, end: date) -> list[DailyUsage]:
        return self._days(self._cells_between(start, end))

    def usage_by_tenant(self, start: date, end: date) -> dict[str, UsageTotals]:
        totals: dict[str, UsageTotals] = defaultdict(UsageTotals)
        for cell, value in self._cells_between(start, end):
            totals[cell[0]] += value
        return dict(totals)

    def first_usage_date(self) -> date | None:
        with self._lock:
            return min((cell[1] for cell in self.cells), default=None)

    def reprice_events(self, changes) -> int:
        changed = 0
        with self._lock:
            for change in changes:
                stored = self.events.get(change.event.id)
                if stored is None or stored[0].cost_micros != change.event.cost_micros:
                    continue
                event, day = stored
                self.events[event.id] = (
                    dataclasses.replace(
                        event, cost_micros=change.cost_micros, price_version=change.price_version
                    ),
                    day,
                )
                cell = _cell(event, day)
                self.cells[cell] = self.cells[cell] + UsageTotals(cost_micros=change.delta_micros)
                changed += 1
        return changed

    def recompute_aggregates(self, *, tenant_id: str | None = None) -> RecomputeReport:
        with self._lock:
            events = [
                (event, day)
                for event, day in self.events.values()
                if tenant_id is None or event.tenant_id == tenant_id
            ]
            wanted: dict[Cell, UsageTotals] = defaultdict(UsageTotals)
            for event, day in events:
                wanted[_cell(event, day)] += UsageTotals.of_event(event)
            stored = {
                cell: totals
                for cell, totals in self.cells.items()
                if tenant_id is None or cell[0] == tenant_id
            }
            repaired = []
            for cell in sorted(stored.keys() | wanted.keys()):
                have, want = stored.get(cell), wanted.get(cell)
                if have == want:
                    continue
                label = " ".join(str(part) for part in cell)
                if want is None:
                    del self.cells[cell]
                    repaired.append(f"cell {label}: no events, removed {have.as_dict()}")
                else:
                    self.cells[cell] = want
                    before = have.as_dict() if have else "missing"
                    repaired.append(f"cell {label}: {before} -> {want.as_dict()}")
        return RecomputeReport(
            events=len(events), checked=len(stored.keys() | wanted.keys()), repaired=repaired
        )


class SwitchableFakeRepository(FakeCostRepository):
    """The fake store, switched off and on: while ``down`` it raises ``CostStoreUnavailable``, as
    a backend does when its store does not answer (outage tests that need no emulator)."""

    down = False
    unavailable_cooldown = 0.0  # switched back on, it answers at once

    def _check(self) -> None:
        if self.down:
            raise CostStoreUnavailable()

    def record(self, event, local_date):
        self._check()
        return super().record(event, local_date)

    def get_event(self, event_id):
        self._check()
        return super().get_event(event_id)

    def recent_events(self, **filters):
        self._check()
        return super().recent_events(**filters)

    def tenant_daily_usage(self, tenant_id, start, end):
        self._check()
        return super().tenant_daily_usage(tenant_id, start, end)

    def global_daily_usage(self, start, end):
        self._check()
        return super().global_daily_usage(start, end)

    def usage_by_tenant(self, start, end):
        self._check()
        return super().usage_by_tenant(start, end)

    def first_usage_date(self):
        self._check()
        return super().first_usage_date()
