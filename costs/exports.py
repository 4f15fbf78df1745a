"""CSV export of the CEO costs tab: the same numbers as the page, one table with a ``section``
column (summary, provider, tenant, daily, event) so it opens cleanly in a spreadsheet."""

from collections.abc import Iterator
from decimal import Decimal

from costs.dashboard import DashboardData
from costs.domain import UsageTotals

COLUMNS = [
    "section",
    "date",
    "key",
    "name",
    "provider",
    "cost_usd",
    "generations",
    "successes",
    "failures",
    "success_rate",
    "share",
    "cache_savings_usd",
    "budget_used_percent",
    "error",
]


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def _fraction(value: Decimal) -> str:
    return f"{value:.4f}"


# OWASP's CSV-injection list: a cell starting with one of these is read as a formula by a
# spreadsheet (a leading tab or carriage return is skipped and the formula after it runs), and
# some spreadsheets fold the full-width forms to the ASCII ones before parsing.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")  # and full-width = + - @
# Columns holding text that a person or a client chose (organisation names, event ids sent as
# idempotency keys, provider error messages); the others are numbers and dates we format.
TEXT_COLUMNS = ("key", "name", "error")


def csv_safe_text(value: str) -> str:
    """``value`` as a spreadsheet shows it and never runs it: a cell that would start a formula
    gets a leading apostrophe (``=1+1`` -> ``'=1+1``, ``"\\t=1+1"`` -> ``"'\\t=1+1"``)."""
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def _row(section: str, totals: UsageTotals | None = None, **values: str) -> list[str]:
    if totals is not None:
        values.setdefault("cost_usd", _amount(totals.cost))
        values.setdefault("generations", str(totals.count))
        values.setdefault("successes", str(totals.successes))
        values.setdefault("failures", str(totals.failures))
        values.setdefault("success_rate", _fraction(totals.success_rate))
        values.setdefault("cache_savings_usd", _amount(totals.saved))
    values["section"] = section
    for column in TEXT_COLUMNS:
        values[column] = csv_safe_text(values.get(column, ""))
    return [values.get(column, "") for column in COLUMNS]


def dashboard_csv_rows(data: DashboardData) -> Iterator[list[str]]:
    """Header and rows for ``data`` (pass a dashboard with every tenant on one page)."""
    costs = data.costs
    yield COLUMNS
    for key, window, totals in (
        ("current", costs.period, costs.totals),
        ("previous", costs.previous_period, costs.previous_totals),
    ):
        yield _row(
            "summary",
            totals,
            date=f"{window.start.isoformat()}/{window.end.isoformat()}",
            key=key,
            name=f"{key} period",
        )
    for row in costs.by_provider:
        yield _row(
            "provider",
            row.totals,
            key=row.provider,
            name=row.label,
            provider=row.provider,
            share=_fraction(row.share),
        )
    for row in data.tenants.rows:
        yield _row(
            "tenant",
            row.totals,
            key=row.tenant_id,
            name=row.name,
            share=_fraction(row.share),
            budget_used_percent=str(row.budget.percent) if row.budget else "",
        )
    labels = {row.provider: row.label for row in costs.by_provider}
    for day in costs.daily:
        for provider in costs.providers_used:
            yield _row(
                "daily",
                day.by_provider.get(provider, UsageTotals()),
                date=day.date.isoformat(),
                key=provider,
                name=labels[provider],
                provider=provider,
            )
    for item in data.recent_events:
        event = item.event
        yield _row(
            "event",
            UsageTotals.of_event(event),
            date=event.created_at.isoformat(),
            key=event.id,
            name=item.tenant_name,
            provider=event.provider,
            error=event.error,
        )
