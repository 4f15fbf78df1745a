"""CSV exports of the CEO costs tab, both for the tab's period and filters:

- the summary (``dashboard_csv_rows``): the same numbers as the page, one table with a ``section``
  column (scope, summary, provider, tenant, daily) so it opens cleanly in a spreadsheet;
- every event (``events_csv_rows``): one row per generation, read from the store a page at a time
  so a million events stream out in constant memory.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

from costs.dashboard import DashboardData
from costs.domain import MediaGenerationEvent, UsageTotals

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


def dashboard_csv_rows(data: DashboardData, *, scope: str = "") -> Iterator[list[str]]:
    """Header and rows for ``data`` (pass a dashboard with every tenant on one page); ``scope``
    says in words what the figures are narrowed to."""
    costs = data.costs
    yield COLUMNS
    yield _row("scope", name=scope or "All organisations, providers and results")
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


EVENT_COLUMNS = [
    "id",
    "created_at_utc",
    "local_time",
    "time_zone",
    "organisation_id",
    "organisation",
    "user_id",
    "type",
    "provider",
    "model",
    "duration_seconds",
    "cost_usd",
    "success",
    "error",
    "generation_ms",
    "cache_hit",
    "cache_savings_usd",
    "price_version",
    "playbook_run_id",
    "content_id",
    "simulated",
]
# Text a client or a provider chose; the other columns are numbers, flags and dates we format.
EVENT_TEXT_COLUMNS = frozenset(
    {"id", "organisation_id", "organisation", "user_id", "model", "error", "price_version"}
    | {"playbook_run_id", "content_id"}
)


def _event_row(event: MediaGenerationEvent, local: datetime, name: str) -> list[str]:
    values = {
        "id": event.id,
        "created_at_utc": event.created_at.isoformat(),
        "local_time": local.isoformat(),
        "time_zone": str(local.tzinfo),
        "organisation_id": event.tenant_id,
        "organisation": name,
        "user_id": event.user_id,
        "type": event.type,
        "provider": event.provider,
        "model": event.model,
        "duration_seconds": "" if event.duration_seconds is None else str(event.duration_seconds),
        "cost_usd": _amount(event.cost),
        "success": "yes" if event.success else "no",
        "error": event.error,
        "generation_ms": "" if event.generation_ms is None else str(event.generation_ms),
        "cache_hit": "yes" if event.cache_hit else "no",
        "cache_savings_usd": _amount(event.saved),
        "price_version": event.price_version,
        "playbook_run_id": event.playbook_run_id or "",
        "content_id": event.content_id or "",
        "simulated": "yes" if event.simulated else "no",
    }
    return [
        csv_safe_text(values[column]) if column in EVENT_TEXT_COLUMNS else values[column]
        for column in EVENT_COLUMNS
    ]


def events_csv_rows(
    events: Iterable[tuple[MediaGenerationEvent, datetime]], names: dict[str, str]
) -> Iterator[list[str]]:
    """Header and one row per ``(event, local time)`` (``costs.selectors.iter_media_events``),
    produced as ``events`` is read: nothing is held beyond the current row."""
    yield EVENT_COLUMNS
    for event, local in events:
        yield _event_row(event, local, names.get(event.tenant_id, event.tenant_id))
