"""End to end in Chromium, the CEO costs tab explored: filters narrow every figure, a click on a
provider bar or a day narrows the tab, the forecast, the events explorer's pages, both CSV
downloads and a reversed range refused in place. Each flow keeps a screenshot in
var/test-artifacts/e2e."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from costs.domain import MediaGenerationEvent
from costs.forecast import MonthForecast
from costs.money import format_cents
from costs.services import track_media_generations

pytestmark = pytest.mark.django_db(transaction=True)


CEO = "/dashboard/ceo?tab=costs"


def _at(days_ago: int, minute: int = 0) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=20, minutes=minute
    )


def _seed(org_a, org_b, *, extra_images: int = 0) -> None:
    """Alpha: Veo $2.00 today and 2 days ago, a failed Imagen; Beta: Sora $1.00 3 days ago and
    ``extra_images`` Gemini Flash images of $0.01 today (for the explorer's pages)."""

    def event(tenant, name, days_ago, provider, cost, **kwargs):
        video = provider in ("veo", "sora")
        return MediaGenerationEvent(
            id=f"{tenant.pk}-{name}",
            tenant_id=tenant.pk,
            user_id="e2e",
            type="video" if video else "image",
            provider=provider,
            duration_seconds=8 if video else None,
            cost_micros=cost,
            created_at=_at(days_ago, kwargs.pop("minute", 0)),
            **kwargs,
        )

    events = [
        event(org_a, "veo-today", 0, "veo", 2_000_000, generation_ms=41_500),
        event(org_a, "veo-2", 2, "veo", 2_000_000),
        event(org_a, "imagen-failed", 2, "imagen", 0, success=False, error="SAFETY: blocked"),
        event(org_b, "sora-3", 3, "sora", 1_000_000),
    ]
    events += [
        event(org_b, f"flash-{n:03d}", 0, "gemini-flash", 10_000, minute=-1 - n % 50)
        for n in range(extra_images)
    ]
    track_media_generations(events)


def _card(page, key: str) -> str:
    return page.locator(f"[data-testid=card-{key}] [data-testid=value]").inner_text()


def _wait_card(page, key: str, text: str) -> None:
    page.wait_for_function(
        "([key, text]) => { const el = document.querySelector("
        "`[data-testid=card-${key}] [data-testid=value]`); return el && el.textContent === text; }",
        arg=[key, text],
    )


def _open(page, login, live_server, super_admin, query: str = "") -> None:
    login(page, super_admin)
    page.goto(f"{live_server.url}{CEO}{query}")
    page.wait_for_selector("[data-testid=daily-chart] .main-svg")


def _click_bar(page, chart: str, index: int) -> None:
    """A real mouse click in the middle of a bar (plotly listens on its drag layer)."""
    page.locator(f"[data-testid={chart}]").scroll_into_view_if_needed()
    bar = page.locator(f"[data-testid={chart}] .trace.bars .point path").nth(index)
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 2)


def test_filters_narrow_every_figure(page, login, live_server, super_admin, org_a, org_b, shot):
    _seed(org_a, org_b)
    _open(page, login, live_server, super_admin, "&period=7d")
    assert _card(page, "cost") == "$5.00"
    page.select_option("[data-testid=filters] select[name=provider]", "veo")
    page.click("[data-testid=filters] button[type=submit]")
    _wait_card(page, "cost", "$4.00")
    assert "all organisations; Veo; every result" in page.inner_text("[data-testid=scope]")
    assert _card(page, "generations") == "2"
    assert page.locator("tr[data-tenant]").count() == 1
    assert page.locator("#costs-events tr[data-event]").count() == 2
    page.select_option("[data-testid=filters] select[name=provider]", "")
    page.select_option("[data-testid=filters] select[name=success]", "no")
    page.click("[data-testid=filters] button[type=submit]")
    _wait_card(page, "generations", "1")
    assert _card(page, "cost") == "$0.00"
    assert "failed generations only" in page.inner_text("[data-testid=scope]")
    shot(page, "ceo-filters.png", full_page=True)


def test_a_click_on_a_provider_bar_or_a_day_narrows_the_tab(
    page, login, live_server, super_admin, org_a, org_b, shot
):
    _seed(org_a, org_b)
    _open(page, login, live_server, super_admin, "&period=7d")
    page.wait_for_selector("[data-testid=provider-chart] .main-svg")
    _click_bar(page, "provider-chart", 4)  # Sora, the fifth provider of the price book
    page.wait_for_url("**provider=sora**")
    _wait_card(page, "cost", "$1.00")
    shot(page, "ceo-drill-provider.png", full_page=True)

    page.goto(f"{live_server.url}{CEO}&period=7d")
    page.wait_for_selector("[data-testid=daily-chart] .main-svg")
    day = (timezone.localdate() - timedelta(days=2)).isoformat()
    _click_bar(page, "daily-chart", 4)  # the Veo bar of two days ago (7 days, oldest first)
    page.wait_for_url(f"**start={day}&end={day}**")
    _wait_card(page, "cost", "$2.00")
    assert _card(page, "generations") == "2"
    shot(page, "ceo-drill-day.png", full_page=True)


