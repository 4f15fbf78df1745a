"""The CEO dashboard (super admins): ``/dashboard/ceo?tab=costs``.

The view parses the query string, calls ``get_media_costs_dashboard`` and renders: the whole page,
the ``costs-tab`` partial for an HTMX request, or CSV. Every link carries the whole state in its
URL, so it works without JavaScript, can be shared, and the back button returns to it.
"""

import csv
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bakedbot.errors import InvalidInput
from bakedbot.selectors import list_organisations, organisation_exists
from bakedbot.tenancy import super_admin_required
from bakedbot.validation import NUMBER_MAX_CHARS, is_ascii_digits
from costs.charts import daily_figure, provider_figure
from costs.dashboard import TENANT_SORTS, EventFilters, get_media_costs_dashboard
from costs.exports import dashboard_csv_rows
from costs.pricing import PROVIDER_LABELS, PROVIDERS
from costs.ranges import CUSTOM, DASHBOARD_PERIODS, parse_dashboard_period
from costs.repository import CostStoreUnavailable
from costs.selectors import count_waiting_generations, get_first_usage_date, platform_today

TABS = {"costs": "Media costs"}
SUCCESS_CHOICES = {"yes": True, "no": False}
CSV_ALL_ROWS = 1_000_000


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
        # A new period or order starts again at the first page of tenants.
        resets_page = any(name in changes for name in ("period", "start", "end", "sort", "dir"))
        if resets_page and "page" not in changes:
            values.pop("page", None)
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


QUERY_FIELDS = ("period", "start", "end", "sort", "dir", "page", "tenant", "provider", "success")


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
    return period, {
        "sort": sort,
        "descending": direction == "desc",
        "page": int(raw_page),
        "filters": EventFilters(
            tenant_id=tenant, provider=provider, success=SUCCESS_CHOICES.get(success)
        ),
    }


def _csv_response(period, options) -> StreamingHttpResponse:
    data = get_media_costs_dashboard(period.range, **{**options, "page": 1}, per_page=CSV_ALL_ROWS)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in dashboard_csv_rows(data)), content_type="text/csv"
    )
    name = f"media-costs-{period.range.start.isoformat()}-{period.range.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@super_admin_required
def ceo(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("tab", "costs")
    if tab not in TABS:
        raise Http404("No such tab")
    query = CostsQuery({name: request.GET.get(name, "").strip() for name in QUERY_FIELDS})
    context = {
        "tab": tab,
        "tabs": TABS,
        "query": query,
        "periods": [
            (key, label, query.period_url(key)) for key, label in DASHBOARD_PERIODS.items()
        ],
        "providers": [(p, PROVIDER_LABELS[p]) for p in PROVIDERS],
        "organisations": [(org.id, org.name) for org in list_organisations()],
    }
    status = 200
    # From the Django database, so it shows while the cost store is down too.
    context["waiting"] = count_waiting_generations()
    try:
        period, options = _parse(query)
        if request.GET.get("format") == "csv":
            return _csv_response(period, options)
        data = get_media_costs_dashboard(period.range, **options)
    except InvalidInput as exc:
        context["error"] = exc.message
        status = 400
    except CostStoreUnavailable as exc:
        # The tab says so; the rest of the page (tabs, period picker, filters) still works. A
        # CSV download gets no page in place of its file.
        context["unavailable"] = exc.message
        if request.GET.get("format") == "csv":
            status = 503
    else:
        if options["page"] != data.tenants.page:
            query = replace(query, values={**query.values, "page": str(data.tenants.page)})
        context.update(
            period=period,
            data=data,
            provider_chart=provider_figure(data.costs),
            daily_chart=daily_figure(data.costs),
            query=query,
            sort_urls={sort: query.sort_url(sort) for sort in TENANT_SORTS},
            csv_url=query.url(format="csv"),
            previous_page_url=query.url(page=str(data.tenants.page - 1)),
            next_page_url=query.url(page=str(data.tenants.page + 1)),
        )
    partial = request.htmx and not request.htmx.history_restore_request
    template = "costs/ceo.html#costs-tab" if partial else "costs/ceo.html"
    return render(request, template, context, status=status)
