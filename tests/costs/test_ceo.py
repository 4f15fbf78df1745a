"""/dashboard/ceo?tab=costs: who may see it, the numbers it shows (on both stores), periods,
HTMX fragments, sorting and pages of tenants, the events explorer's filters and the CSV exports.
(Filters on every figure, drill-down links, paging and the forecast: test_ceo_explore.py.)"""

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from costs.budgets import update_media_budget
from costs.domain import MediaGenerationEvent
from costs.exports import csv_safe_text
from costs.services import track_media_generation, track_media_generations
from tests.factories import OrganisationFactory

URL = "/dashboard/ceo"


def _noon(days_ago: int) -> datetime:
    """Noon UTC ``days_ago`` days before today: the same local date in the Americas."""
    today = timezone.localdate()
    return datetime.combine(today - timedelta(days=days_ago), datetime.min.time(), tzinfo=UTC) + (
        timedelta(hours=20)
    )


def _event(tenant, n, days_ago, provider="gemini-pro", **kwargs):
    media_type = "video" if provider in ("veo", "sora") else "image"
    if media_type == "video":
        kwargs.setdefault("duration_seconds", 8)
    return MediaGenerationEvent(
        id=f"{tenant.pk}-{n}",
        tenant_id=tenant.pk,
        user_id="u1",
        type=media_type,
        provider=provider,
        created_at=_noon(days_ago) - timedelta(hours=10),
        **kwargs,
    )


@pytest.fixture
def seeded(org_a, org_b):
    """Known events: in the last 7 days and in the 7 days before them."""
    # Priced here, so the figures do not move with the price book.
    events = [
        _event(org_a, 1, 0, "gemini-pro", cost_micros=40_000),
        _event(org_a, 2, 1, "veo", duration_seconds=10, cost_micros=1_125_000),
        _event(org_a, 3, 2, "imagen", success=False, error="SAFETY: blocked", cost_micros=0),
        _event(org_b, 1, 3, "sora", duration_seconds=12, cost_micros=1_500_000),
        _event(org_b, 2, 6, "gemini-flash", cache_hit=True, cost_micros=0, saved_micros=20_000),
        _event(org_b, 3, 9, "gemini-flash", cost_micros=20_000),  # previous week
        _event(org_b, 4, 10, "veo", duration_seconds=4, cost_micros=500_000),  # previous week
    ]
    for event in events:
        track_media_generation(event)
    return events


def _card(html: str, key: str) -> str:
    match = re.search(
        rf'data-testid="card-{key}">.*?data-testid="value">(.*?)</div>.*?'
        rf'data-testid="change">\s*(.*?)\s*<span',
        html,
        re.S,
    )
    assert match, key
    return f"{match.group(1)} {match.group(2)}"


# -- who may see it -----------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_log_in(client):
    response = client.get(URL + "?tab=costs")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["owner_a_client", "member_a_client", "user_b_client"])
def test_it_refuses_tenant_users(request, who):
    assert request.getfixturevalue(who).get(URL + "?tab=costs").status_code == 403
    assert request.getfixturevalue(who).get(URL + "?tab=costs&format=csv").status_code == 403


def test_it_only_answers_get(super_admin_client):
    assert super_admin_client.post(URL + "?tab=costs").status_code == 405


def test_it_answers_404_for_an_unknown_tab(super_admin_client):
    assert super_admin_client.get(URL + "?tab=payroll").status_code == 404


# -- the numbers --------------------------------------------------------------------------------


