"""End to end in Chromium: a super admin opens the CEO costs tab, switches periods, reads the
cards, sees the plotly charts and exports CSV; a tenant user is refused."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from costs.domain import MediaGenerationEvent
from costs.services import track_media_generations

pytestmark = pytest.mark.django_db(transaction=True)


def _seed(org_a, org_b) -> None:
    today = timezone.localdate()

    def at(days_ago: int) -> datetime:
        day = today - timedelta(days=days_ago)
        return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=18)

    # Priced here, so the figures do not move with the price book.
    events = [
        # Inside the last 7 days: $0.04 + $0.75 + $1.50 = $2.29 over 4 generations (one failed).
        (org_a, "e1", 0, "image", "gemini-pro", None, True, 40_000),
        (org_a, "e2", 2, "video", "veo", 8, True, 750_000),
        (org_b, "e3", 3, "video", "sora", 12, True, 1_500_000),
        (org_b, "e4", 5, "image", "imagen", None, False, 0),
        # 20 days ago: only in the 30-day period ($0.02).
        (org_b, "e5", 20, "image", "gemini-flash", None, True, 20_000),
    ]
    track_media_generations(
        MediaGenerationEvent(
            id=event_id,
            tenant_id=tenant.pk,
            user_id="e2e",
            type=media_type,
            provider=provider,
            duration_seconds=duration,
            success=success,
            error="" if success else "SAFETY: the image was blocked",
            created_at=at(days_ago),
            cost_micros=cost,
        )
        for tenant, event_id, days_ago, media_type, provider, duration, success, cost in events
    )


def _card(page, key: str) -> str:
    return page.locator(f"[data-testid=card-{key}] [data-testid=value]").inner_text()


def test_a_super_admin_reads_the_costs_tab(
    page, login, live_server, super_admin, org_a, org_b, tmp_path
):
    _seed(org_a, org_b)
    login(page, super_admin)
    page.click("[data-nav='Operations/Media Costs']")
    page.wait_for_url(f"{live_server.url}/dashboard/ceo?tab=costs")
    assert _card(page, "cost") == "$2.31"
    assert _card(page, "generations") == "5"
    page.wait_for_selector("[data-testid=daily-chart] .main-svg")
    page.wait_for_selector("[data-testid=provider-chart] .main-svg")
    page.screenshot(path=str(tmp_path / "ceo-costs-30d.png"), full_page=True)

    page.click("[data-testid=periods] a[data-period='7d']")
    page.wait_for_url("**/dashboard/ceo?tab=costs&period=7d")
    page.wait_for_function(
        "document.querySelector('[data-testid=card-cost] [data-testid=value]')"
        ".textContent === '$2.29'"
    )
    assert _card(page, "generations") == "4"
    assert _card(page, "success_rate") == "75.0%"
    assert page.locator("[data-testid=periods] a.active").inner_text() == "7D"
    # Swapped in place by HTMX, and the charts were drawn again.
    page.wait_for_selector("[data-testid=daily-chart] .main-svg")
    bars = page.locator("[data-testid=daily-chart] .trace.bars")
    assert bars.count() == 4  # Gemini Pro, Imagen, Veo, Sora
    assert page.locator("tr[data-tenant]").count() == 2
    assert "SAFETY: the image was blocked" in page.locator("[data-testid=events]").inner_text()
    page.screenshot(path=str(tmp_path / "ceo-costs-7d.png"), full_page=True)

    page.go_back()
    page.wait_for_url(f"{live_server.url}/dashboard/ceo?tab=costs")
    page.wait_for_function(
        "document.querySelector('[data-testid=card-cost] [data-testid=value]')"
        ".textContent === '$2.31'"
    )

    with page.expect_download() as download_info:
        page.click("[data-testid=export-csv]")
    download = download_info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    rows = list(csv.DictReader(io.StringIO(Path(target).read_text())))
    summary = next(row for row in rows if row["section"] == "summary" and row["key"] == "current")
    assert (summary["cost_usd"], summary["generations"]) == ("2.31", "5")


def test_a_custom_range_without_javascript_still_works(
    browser, login, live_server, super_admin, org_a, org_b
):
    _seed(org_a, org_b)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, super_admin)
        today = timezone.localdate()
        page.goto(f"{live_server.url}/dashboard/ceo?tab=costs")
        page.fill("input[name=start]", (today - timedelta(days=21)).isoformat())
        page.fill("input[name=end]", (today - timedelta(days=19)).isoformat())
        page.click("[data-testid=custom-range] button")
        page.wait_for_url("**period=custom**")
        assert _card(page, "cost") == "$0.02"
        page.click("[data-testid=periods] a[data-period='90d']")
        page.wait_for_url("**period=90d**")
        assert _card(page, "generations") == "5"
    finally:
        context.close()


def test_a_tenant_user_is_refused(page, login, live_server, owner_a, tmp_path):
    login(page, owner_a)
    assert page.locator("[data-nav='Operations/Media Costs']").count() == 0
    response = page.goto(f"{live_server.url}/dashboard/ceo?tab=costs")
    assert response.status == 403
    page.screenshot(path=str(tmp_path / "ceo-costs-refused.png"))


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
