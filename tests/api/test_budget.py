"""GET /api/v1/budget and /api/v1/alerts."""

from decimal import Decimal

from costs.budgets import acknowledge_cost_alert, place_budget_hold, update_media_budget


def _budget(org, **updates):
    update_media_budget(org.pk, updates)


def test_it_reports_the_budget_status(api_a, org_a, store):
    _budget(org_a, daily_limit="10", monthly_limit="100", soft_threshold_percent=50)
    place_budget_hold(tenant_id=org_a.pk, estimated_cost=Decimal("6"), reason="test")
    body = api_a.get("/budget").json()
    assert body["tenant_id"] == org_a.pk and body["time_zone"] == "America/Los_Angeles"
    assert body["state"] == "warning"
    assert body["limits"] == {
        "daily_limit": "10.00",
        "weekly_limit": None,
        "monthly_limit": "100.00",
        "soft_threshold_percent": 50,
        "hard_limit_enabled": True,
    }
    day, week, month = body["periods"]
    assert (day["period"], week["period"], month["period"]) == ("day", "week", "month")
    assert day["held"] == "6.00" and day["used_micros"] == 6_000_000
    assert day["remaining"] == "4.00" and day["percent"] == "60.0" and day["state"] == "warning"
    assert week["limit"] is None and week["percent"] is None and week["state"] == "ok"
    assert month["state"] == "ok"
    assert day["next_reset"] > day["period_start"]
    assert day["period_start"].endswith(("-08:00", "-07:00"))


def test_it_lists_alerts_newest_first(api_a, api_b, org_a, owner_a, store):
    _budget(org_a, daily_limit="10", soft_threshold_percent=50)
    place_budget_hold(tenant_id=org_a.pk, estimated_cost=Decimal("6"), reason="test")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost=Decimal("4"), reason="test")
    body = api_a.get("/alerts").json()
    kinds = [alert["kind"] for alert in body["alerts"]]
    assert kinds == ["hard_limit", "soft_threshold"]
    hard, soft = body["alerts"]
    assert hard["severity"] == "exceeded" and soft["severity"] == "warning"
    assert soft["limit"] == "10.00" and soft["period"] == "day" and soft["message"]
    assert api_b.get("/alerts").json()["alerts"] == []

    acknowledge_cost_alert(tenant_id=org_a.pk, alert_id=soft["id"], user=owner_a)
    unacknowledged = api_a.get("/alerts", {"include_acknowledged": "false"}).json()["alerts"]
    assert [alert["id"] for alert in unacknowledged] == [hard["id"]]
    assert len(api_a.get("/alerts", {"limit": 1}).json()["alerts"]) == 1
