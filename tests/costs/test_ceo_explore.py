"""The CEO costs tab as a place to explore: the filters narrow every figure (cards, providers,
organisations, daily series, both CSVs) and the scope says so; drill-down links; the events
explorer (period, filters, cursor pages, local time and zone, generation time); the new periods;
"nothing to compare with"; a reversed range refused in place; who may open the downloads."""

import base64
import csv
import io
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from costs.domain import MediaGenerationEvent
from costs.services import track_media_generations
from costs.views import decode_cursor, encode_cursor

URL = "/dashboard/ceo"
SUMMARY = "/dashboard/ceo/summary.csv"
EVENTS = "/dashboard/ceo/events.csv"


def _at(days_ago: int, hour: int = 20) -> datetime:
    today = timezone.localdate()
    return datetime.combine(today - timedelta(days=days_ago), datetime.min.time(), tzinfo=UTC) + (
        timedelta(hours=hour)
    )


def _event(tenant, name, days_ago, provider="gemini-pro", **kwargs):
    video = provider in ("veo", "sora")
    # Priced here, so the sums below do not depend on the price book.
    kwargs.setdefault("cost_micros", 1_000_000 if video else 40_000)
    return MediaGenerationEvent(
        id=f"{tenant.pk}-{name}",
        tenant_id=tenant.pk,
        user_id="u1",
        type="video" if video else "image",
        provider=provider,
        duration_seconds=8 if video else None,
        created_at=_at(days_ago),
        **kwargs,
    )


@pytest.fixture
def seeded(org_a, org_b):
    track_media_generations(
        [
            _event(org_a, "pro", 0, generation_ms=1234),  # $0.04
            _event(org_a, "veo", 1, "veo"),  # $1.00 (8 s)
            _event(org_a, "failed", 2, "imagen", success=False, error="SAFETY", cost_micros=0),
            _event(org_a, "partial", 2, "veo", success=False, error="cut", cost_micros=500_000),
            _event(org_b, "sora", 3, "sora"),  # $1.00
            _event(org_b, "old", 9, "veo"),  # previous 7 days: $1.00
        ]
    )


def _card(html: str, key: str) -> str:
    match = re.search(rf'data-testid="card-{key}">.*?data-testid="value">(.*?)</div>', html, re.S)
    assert match, key
    return match.group(1)


def _get(client, query: str):
    response = client.get(f"{URL}?tab=costs&{query}")
    assert response.status_code == 200, response.content.decode()[:500]
    return response


# -- filters drive every figure -----------------------------------------------------------------


def test_the_provider_filter_narrows_every_figure(super_admin_client, seeded, org_a):
    response = _get(super_admin_client, "period=7d&provider=veo")
    data, html = response.context["data"], response.content.decode()
    assert _card(html, "cost") == "$1.50"  # $1.00 + the failed video's paid $0.50
    assert _card(html, "generations") == "2"
    assert data.costs.previous_totals.cost == Decimal(1)
    assert [(row.tenant_id, row.totals.cost) for row in data.tenants.rows] == [
        (org_a.pk, Decimal("1.5"))
    ]
    assert {row.provider for row in data.costs.by_provider if row.totals.count} == {"veo"}
    assert sum(day.totals.count for day in data.costs.daily) == 2
    assert "all organisations; Veo; every result" in html


def test_the_organisation_filter_narrows_every_figure(super_admin_client, seeded, org_b):
    response = _get(super_admin_client, f"period=7d&tenant={org_b.pk}")
    data = response.context["data"]
    assert data.costs.totals.cost == Decimal(1)
    assert [row.tenant_id for row in data.tenants.rows] == [org_b.pk]
    assert data.costs.previous_totals.cost == Decimal(1)
    assert "Beta Dispensary; all providers; every result" in response.content.decode()


