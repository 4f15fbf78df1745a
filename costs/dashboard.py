"""The CEO costs tab (``/dashboard/ceo?tab=costs``): summary cards, providers, a sorted page of
organisations with their budget usage and the daily series, in one read, every figure narrowed by
the tab's filters (``EventFilters``). The events explorer is ``costs.selectors.get_events_page``.

It sits above both ``costs.selectors`` (spend and platform totals) and ``costs.budget_selectors``
(budget usage), which read the store and never this module.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from bakedbot.errors import InvalidInput
from costs.budget_selectors import BudgetUsage, get_budget_usage_by_tenant
from costs.domain import UsageTotals
from costs.ranges import DateRange
from costs.selectors import EventFilters, GlobalCostData, TenantCost, get_global_media_costs
from costs.stores import get_repository

TENANT_SORTS = ("cost", "count", "success_rate", "name", "budget")
TENANTS_PER_PAGE = 25


def _change(current: Decimal, previous: Decimal) -> Decimal | None:
    """Relative change against the previous period (None when there is nothing to compare)."""
    if previous == 0:
        return None
    return (current - previous) / previous


@dataclass(frozen=True)
class MetricCard:
    key: str
    label: str
    kind: str  # "money", "count" or "percent"
    value: Decimal
    previous: Decimal
    change: Decimal | None  # relative to the previous period, None without a previous value
    # False: the previous period lies before the first generation, there is nothing to compare.
    comparable: bool = True


@dataclass(frozen=True)
class TenantRow(TenantCost):
    """An organisation's line on the tab: its costs and, when it has a limit, its budget use."""

    budget: BudgetUsage | None = None


@dataclass(frozen=True)
class TenantPage:
    rows: list[TenantRow]
    sort: str
    descending: bool
    page: int
    pages: int
    per_page: int
    total: int


@dataclass(frozen=True)
class DashboardData:
    """``get_media_costs_dashboard``: everything the CEO costs tab shows."""

    costs: GlobalCostData
    cards: list[MetricCard]
    tenants: TenantPage
    filters: EventFilters
    has_any_usage: bool


def _cards(current: UsageTotals, previous: UsageTotals, comparable: bool) -> list[MetricCard]:
    values = [
        ("cost", "Total cost", "money", current.cost, previous.cost),
        ("generations", "Generations", "count", Decimal(current.count), Decimal(previous.count)),
        ("success_rate", "Success rate", "percent", current.success_rate, previous.success_rate),
        ("average", "Average cost", "money", current.average_cost, previous.average_cost),
        ("savings", "Cache savings", "money", current.saved, previous.saved),
    ]
    return [
        MetricCard(
            key,
            label,
            kind,
            value,
            before,
            _change(value, before) if comparable else None,
            comparable,
        )
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
    tenants (sorted; budget usage where a budget exists) and the daily series, all narrowed by
    ``filters``."""
    if sort not in TENANT_SORTS:
        raise InvalidInput(sort=f"sort must be one of {', '.join(TENANT_SORTS)}; got {sort!r}")
    if page < 1:
        raise InvalidInput(page="page must be 1 or more")
    filters = filters or EventFilters()
    repository = get_repository()
    # Budget windows lie inside the period (or next to it): each document is read once.
    with repository.read_scope():
        costs = get_global_media_costs(period, filters=filters)
        rows = [TenantRow(**vars(row)) for row in costs.by_tenant]
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
        return DashboardData(
            costs=costs,
            cards=_cards(costs.totals, costs.previous_totals, costs.comparable),
            tenants=TenantPage(page_rows, sort, descending, page, pages, per_page, len(rows)),
            filters=filters,
            has_any_usage=costs.totals.count > 0 or repository.first_usage_date() is not None,
        )
