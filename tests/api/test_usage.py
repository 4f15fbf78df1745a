"""GET /api/v1/usage and /api/v1/costs/by-provider: the organisation's own numbers, by its
local dates."""

from datetime import UTC, datetime, timedelta

from costs.money import dollars
from costs.tenants import tenant_today
from tests.api.conftest import record

# 23:30 on 20 November in Los Angeles (org A's zone); already 21 November in UTC.
LA_2330 = datetime(2026, 11, 21, 7, 30, tzinfo=UTC)


def _seed(org_a, org_b):
    record(org_a, 1, at=LA_2330, provider="gemini-flash")  # $0.02
    record(org_a, 2, at=LA_2330, provider="veo", duration_seconds=10)  # $1.125
    record(org_a, 3, at=LA_2330 + timedelta(days=1), provider="imagen")  # $0.03 on the 21st
    record(org_a, 4, at=LA_2330, provider="imagen", success=False)  # failed: $0
    record(org_b, 1, at=LA_2330, provider="sora", duration_seconds=8)


def test_it_reports_usage_by_provider_type_and_day(api_a, org_a, org_b, store):
    _seed(org_a, org_b)
    response = api_a.get("/usage", {"start_date": "2026-11-19", "end_date": "2026-11-21"})
    assert response.status_code == 200
    body = response.json()
    assert body["tenant_id"] == org_a.pk
    assert body["totals"]["cost"] == "1.175"
    assert body["totals"]["cost_micros"] == 1_175_000
    assert body["totals"]["count"] == 4
    assert body["totals"]["failures"] == 1
    assert body["totals"]["success_rate"] == 0.75
    assert body["by_provider"]["veo"]["cost"] == "1.125"
    assert body["by_provider"]["imagen"]["count"] == 2
    assert body["by_type"]["video"]["count"] == 1
    assert body["by_type"]["image"]["cost"] == "0.05"
    assert [day["date"] for day in body["daily"]] == ["2026-11-19", "2026-11-20", "2026-11-21"]
    assert [day["totals"]["cost"] for day in body["daily"]] == ["0.00", "1.145", "0.03"]
    assert body["daily"][1]["by_provider"]["gemini-flash"]["cost_micros"] == 20_000
    assert "sora" not in body["by_provider"]  # organisation B's


def test_it_defaults_to_the_last_30_local_days(api_a, org_a, store):
    record(org_a, 1, at=datetime.now(UTC))
    body = api_a.get("/usage").json()
    today = tenant_today(org_a.pk)
    assert body["end_date"] == today.isoformat()
    assert body["start_date"] == (today - timedelta(days=29)).isoformat()
    assert len(body["daily"]) == 30
    assert body["totals"]["count"] == 1


def test_it_refuses_a_bad_range_naming_the_field(api_a, store):
    both = {"start_date", "end_date"}
    cases = [
        ({"start_date": "2026-11-20", "end_date": "2026-11-01"}, both),
        ({"start_date": "2025-01-01", "end_date": "2026-11-01"}, both),
        ({"start_date": "20 November"}, {"start_date"}),
        ({"end_date": "2026-02-30"}, {"end_date"}),
        # Was read as 1970-01-01 (pydantic takes a number for a Unix time).
        ({"end_date": "0"}, {"end_date"}),
        ({"end_date": "1700000000"}, {"end_date"}),
        ({"end_date": "2026-W01-1"}, {"end_date"}),
        ({"end_date": "²⁰²⁶-01-01"}, {"end_date"}),
        # The ends of the calendar: no date arithmetic leaves it.
        ({"end_date": "0001-01-01"}, {"end_date"}),
        ({"start_date": "9999-12-31"}, {"start_date"}),
    ]
    for params, fields in cases:
        response = api_a.get("/usage", params)
        assert response.status_code == 400, params
        assert set(response.json()["error"]["fields"]) == fields, params


def test_it_reports_costs_by_provider_for_a_period(api_a, org_a, org_b, store):
    now = datetime.now(UTC)
    veo = record(org_a, 1, at=now, provider="veo", duration_seconds=8)
    pro = record(org_a, 2, at=now, provider="gemini-pro")
    record(org_b, 1, at=now, provider="sora", duration_seconds=8)
    body = api_a.get("/costs/by-provider", {"period": "day"}).json()
    assert body["period"] == "day"
    assert body["start_date"] == body["end_date"] == tenant_today(org_a.pk).isoformat()
    assert [row["provider"] for row in body["providers"]] == ["veo", "gemini-pro"]
    assert body["providers"][0]["label"]
    assert body["total_micros"] == veo.cost_micros + pro.cost_micros
    assert body["total"] == dollars(veo.cost_micros + pro.cost_micros)


def test_it_reports_costs_by_provider_for_a_custom_range(api_a, org_a, org_b, store):
    _seed(org_a, org_b)
    body = api_a.get(
        "/costs/by-provider", {"start_date": "2026-11-20", "end_date": "2026-11-20"}
    ).json()
    assert body["period"] == "custom"
    assert {row["provider"]: row["cost"] for row in body["providers"]} == {
        "veo": "1.125",
        "gemini-flash": "0.02",
        "imagen": "0.00",
    }
    assert body["total"] == "1.145"


def test_it_refuses_a_period_and_dates_together(api_a, store):
    response = api_a.get("/costs/by-provider", {"period": "7d", "start_date": "2026-11-01"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"period", "start_date"}
    response = api_a.get("/costs/by-provider", {"period": "7d", "end_date": "2026-11-01"})
    assert set(response.json()["error"]["fields"]) == {"period", "end_date"}
    # One date is enough, as for /usage: the other one defaults.
    end = api_a.get("/costs/by-provider", {"end_date": "2026-11-30"}).json()
    assert (end["start_date"], end["end_date"]) == ("2026-11-01", "2026-11-30")
    response = api_a.get("/costs/by-provider", {"period": "year"})
    assert response.status_code == 400
    assert "period" in response.json()["error"]["fields"]