def test_the_result_filter_reads_the_events(super_admin_client, seeded, org_a):
    failed = _get(super_admin_client, "period=7d&success=no").context["data"]
    # The failures' cost is what the partial video was paid: only events know it.
    assert (failed.costs.totals.cost, failed.costs.totals.count) == (Decimal("0.5"), 2)
    assert [row.tenant_id for row in failed.tenants.rows] == [org_a.pk]
    succeeded = _get(super_admin_client, "period=7d&success=yes").context["data"]
    assert (succeeded.costs.totals.cost, succeeded.costs.totals.count) == (Decimal("2.04"), 3)
    assert succeeded.costs.previous_totals.count == 1
    both = _get(super_admin_client, f"period=7d&success=no&provider=veo&tenant={org_a.pk}")
    assert both.context["data"].costs.totals.cost == Decimal("0.5")


def test_the_summary_csv_has_the_filters_figures(super_admin_client, seeded, org_a):
    body = b"".join(
        super_admin_client.get(f"{SUMMARY}?period=7d&success=no").streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["section"] == "scope"
    assert rows[0]["name"] == "all organisations; all providers; failed generations only"
    current = next(row for row in rows if row["key"] == "current")
    assert (current["cost_usd"], current["generations"]) == ("0.5", "2")


# -- drill-down ----------------------------------------------------------------------------------


def test_each_day_and_provider_has_a_link_that_narrows_the_tab(super_admin_client, seeded):
    response = _get(super_admin_client, "period=7d&provider=sora")
    html = response.content.decode()
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    assert (
        f'href="?tab=costs&amp;period=custom&amp;start={day}&amp;end={day}&amp;provider=sora" '
        f'data-drill="day-{day}"'
    ) in html
    assert 'href="?tab=costs&amp;period=7d&amp;provider=veo" data-drill="provider-veo"' in html
    daily = response.context["daily_chart"]
    assert daily["drill"][-4] == f"day-{day}"
    assert response.context["provider_chart"]["drill"][3] == "provider-veo"


# -- the events explorer ----------------------------------------------------------------------


def test_the_explorer_lists_the_period_only_in_local_time(super_admin_client, seeded, org_a):
    response = _get(super_admin_client, "period=7d")
    rows = response.context["events"].rows
    assert f"{org_a.pk}-pro" == rows[0].event.id
    assert f"{org_a.pk}-old" not in [row.event.id for row in rows]  # 9 days ago: not in 7d
    html = response.content.decode()
    assert "1,234 ms" in html  # the generation time
    local = rows[0].local_time
    assert (str(local.tzinfo), rows[0].zone) == ("America/Los_Angeles", local.tzname())
    assert f"{local:%H:%M}</span>" not in html
    assert f'{local.strftime("%-d %b %Y %H:%M")} <span class="muted small">{local.tzname()}' in html


def test_the_explorer_pages_with_a_cursor(super_admin_client, org_a):
    track_media_generations(_event(org_a, f"{n:03d}", n % 5) for n in range(120))
    first = _get(super_admin_client, "period=7d")
    older = first.context["older_events_url"]
    assert older and "before=" in older
    # The explorer's own pages: HTMX gets the events section only.
    partial = super_admin_client.get(
        URL + older, headers={"HX-Request": "true", "HX-Target": "costs-events"}
    )
    html = partial.content.decode()
    assert html.lstrip().startswith('<section class="card costs-section" id="costs-events"')
    assert 'data-testid="card-cost"' not in html
    second = _get(super_admin_client, older.lstrip("?"))
    third = _get(super_admin_client, second.context["older_events_url"].lstrip("?"))
    ids = [
        row.event.id
        for response in (first, second, third)
        for row in response.context["events"].rows
    ]
    assert len(ids) == len(set(ids)) == 120
    assert third.context["older_events_url"] == ""


def test_a_cursor_round_trips_and_a_forged_one_is_refused(super_admin_client, seeded):
    position = (datetime(2026, 11, 10, 12, tzinfo=UTC), "org_x-1|2")
    assert decode_cursor(encode_cursor(position)) == position
    no_separator = base64.urlsafe_b64encode(b"2026-11-10T12:00:00+00:00").decode()
    naive = base64.urlsafe_b64encode(b"2026-11-10T12:00:00|id").decode()
    for bad in ("nonsense", no_separator, naive, "x" * 500):
        response = super_admin_client.get(f"{URL}?tab=costs&before={bad}")
        assert response.status_code == 400
        assert "before must be a position" in response.content.decode()


def test_the_events_csv_streams_the_range_and_filters(super_admin_client, seeded, org_a):
    response = super_admin_client.get(f"{EVENTS}?period=7d&provider=veo")
    assert response.status_code == 200
    assert response.streaming
    assert 'filename="media-events-' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["id"], row["cost_usd"], row["success"]) for row in rows] == [
        (f"{org_a.pk}-veo", "1", "yes"),
        (f"{org_a.pk}-partial", "0.5", "no"),
    ]
    assert rows[0]["time_zone"] == "America/Los_Angeles"
    assert rows[0]["organisation"] == "Alpha Brands"


