"""What the media dashboard shows, assembled from the cost core's selectors, and its two plotly
figures: plain figure dicts built here in Python (``plotly.graph_objects`` would validate every
property on each request); the page only hands them to plotly.js."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.http import QueryDict

from costs.budget_selectors import (
    CostAlertInfo,
    MediaBudgetConfig,
    MediaBudgetStatus,
    count_unacknowledged_alerts,
    get_media_budget,
    get_media_budget_status,
    get_media_cost_alerts,
)
from costs.budget_validation import LIMIT_FIELDS
from costs.charts import chart_layout, provider_colour
from costs.domain import MediaGenerationEvent, MediaUsageStats
from costs.pricing import PROVIDER_LABELS, PROVIDERS
from costs.repository import CostStoreUnavailable
from costs.selectors import count_waiting_generations, get_media_usage, get_recent_media_events

RECENT_EVENTS = 20
ALERTS_SHOWN = 20


@dataclass(frozen=True)
class RecentGeneration:
    event: MediaGenerationEvent
    provider_label: str


@dataclass(frozen=True)
class MediaDashboard:
    """The page's parts. The cost store's (``status``, ``month``, the figures, recent events) are
    empty and ``unavailable`` says why when the store did not answer; budget settings, alerts and
    the outbox count come from the Django database and show regardless."""

    config: MediaBudgetConfig
    status: MediaBudgetStatus | None
    alerts: list[CostAlertInfo]
    unacknowledged_alerts: int
    month: MediaUsageStats | None
    provider_rows: list[tuple[str, str, Decimal, int]]  # provider, label, cost, count
    provider_figure: dict | None
    daily_figure: dict | None
    recent_events: list[RecentGeneration]
    waiting: int = 0  # generations waiting in the outbox to be recorded
    unavailable: str = ""


@dataclass(frozen=True)
class BudgetPanel:
    """The budget panel's reads: the settings always (Django database), the spend against them
    unless the cost store did not answer (``unavailable`` says why)."""

    config: MediaBudgetConfig
    status: MediaBudgetStatus | None
    unavailable: str = ""


def get_budget_panel(tenant_id: str) -> BudgetPanel:
    try:
        status = get_media_budget_status(tenant_id)
    except CostStoreUnavailable as exc:
        return BudgetPanel(config=get_media_budget(tenant_id), status=None, unavailable=exc.message)
    return BudgetPanel(config=status.config, status=status)


def get_media_dashboard(tenant_id: str) -> MediaDashboard:
    common = {
        "alerts": get_media_cost_alerts(tenant_id, limit=ALERTS_SHOWN),
        "unacknowledged_alerts": count_unacknowledged_alerts(tenant_id),
        "waiting": count_waiting_generations(tenant_id),
    }
    try:
        status = get_media_budget_status(tenant_id)
        month_window = status.period("month").window
        month = get_media_usage(tenant_id, month_window.start_date, status.as_of.date())
        recent = get_recent_media_events(tenant_id, RECENT_EVENTS)
    except CostStoreUnavailable as exc:
        return MediaDashboard(
            config=get_media_budget(tenant_id),
            status=None,
            month=None,
            provider_rows=[],
            provider_figure=None,
            daily_figure=None,
            recent_events=[],
            unavailable=exc.message,
            **common,
        )
    rows = [
        (provider, PROVIDER_LABELS.get(provider, provider), totals.cost, totals.count)
        for provider, totals in sorted(month.by_provider.items(), key=lambda i: -i[1].cost_micros)
    ]
    has_usage = month.total_generations > 0
    return MediaDashboard(
        config=status.config,
        status=status,
        month=month,
        provider_rows=rows,
        provider_figure=provider_figure(rows) if has_usage else None,
        daily_figure=daily_figure(month) if has_usage else None,
        recent_events=[
            RecentGeneration(event, PROVIDER_LABELS.get(event.provider, event.provider))
            for event in recent
        ],
        **common,
    )


def provider_figure(rows: list[tuple[str, str, Decimal, int]]) -> dict:
    """Cost per provider this month (bars), generations on hover."""
    bars = {
        "type": "bar",
        "x": [label for _, label, _, _ in rows],
        "y": [str(cost) for _, _, cost, _ in rows],
        "marker": {"color": [provider_colour(provider) for provider, *_ in rows]},
        "customdata": [count for *_, count in rows],
        "hovertemplate": "%{x}: $%{y:,.4f} (%{customdata} generations)<extra></extra>",
    }
    return {"data": [bars], "layout": chart_layout()}


def daily_figure(month: MediaUsageStats) -> dict:
    """Cost per day of the month so far, stacked by provider; days without usage show as $0."""
    span = (month.end_date - month.start_date).days + 1
    days = [month.start_date + timedelta(days=i) for i in range(span)]
    by_day = {day.date: day.by_provider for day in month.daily}
    providers = [p for p in PROVIDERS if p in month.by_provider]
    providers += sorted(set(month.by_provider) - set(PROVIDERS))
    traces = []
    for provider in providers:
        costs = []
        for day in days:
            totals = by_day.get(day, {}).get(provider)
            costs.append(str(totals.cost) if totals else "0")
        traces.append(
            {
                "type": "bar",
                "name": PROVIDER_LABELS.get(provider, provider),
                "x": [day.isoformat() for day in days],
                "y": costs,
                "marker": {"color": provider_colour(provider)},
                "hovertemplate": "%{x}: $%{y:,.4f}<extra>%{fullData.name}</extra>",
            }
        )
    layout = chart_layout(
        barmode="stack",
        legend={"orientation": "h", "y": -0.2},
        xaxis={"type": "date", "tickformat": "%d %b", "dtick": 2 * 86_400_000},
    )
    return {"data": traces, "layout": layout}


def budget_form_values(config: MediaBudgetConfig) -> dict[str, object]:
    """The budget form's initial values: limits as plain "12.50" strings."""
    values: dict[str, object] = {}
    for field, period in LIMIT_FIELDS.items():
        limit = config.limit(period)
        values[field] = "" if limit is None else f"{limit:.2f}"
    values["soft_threshold_percent"] = str(config.soft_threshold_percent)
    values["hard_limit_enabled"] = config.hard_limit_enabled
    values["alert_recipients"] = ", ".join(config.alert_recipients)
    return values


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: object
    error: str
    inputmode: str
    placeholder: str


_TEXT_FIELDS = [
    ("daily_limit", "Daily limit ($)", "decimal", "No limit"),
    ("weekly_limit", "Weekly limit ($)", "decimal", "No limit"),
    ("monthly_limit", "Monthly limit ($)", "decimal", "No limit"),
    ("soft_threshold_percent", "Warn at (% of a limit)", "numeric", "80"),
]


def budget_form_fields(values: dict[str, object], errors: dict[str, str]) -> list[FormField]:
    """The budget form's text inputs with their values and errors, in display order."""
    return [
        FormField(name, label, values.get(name, ""), errors.get(name, ""), inputmode, placeholder)
        for name, label, inputmode, placeholder in _TEXT_FIELDS
    ]


def budget_updates_from_form(data: QueryDict) -> dict[str, object]:
    """A POSTed budget form as ``update_media_budget`` updates (an unticked box is absent)."""
    updates: dict[str, object] = {
        field: data.get(field, "")
        for field in (*LIMIT_FIELDS, "soft_threshold_percent", "alert_recipients")
    }
    updates["hard_limit_enabled"] = data.get("hard_limit_enabled") == "on"
    return updates
