"""The CEO dashboard (super admins): ``/dashboard/ceo?tab=costs``, and its two CSV downloads
``/dashboard/ceo/summary.csv`` and ``/dashboard/ceo/events.csv`` (same query string).

The view parses the query string, calls ``get_media_costs_dashboard``, the forecast and the events
explorer and renders: the whole page, the ``costs-tab`` partial for an HTMX request (or only the
``costs-events`` partial when the explorer pages), or CSV. Every link carries the whole state in
its URL, so it works without JavaScript, can be shared, and the back button returns to it.
"""

import base64
import binascii
import csv
from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from bakedbot.errors import InvalidInput
from bakedbot.selectors import list_organisations, organisation_exists
from bakedbot.tenancy import super_admin_required
from bakedbot.validation import NUMBER_MAX_CHARS, is_ascii_digits
from costs.charts import daily_figure, provider_figure
from costs.dashboard import TENANT_SORTS, get_media_costs_dashboard
from costs.exports import dashboard_csv_rows, events_csv_rows
from costs.forecast import get_spend_forecast
from costs.pricing import PROVIDER_LABELS, PROVIDERS
from costs.ranges import CUSTOM, DASHBOARD_PERIOD_BUTTONS, DASHBOARD_PERIODS, parse_dashboard_period
from costs.repository import CostStoreUnavailable, EventPosition
from costs.selectors import (
    EventFilters,
    count_waiting_generations,
    get_events_page,
    get_first_usage_date,
    iter_media_events,
    platform_today,
)
from costs.stores import get_repository

TABS = {"costs": "Media costs"}
SUCCESS_CHOICES = {"yes": True, "no": False}
CSV_ALL_ROWS = 1_000_000
EVENTS_PER_PAGE = 50
CURSOR_MAX_CHARS = 400


class _Echo:
    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class CostsQuery:
    """The tab's state, exactly as the URL carries it (empty values are left out of URLs)."""

    values: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def url(self, **changes: str) -> str:
        values = {"tab": "costs", **self.values, **changes}
        # A new period or order starts again at the first page of tenants; a new period or filter
        # at the newest events.
        resets_page = any(name in changes for name in ("period", "start", "end", "sort", "dir"))
        if resets_page and "page" not in changes:
            values.pop("page", None)
        if "before" not in changes:
            values.pop("before", None)
        if changes.get("period") and changes["period"] != CUSTOM:
            values.pop("start", None)
            values.pop("end", None)
        return "?" + urlencode({k: v for k, v in values.items() if v})

    def period_url(self, key: str) -> str:
        return self.url(period=key, start="", end="")

    def sort_url(self, sort: str) -> str:
        current, descending = self.get("sort") or "cost", self.get("dir") != "asc"
        if sort == current:
            return self.url(sort=sort, dir="asc" if descending else "desc")
        return self.url(sort=sort, dir="asc" if sort == "name" else "desc")

    def drill_day_url(self, day: str) -> str:
        return self.url(period=CUSTOM, start=day, end=day)

    def drill_provider_url(self, provider: str) -> str:
        return self.url(provider=provider)


QUERY_FIELDS = (
    "period",
    "start",
    "end",
    "sort",
    "dir",
    "page",
    "tenant",
    "provider",
    "success",
    "before",
)


def encode_cursor(position: EventPosition) -> str:
    """The events explorer's position in a URL: opaque, but only ever a time and an event id."""
    raw = f"{position[0].isoformat()}|{position[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> EventPosition:
    message = "before must be a position given by the events list's Older link"
    if len(value) > CURSOR_MAX_CHARS:
        raise InvalidInput(before=message)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        moment, event_id = raw.split("|", 1)
        at = datetime.fromisoformat(moment)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(before=message) from None
    if at.tzinfo is None:
        raise InvalidInput(before=message)
    return at, event_id


def scope_text(filters: EventFilters, names: dict[str, str]) -> str:
    """What every figure of the tab is narrowed to, in words."""
    parts = [
        names.get(filters.tenant_id, filters.tenant_id)
        if filters.tenant_id
        else "all organisations",
        PROVIDER_LABELS[filters.provider] if filters.provider else "all providers",
        {True: "succeeded generations only", False: "failed generations only"}.get(
            filters.success, "every result"
        ),
    ]
    return "; ".join(parts)


def _parse(query: CostsQuery):
    """(period, keyword arguments for the selector); ``InvalidInput`` naming the bad field."""
    period = parse_dashboard_period(
        query.get("period"),
        query.get("start"),
        query.get("end"),
        today=platform_today(),
        first_date=get_first_usage_date() if query.get("period") == "all" else None,
    )
    sort = query.get("sort") or "cost"
    if sort not in TENANT_SORTS:
        raise InvalidInput(sort=f"sort must be one of {', '.join(TENANT_SORTS)}; got {sort!r}")
    direction = query.get("dir") or ("asc" if sort == "name" else "desc")
    if direction not in ("asc", "desc"):
        raise InvalidInput(dir=f"dir must be asc or desc; got {direction!r}")
    raw_page = query.get("page") or "1"
    if not is_ascii_digits(raw_page) or len(raw_page) > NUMBER_MAX_CHARS or int(raw_page) < 1:
        raise InvalidInput(page=f"page must be a whole number from 1; got {raw_page!r}")
    provider = query.get("provider") or None
    if provider is not None and provider not in PROVIDERS:
        raise InvalidInput(
            provider=f"provider must be one of {', '.join(PROVIDERS)}; got {provider!r}"
        )
    success = query.get("success")
    if success and success not in SUCCESS_CHOICES:
        raise InvalidInput(success=f"success must be yes or no; got {success!r}")
    tenant = query.get("tenant") or None
    if tenant is not None and not organisation_exists(tenant):
        raise InvalidInput(tenant=f"tenant {tenant!r} is not an organisation")
    before = query.get("before")
    if before:
        decode_cursor(before)
    return period, {
        "sort": sort,
        "descending": direction == "desc",
        "page": int(raw_page),
        "filters": EventFilters(
            tenant_id=tenant, provider=provider, success=SUCCESS_CHOICES.get(success)
        ),
    }