def test_it_shows_the_sums_of_the_events(cost_store, super_admin_client, seeded, org_a, org_b):
    response = super_admin_client.get(URL + "?tab=costs&period=7d")
    assert response.status_code == 200
    html = response.content.decode()
    # This week: $0.04 + $1.125 + $0 + $1.50 + $0 = $2.665 over 5; last week $0.52 over 2.
    # Totals show cents (half up); the average is a unit price and keeps its sub-cent digits.
    assert _card(html, "cost") == "$2.67 +412.5%"
    assert _card(html, "generations") == "5 +150.0%"
    assert _card(html, "success_rate") == "80.0% -20.0%"
    assert _card(html, "average") == "$0.533 +105.0%"
    assert _card(html, "savings") == "$0.02 —"

    data = response.context["data"]
    providers = {row.provider: row for row in data.costs.by_provider}
    # The price book's providers, in its order (media first; text providers follow).
    assert list(providers)[:5] == ["gemini-flash", "gemini-pro", "imagen", "veo", "sora"]
    assert providers["sora"].totals.cost == Decimal("1.5")
    assert providers["veo"].share == Decimal("1.125") / Decimal("2.665")
    assert '<tr data-provider="veo"><td>Veo</td><td class="num">$1.13</td>' in html
    assert [(row.tenant_id, row.totals.cost) for row in data.tenants.rows] == [
        (org_b.pk, Decimal("1.5")),
        (org_a.pk, Decimal("1.165")),
    ]
    assert f'href="/dashboard/media?tenant={org_a.pk}"' in html
    assert len(data.costs.daily) == 7
    assert sum((day.totals.cost for day in data.costs.daily), Decimal(0)) == Decimal("2.665")
    assert [day.totals.count for day in data.costs.daily].count(0) == 2  # days without events
    assert "SAFETY: blocked" in html
    assert 'data-plotly="daily-chart"' in html
    assert 'id="provider-chart"' in html


def test_it_shows_the_last_30_days_by_default(super_admin_client, seeded):
    response = super_admin_client.get(URL + "?tab=costs")
    assert response.context["period"].key == "30d"
    assert response.context["data"].costs.totals.count == 7


def test_it_starts_all_time_at_the_first_event(super_admin_client, seeded):
    response = super_admin_client.get(URL + "?tab=costs&period=all")
    assert response.context["data"].costs.period.start == timezone.localdate() - timedelta(days=10)
    assert response.context["data"].costs.totals.count == 7


