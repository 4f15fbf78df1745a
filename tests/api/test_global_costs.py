"""GET /api/v1/global/costs: the whole platform, for platform tokens only."""

from datetime import UTC, datetime, timedelta

import pytest

from costs.money import dollars
from costs.selectors import platform_today
from tests.api.conftest import record


def test_it_reports_the_platform_with_tenants_and_providers(api_platform, org_a, org_b, store):
    now = datetime.now(UTC)
    veo = record(org_a, 1, at=now, provider="veo", duration_seconds=10).cost_micros
    imagen = record(org_b, 1, at=now, provider="imagen").cost_micros
    record(org_b, 2, at=now - timedelta(days=10), provider="imagen")  # the previous 7 days
    body = api_platform.get("/global/costs", {"period": "7d"}).json()
    today = platform_today()
    assert body["end_date"] == today.isoformat()
    assert body["start_date"] == (today - timedelta(days=6)).isoformat()
    assert body["previous_end_date"] == (today - timedelta(days=7)).isoformat()
    assert body["totals"]["cost"] == dollars(veo + imagen) and body["totals"]["count"] == 2
    assert body["previous_totals"]["count"] == 1
    assert [row["tenant_id"] for row in body["by_tenant"]] == [org_a.pk, org_b.pk]
    assert body["by_tenant"][0]["name"] == org_a.name
    assert sum(row["totals"]["cost_micros"] for row in body["by_tenant"]) == veo + imagen
    providers = {row["provider"]: row for row in body["by_provider"]}
    assert providers["veo"]["totals"]["cost"] == dollars(veo)
    assert providers["sora"]["totals"]["count"] == 0
    assert len(body["daily"]) == 7


def test_it_takes_a_custom_range(api_platform, store):
    body = api_platform.get(
        "/global/costs", {"start_date": "2026-10-01", "end_date": "2026-10-31"}
    ).json()
    assert body["period"] == "custom" and len(body["daily"]) == 31
    assert body["previous_start_date"] == "2026-08-31"
    response = api_platform.get("/global/costs", {"period": "month"})
    assert response.status_code == 400 and "period" in response.json()["error"]["fields"]


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