def _attachment(rows, name: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _csv_name(kind: str, period) -> str:
    return f"media-{kind}-{period.range.start.isoformat()}-{period.range.end.isoformat()}.csv"


def _summary_csv(period, options) -> StreamingHttpResponse:
    data = get_media_costs_dashboard(period.range, **{**options, "page": 1}, per_page=CSV_ALL_ROWS)
    names = {org.id: org.name for org in list_organisations()}
    rows = dashboard_csv_rows(data, scope=scope_text(options["filters"], names))
    return _attachment(rows, _csv_name("costs", period))


def _events_csv(period, options) -> StreamingHttpResponse:
    # Rows are produced while the response is sent: the store is read a page at a time.
    names = {org.id: org.name for org in list_organisations()}
    rows = events_csv_rows(iter_media_events(period.range, options["filters"]), names)
    return _attachment(rows, _csv_name("events", period))


def _query_of(request: HttpRequest) -> CostsQuery:
    return CostsQuery({name: request.GET.get(name, "").strip() for name in QUERY_FIELDS})


def _download(request: HttpRequest, respond) -> HttpResponse:
    try:
        period, options = _parse(_query_of(request))
        return respond(period, options)
    except InvalidInput as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    except CostStoreUnavailable as exc:
        return HttpResponse(exc.message, status=503, content_type="text/plain; charset=utf-8")


@require_GET
@super_admin_required
def summary_csv(request: HttpRequest) -> HttpResponse:
    """The tab's figures for its period and filters as CSV."""
    return _download(request, _summary_csv)


@require_GET
@super_admin_required
def events_csv(request: HttpRequest) -> HttpResponse:
    """Every event of the tab's period and filters as CSV, streamed row by row."""
    return _download(request, _events_csv)


def _events_context(query: CostsQuery, period, filters: EventFilters) -> dict:
    before = query.get("before")
    events = get_events_page(
        period.range,
        filters,
        before=decode_cursor(before) if before else None,
        limit=EVENTS_PER_PAGE,
    )
    return {
        "events": events,
        "older_events_url": query.url(before=encode_cursor(events.next_before))
        if events.next_before
        else "",
        "newest_events_url": query.url(before="") if before else "",
    }


@require_GET
@super_admin_required
def ceo(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "costs")
    if tab not in TABS:
        raise Http404("No such tab")
    query = _query_of(request)
    organisations = list_organisations()
    context = {
        "tab": tab,
        "tabs": TABS,
        "query": query,
        "periods": [
            (key, label, DASHBOARD_PERIOD_BUTTONS[key], query.period_url(key))
            for key, label in DASHBOARD_PERIODS.items()
        ],
        "providers": [(p, PROVIDER_LABELS[p]) for p in PROVIDERS],
        "organisations": [(org.id, org.name) for org in organisations],
    }
    status = 200
    # From the Django database, so it shows while the cost store is down too.
    context["waiting"] = count_waiting_generations()
    only_events = bool(request.htmx) and request.htmx.target == "costs-events"
    try:
        period, options = _parse(query)
        if request.GET.get("format") == "csv":
            return _summary_csv(period, options)
        filters = options["filters"]
        names = {org.id: org.name for org in organisations}
        # One page, one read of each cost document: the events, the period, its budget windows
        # and the forecast's month overlap (costs/README.md, read arithmetic).
        with get_repository().read_scope():
            context.update(
                period=period,
                filters=filters,
                scope=scope_text(filters, names),
                **_events_context(query, period, filters),
            )
            if not only_events:
                data = get_media_costs_dashboard(period.range, **options)
                forecast = get_spend_forecast(tenant_id=filters.tenant_id)
    except InvalidInput as exc:
        context["error"] = exc.message
        context["error_field"] = exc.field
        status = 400
    except CostStoreUnavailable as exc:
        # The tab says so; the rest of the page (tabs, period picker, filters) still works. A
        # CSV download gets no page in place of its file.
        context["unavailable"] = exc.message
        if request.GET.get("format") == "csv":
            status = 503
    else:
        if only_events:
            return render(request, "costs/ceo.html#costs-events", context)
        if options["page"] != data.tenants.page:
            query = replace(query, values={**query.values, "page": str(data.tenants.page)})
        export_query = urlencode({k: v for k, v in query.values.items() if v and k != "before"})
        context.update(
            data=data,
            forecast=forecast,
            provider_chart=provider_figure(data.costs),
            daily_chart=daily_figure(data.costs),
            query=query,
            sort_urls={sort: query.sort_url(sort) for sort in TENANT_SORTS},
            csv_url=f"{reverse('costs:summary_csv')}?{export_query}",
            events_csv_url=f"{reverse('costs:events_csv')}?{export_query}",
            previous_page_url=query.url(page=str(data.tenants.page - 1)),
            next_page_url=query.url(page=str(data.tenants.page + 1)),
            drill_days=[
                (day.date, query.drill_day_url(day.date.isoformat())) for day in data.costs.daily
            ],
            drill_providers=[
                (row.provider, row.label, query.drill_provider_url(row.provider))
                for row in data.costs.by_provider
            ],
            clear_filters_url=query.url(tenant="", provider="", success=""),
        )
    partial = request.htmx and not request.htmx.history_restore_request
    template = "costs/ceo.html#costs-tab" if partial else "costs/ceo.html"
    return render(request, template, context, status=status)
