"""Plotly figures for the CEO costs tab, built in Python from the selectors' dataclasses and handed
to the page as JSON (plotly.js is served from our static files).

The figures are plain plotly figure dicts: ``plotly.graph_objects`` validates every property on
construction, which costs tens of milliseconds for a 90-day stacked chart on each request.
"""

from decimal import Decimal

from costs.money import format_cents
from costs.selectors import GlobalCostData

PROVIDER_COLOURS = {
    "gemini-flash": "#2f7d5b",
    "gemini-pro": "#5aa37f",
    "imagen": "#9cc9a8",
    "veo": "#c98a2b",
    "sora": "#6b5fb5",
    # Caption text calls (type ``text``): their own colours, not the "other" grey.
    "gemini-text": "#3f7fb5",
    "openai-text": "#b55f8a",
}
OTHER_COLOUR = "#8a8f87"


def provider_colour(provider: str) -> str:
    return PROVIDER_COLOURS.get(provider, OTHER_COLOUR)


def chart_layout(**extra) -> dict:
    """The layout every money chart of the product shares (dollar y axis, no backgrounds);
    ``extra`` adds to it or overrides it."""
    return {
        "margin": {"l": 56, "r": 12, "t": 12, "b": 40},
        "height": 300,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif", "size": 12},
        # Amounts travel as exact decimal strings, never floats; a linear axis reads them.
        "yaxis": {
            "type": "linear",
            "tickprefix": "$",
            "gridcolor": "#e6e8e3",
            "rangemode": "tozero",
        },
        **extra,
    }


def provider_figure(costs: GlobalCostData) -> dict:
    """Cost per provider (bars), with generations and share on hover."""
    rows = costs.by_provider
    bar = {
        "type": "bar",
        "x": [row.label for row in rows],
        "y": [str(row.totals.cost) for row in rows],
        "marker": {"color": [provider_colour(row.provider) for row in rows]},
        "customdata": [
            [format_cents(row.totals.cost), row.totals.count, f"{row.share * 100:.1f}%"]
            for row in rows
        ],
        "hovertemplate": (
            "%{x}: %{customdata[0]}<br>%{customdata[1]} generations · %{customdata[2]}"
            "<extra></extra>"
        ),
    }
    # ``drill``: for each bar, the ``data-drill`` key of the page's link that narrows the tab to it
    # (static/js/charts.js follows that link on a click; without JavaScript the link is there).
    return {
        "data": [bar],
        "layout": chart_layout(),
        "drill": [f"provider-{row.provider}" for row in rows],
    }


def daily_figure(costs: GlobalCostData) -> dict:
    """Cost per day stacked by provider; every day of the period is on the axis (zeros included)."""
    days = [day.date.isoformat() for day in costs.daily]
    providers = [row.provider for row in costs.by_provider if row.totals.count] or [
        row.provider for row in costs.by_provider
    ]
    labels = {row.provider: row.label for row in costs.by_provider}
    traces = []
    for provider in providers:
        amounts = [
            day.by_provider[provider].cost if provider in day.by_provider else Decimal(0)
            for day in costs.daily
        ]
        traces.append(
            {
                "type": "bar",
                "name": labels[provider],
                "x": days,
                "y": [str(amount) for amount in amounts],
                "customdata": [format_cents(amount) for amount in amounts],
                "marker": {"color": provider_colour(provider)},
                "hovertemplate": "%{fullData.name}: %{customdata}<extra></extra>",
            }
        )
    tick_days = max(1, len(days) // 12)
    layout = chart_layout(barmode="stack", legend={"orientation": "h", "y": -0.18}, hovermode="x")
    layout["xaxis"] = {"type": "date", "tickformat": "%d %b", "dtick": 86400000 * tick_days}
    return {"data": traces, "layout": layout, "drill": [f"day-{day}" for day in days]}
