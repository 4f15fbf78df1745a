"""GET /api/v1/estimate: what a generation would cost, for any token."""

import pytest

from costs.money import dollars
from costs.pricing import estimate_media_cost

# Figures from the price book in effect (costs.pricing), not copied: a new price book version
# changes them, not what the API must answer.


def test_it_estimates_a_video_by_clip_plan(api_a, store):
    response = api_a.get("/estimate", {"type": "video", "provider": "veo", "duration_seconds": 10})
    assert response.status_code == 200
    body = response.json()
    expected = estimate_media_cost("video", "veo", {"duration_seconds": 10})
    assert body["cost_micros"] == expected.cost_micros
    assert body["cost"] == dollars(expected.cost_micros)
    assert body["billed_seconds"] == expected.billed_seconds >= 10
    assert body["currency"] == "USD" and body["price_version"] == expected.price_version
    assert len(body["breakdown"]) == len(expected.breakdown)


def test_it_estimates_images_by_count(api_platform, store):
    body = api_platform.get("/estimate", {"type": "image", "provider": "imagen", "count": 4}).json()
    unit = estimate_media_cost("image", "imagen", {"count": 1}).cost_micros
    assert body["cost_micros"] == 4 * unit and body["cost"] == dollars(4 * unit)
    [line] = body["breakdown"]
    assert line["quantity"] == 4 and line["unit_cost"] == dollars(unit)
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


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