def test_it_shows_a_custom_range(super_admin_client, seeded):
    today = timezone.localdate()
    start, end = today - timedelta(days=10), today - timedelta(days=9)
    response = super_admin_client.get(URL, {"tab": "costs", "start": start, "end": end})
    assert response.status_code == 200
    assert response.context["period"].key == "custom"
    assert response.context["data"].costs.totals.cost == Decimal("0.52")
    html = response.content.decode()
    assert f'value="{start.isoformat()}"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=fortnight", "period must be one of 7d, 30d, 90d, month, last_month, all, custom"),
        ("period=custom", "start and end dates are required"),
        ("start=yesterday&end=2026-11-02", "start must be a date"),
        ("start=2026-11-02&end=2026-13-01", "end must be a date"),
        ("start=2026-11-05&end=2026-11-01", "end must not be before start"),
        ("period=7d&start=2026-11-01&end=2026-11-02", "period must be custom"),
        ("sort=price", "sort must be one of"),
        ("dir=sideways", "dir must be asc or desc"),
        ("page=two", "page must be a whole number"),
        ("page=0", "page must be a whole number"),
        ("provider=dall-e", "provider must be one of"),
        ("success=maybe", "success must be yes or no"),
        ("tenant=org_nobody", "tenant &#x27;org_nobody&#x27; is not an organisation"),
    ],
)
def test_it_answers_bad_input_with_a_clear_message(super_admin_client, seeded, query, message):
    response = super_admin_client.get(f"{URL}?tab=costs&{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'data-testid="error"' in response.content.decode()


def test_it_shows_the_empty_state(super_admin_client):
    response = super_admin_client.get(URL + "?tab=costs")
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in response.content.decode()
    assert "No generations recorded yet" in response.content.decode()


def test_it_shows_zeros_for_a_period_without_events(super_admin_client, org_a):
    track_media_generation(_event(org_a, 1, 40))
    html = super_admin_client.get(URL + "?tab=costs&period=7d").content.decode()
    assert 'data-testid="empty-state"' not in html
    assert _card(html, "cost") == "$0.00 —"
    assert "vs $0.00" in html
    assert "nothing to compare with" not in html
    assert "No organisation generated anything in this period." in html


# -- HTMX ---------------------------------------------------------------------------------------


def test_it_answers_an_htmx_request_with_the_tab_fragment(super_admin_client, seeded):
    response = super_admin_client.get(URL + "?tab=costs&period=7d", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="costs-tab"')
    assert "<html" not in html
    assert _card(html, "generations") == "5 +150.0%"


def test_it_answers_a_history_restore_with_the_whole_page(super_admin_client, seeded):
    response = super_admin_client.get(
        URL + "?tab=costs&period=7d",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_it_keeps_the_state_in_the_period_links(super_admin_client, seeded):
    html = super_admin_client.get(URL + "?tab=costs&period=7d&sort=name&page=1").content.decode()
    assert 'href="?tab=costs&amp;period=90d&amp;sort=name"' in html
    assert 'hx-boost="true"' in html


# -- tenants: order, pages, budgets --------------------------------------------------------------


@pytest.fixture
def many_tenants(db):
    tenants = [OrganisationFactory(name=f"Shop {i:02d}") for i in range(30)]
    events = [
        _event(tenant, k, 1, "imagen") for i, tenant in enumerate(tenants) for k in range(i + 1)
    ]
    track_media_generations(events)
    return tenants


def test_it_reaches_every_tenant_through_pages(super_admin_client, many_tenants):
    first = super_admin_client.get(URL + "?tab=costs&period=7d").context["data"].tenants
    assert (first.page, first.pages, first.total, len(first.rows)) == (1, 2, 30, 25)
    assert first.rows[0].name == "Shop 29"
    second = super_admin_client.get(URL + "?tab=costs&period=7d&page=2")
    rows = second.context["data"].tenants.rows
    assert [row.name for row in rows] == [f"Shop {i:02d}" for i in range(4, -1, -1)]
    assert 'rel="prev"' in second.content.decode()
    past_the_end = super_admin_client.get(URL + "?tab=costs&period=7d&page=9")
    assert past_the_end.context["data"].tenants.page == 2


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("sort=name", "Shop 00"),
        ("sort=name&dir=desc", "Shop 29"),
        ("sort=count&dir=asc", "Shop 00"),
        ("sort=cost", "Shop 29"),
    ],
)
def test_it_sorts_tenants(super_admin_client, many_tenants, query, first):
    response = super_admin_client.get(f"{URL}?tab=costs&period=7d&{query}")
    assert response.context["data"].tenants.rows[0].name == first


def test_it_shows_budget_usage_where_a_budget_exists(super_admin_client, seeded, org_a, org_b):
    saved = update_media_budget(org_a.pk, {"monthly_limit": "10", "daily_limit": ""})
    assert saved.monthly_limit == 10 and saved.daily_limit is None
    response = super_admin_client.get(URL + "?tab=costs&period=30d&sort=budget")
    rows = {row.tenant_id: row for row in response.context["data"].tenants.rows}
    assert rows[org_b.pk].budget is None
    assert rows[org_a.pk].budget.headline.period == "month"
    assert response.context["data"].tenants.rows[0].tenant_id == org_a.pk
    html = response.content.decode()
    assert 'data-testid="budget"' in html
    assert "no budget" in html


# -- the events explorer ------------------------------------------------------------------------


def test_it_filters_the_events_by_tenant_provider_and_result(
    super_admin_client, seeded, org_a, org_b
):
    def ids(query):
        events = super_admin_client.get(f"{URL}?tab=costs&{query}").context["events"]
        return [item.event.id for item in events.rows]

    assert len(ids("")) == 7
    assert ids(f"tenant={org_b.pk}") == [f"{org_b.pk}-{n}" for n in (1, 2, 3, 4)]
    assert ids("provider=veo") == [f"{org_a.pk}-2", f"{org_b.pk}-4"]
    assert ids("success=no") == [f"{org_a.pk}-3"]
    assert ids(f"tenant={org_a.pk}&success=yes&provider=gemini-pro") == [f"{org_a.pk}-1"]


# -- CSV ----------------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_exports_the_current_view_as_csv(super_admin_client, seeded, org_a, org_b):
    response = super_admin_client.get(URL + "?tab=costs&period=7d&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    summary = {row["key"]: row for row in rows if row["section"] == "summary"}
    assert (summary["current"]["cost_usd"], summary["current"]["generations"]) == ("2.665", "5")
    assert summary["previous"]["cost_usd"] == "0.52"
    tenants = [(row["key"], row["cost_usd"]) for row in rows if row["section"] == "tenant"]
    assert tenants == [(org_b.pk, "1.5"), (org_a.pk, "1.165")]
    providers = {row["key"]: row["cost_usd"] for row in rows if row["section"] == "provider"}
    assert providers["veo"] == "1.125"
    daily = [row for row in rows if row["section"] == "daily"]
    assert sum(Decimal(row["cost_usd"]) for row in daily) == Decimal("2.665")
    assert not [row for row in rows if row["section"] == "event"]  # events: events.csv


def test_the_summary_csv_follows_the_filters(super_admin_client, seeded, org_a, org_b):
    response = super_admin_client.get("/dashboard/ceo/summary.csv?period=7d&provider=veo")
    rows = _csv(response)
    assert next(row for row in rows if row["section"] == "scope")["name"] == (
        "all organisations; Veo; every result"
    )
    summary = {row["key"]: row for row in rows if row["section"] == "summary"}
    assert (summary["current"]["cost_usd"], summary["current"]["generations"]) == ("1.125", "1")
    assert summary["previous"]["cost_usd"] == "0.5"
    tenants = [(row["key"], row["cost_usd"]) for row in rows if row["section"] == "tenant"]
    assert tenants == [(org_a.pk, "1.125")]


def test_it_never_starts_a_csv_cell_with_a_formula(super_admin_client, db):
    tenant = OrganisationFactory(name="=HYPERLINK(1)")
    track_media_generation(_event(tenant, 1, 0, success=False, error="-1 credits left"))
    body = b"".join(
        super_admin_client.get(URL + "?tab=costs&format=csv").streaming_content
    ).decode()
    assert "'=HYPERLINK(1)" in body
    events = b"".join(
        super_admin_client.get("/dashboard/ceo/events.csv").streaming_content
    ).decode()
    assert "'=HYPERLINK(1)" in events
    assert "'-1 credits left" in events


@pytest.mark.parametrize(
    "text",
    # The ASCII starts, then their full-width forms.
    ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1", "\uff1d1", "\uff0b1", "\uff0d1", "\uff20A1"],
)
def test_it_quotes_every_formula_start_of_the_owasp_list(text):
    assert csv_safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Alpha Brands", "1+1", " =1", "SAFETY: blocked", "é=1"])
def test_it_leaves_plain_text_as_it_is(text):
    assert csv_safe_text(text) == text


def test_it_guards_names_ids_and_errors_in_every_section(super_admin_client, db):
    tenant = OrganisationFactory(name="\t=HYPERLINK(1)")
    event = _event(tenant, 1, 0, success=False, error="\r=1+1")
    track_media_generation(replace(event, id="@cmd"))
    rows = _csv(super_admin_client.get(URL + "?tab=costs&format=csv"))
    tenant_row = next(row for row in rows if row["section"] == "tenant")
    event_row = _csv(super_admin_client.get("/dashboard/ceo/events.csv"))[0]
    assert tenant_row["name"] == "'\t=HYPERLINK(1)"
    assert (event_row["id"], event_row["organisation"], event_row["error"]) == (
        "'@cmd",
        "'\t=HYPERLINK(1)",
        "'\r=1+1",
    )
