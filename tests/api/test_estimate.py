"""GET /api/v1/estimate: what a generation would cost, for any token."""

import pytest


def test_it_estimates_a_video_by_clip_plan(api_a, store):
    response = api_a.get("/estimate", {"type": "video", "provider": "veo", "duration_seconds": 10})
    assert response.status_code == 200
    body = response.json()
    assert body["cost"] == "1.125" and body["cost_micros"] == 1_125_000
    assert body["clip_plan"] == [6, 4] and body["billed_seconds"] == 10
    assert body["currency"] == "USD" and body["price_version"] == "2026-02-01"
    assert [line["label"] for line in body["breakdown"]] == ["veo 6 s clip", "veo 4 s clip"]
    assert sum(int(line["quantity"]) for line in body["breakdown"]) == 2


def test_it_estimates_images_by_count(api_platform, store):
    body = api_platform.get("/estimate", {"type": "image", "provider": "imagen", "count": 4}).json()
    assert body["cost"] == "0.12"
    assert body["breakdown"] == [
        {"label": "imagen image", "quantity": 4, "unit_cost": "0.03", "cost": "0.12"}
    ]
    assert body["clip_plan"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "video", "provider": "veo"}, "duration_seconds"),
        ({"type": "image", "provider": "veo"}, "provider"),
        ({"type": "video", "provider": "sora", "duration_seconds": 0}, "duration_seconds"),
        ({"type": "image", "provider": "imagen", "count": 101}, "count"),
        ({"type": "poster", "provider": "imagen"}, "type"),
        ({"provider": "imagen"}, "type"),
    ],
)
def test_it_refuses_a_bad_request_naming_the_field(api_a, store, params, field):
    response = api_a.get("/estimate", params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