def test_the_forecast(page, login, live_server, super_admin, org_a, org_b, shot):
    _seed(org_a, org_b)
    _open(page, login, live_server, super_admin, "&period=month")
    today = timezone.localdate()
    month_micros = sum(
        micros
        for days_ago, micros in ((0, 2_000_000), (2, 2_000_000), (3, 1_000_000))
        if (today - timedelta(days=days_ago)).month == today.month
    )
    expected = format_cents(MonthForecast(today, month_micros).projected)
    forecast = page.locator("[data-testid=forecast]")
    assert page.inner_text("[data-testid=forecast-projected]") == expected
    assert "Run rate = spend so far this month" in forecast.inner_text()
    assert forecast.locator("tr[data-forecast-tenant]").count() >= 1
    shot(forecast, "ceo-forecast.png")


def test_the_events_explorer_pages_in_local_time(
    page, login, live_server, super_admin, org_a, org_b, shot
):
    _seed(org_a, org_b, extra_images=60)
    _open(page, login, live_server, super_admin, "&period=7d")
    rows = page.locator("#costs-events tr[data-event]")
    assert rows.count() == 50
    first = page.locator(f"#costs-events tr[data-event='{org_a.pk}-veo-today']")
    assert "41,500 ms" in first.inner_text()
    assert first.locator("td").first.inner_text().split()[-1] in ("PST", "PDT")
    page.click("[data-testid=events-older]")
    page.wait_for_function(
        "document.querySelectorAll('#costs-events tr[data-event]').length === 14"
    )
    # Only the list was replaced: the cards and charts stayed.
    assert _card(page, "generations") == "64"
    shot(page, "ceo-events-page-2.png", full_page=True)
    page.click("[data-testid=events-newest]")
    page.wait_for_function(
        "document.querySelectorAll('#costs-events tr[data-event]').length === 50"
    )


def test_both_exports(page, login, live_server, super_admin, org_a, org_b, tmp_path, shot):
    _seed(org_a, org_b)
    _open(page, login, live_server, super_admin, f"&period=7d&tenant={org_a.pk}")
    with page.expect_download() as summary_info:
        page.click("[data-testid=export-csv]")
    target = tmp_path / summary_info.value.suggested_filename
    summary_info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(Path(target).read_text())))
    assert rows[0]["name"] == "Alpha Brands; all providers; every result"
    current = next(row for row in rows if row["key"] == "current")
    assert (current["cost_usd"], current["generations"]) == ("4", "3")

    with page.expect_download() as events_info:
        page.click("[data-testid=export-events-csv]")
    target = tmp_path / events_info.value.suggested_filename
    events_info.value.save_as(target)
    events = list(csv.DictReader(io.StringIO(Path(target).read_text())))
    # Newest first; the two events of two days ago share a time and go by id, descending.
    assert [row["id"] for row in events] == [
        f"{org_a.pk}-veo-today",
        f"{org_a.pk}-veo-2",
        f"{org_a.pk}-imagen-failed",
    ]
    assert events[0]["generation_ms"] == "41500"
    shot(page, "ceo-exports.png", full_page=True)


def test_a_reversed_range_is_refused_in_place(
    page, login, live_server, super_admin, org_a, org_b, shot
):
    _seed(org_a, org_b)
    _open(page, login, live_server, super_admin)
    page.fill("[data-testid=custom-range] input[name=start]", "2026-11-20")
    page.fill("[data-testid=custom-range] input[name=end]", "2026-11-10")
    page.click("[data-testid=custom-range] button")
    error = page.wait_for_selector("[data-testid=error]")
    assert "end must not be before start" in error.inner_text()
    shot(page, "ceo-range-error.png", full_page=True)


def test_an_htmx_error_without_a_place_in_the_page_becomes_a_toast(
    page, login, live_server, super_admin, org_a, org_b, shot
):
    _seed(org_a, org_b)
    _open(page, login, live_server, super_admin)
    # The events list asks for a page with a forged cursor: the 400 carries no events section.
    page.evaluate(
        "htmx.ajax('GET', '/dashboard/ceo?tab=costs&before=forged', "
        "{target: '#costs-events', swap: 'outerHTML'})"
    )
    toast = page.wait_for_selector("[data-testid=htmx-error]")
    assert "before must be a position" in toast.inner_text()
    assert page.locator("#costs-events tr[data-event]").count() == 4  # the list stayed
    shot(page, "htmx-error-toast.png")