# -- periods and comparisons ------------------------------------------------------------------


def test_month_to_date_and_last_month(super_admin_client, seeded):
    today = timezone.localdate()
    mtd = _get(super_admin_client, "period=month").context["data"].costs.period
    assert (mtd.start, mtd.end) == (today.replace(day=1), today)
    last = _get(super_admin_client, "period=last_month").context["data"].costs.period
    assert last.end == today.replace(day=1) - timedelta(days=1)
    assert last.start == last.end.replace(day=1)


def test_all_time_says_there_is_nothing_to_compare_with(super_admin_client, seeded):
    response = _get(super_admin_client, "period=all")
    html = response.content.decode()
    assert "nothing to compare with" in html
    assert "no generations the period before" not in html
    assert all(
        card.change is None and not card.comparable for card in response.context["data"].cards
    )


def test_a_custom_range_label_says_it_once(super_admin_client, seeded):
    html = _get(super_admin_client, "start=2026-11-10&end=2026-11-20").content.decode()
    label = re.search(r'data-testid="period-label">(.*?)</p>', html, re.S).group(1)
    assert "<strong>Custom range</strong> · 10 Nov 2026 \u2013 20 Nov 2026" in label
    assert label.count("10 Nov 2026") == 1


def test_a_reversed_range_is_answered_in_place_for_htmx(super_admin_client, seeded):
    response = super_admin_client.get(
        f"{URL}?tab=costs&period=custom&start=2026-11-20&end=2026-11-10",
        headers={"HX-Request": "true", "HX-Target": "costs-tab"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The fragment carries the element HTMX replaces, so static/js/app.js swaps it in.
    assert html.lstrip().startswith('<div id="costs-tab"')
    assert "end must not be before start" in html


def test_money_on_cards_and_tables_shows_cents(super_admin_client, org_a):
    track_media_generations(
        [_event(org_a, f"v{n}", 0, "veo", cost_micros=158_795_000) for n in range(3)]
    )  # $476.385
    html = _get(super_admin_client, "period=7d").content.decode()
    assert _card(html, "cost") == "$476.39"
    assert _card(html, "average") == "$158.795"  # a unit price keeps its sub-cent digit
    assert '<td class="num">$476.39</td>' in html


# -- who may download ----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [SUMMARY, EVENTS])
def test_downloads_are_for_super_admins_only(client, owner_a_client, member_a_client, url):
    assert client.get(url).status_code == 302
    assert owner_a_client.get(url).status_code == 403
    assert member_a_client.get(url).status_code == 403
    assert owner_a_client.post(url).status_code in (403, 405)


@pytest.mark.parametrize("url", [SUMMARY, EVENTS])
def test_downloads_refuse_bad_input_with_a_message(super_admin_client, url):
    response = super_admin_client.get(f"{url}?start=2026-11-20&end=2026-11-10")
    assert response.status_code == 400
    assert response.content.decode() == "end must not be before start"
