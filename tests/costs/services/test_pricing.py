"""The price book and cost calculation: the original media-tracking suite, and clip plans."""

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from costs import pricing
from costs.pricing import (
    calculate_image_cost,
    calculate_video_cost,
    cheapest_provider,
    clip_plan,
    compare_provider_costs,
    cost_difference,
    estimate_media_cost,
    price_book,
)

# This suite is the original system's: it prices by the first version (2026-02-01), which never
# changes, whatever later versions say (those are tested in test_pricing_dimensions).
pytestmark = pytest.mark.usefixtures("first_price_book")


@pytest.mark.parametrize(
    ("provider", "cost"),
    [("gemini-flash", "0.02"), ("gemini-pro", "0.04"), ("imagen", "0.03")],
)
def test_image_cost_per_provider(provider, cost):
    assert calculate_image_cost(provider) == Decimal(cost)
    assert isinstance(calculate_image_cost(provider), Decimal)


@pytest.mark.parametrize(
    ("provider", "seconds", "cost"),
    [
        ("veo", 4, "0.50"),
        ("veo", 6, "0.625"),
        ("veo", 8, "0.75"),
        ("sora", 4, "0.50"),
        ("sora", 8, "1.00"),
        ("sora", 12, "1.50"),
    ],
)
def test_each_video_tier(provider, seconds, cost):
    assert calculate_video_cost(provider, seconds) == Decimal(cost)
    estimate = estimate_media_cost("video", provider, {"duration_seconds": seconds})
    assert estimate.clip_plan == (seconds,)


@pytest.mark.parametrize(
    ("provider", "seconds", "plan", "cost"),
    [
        ("veo", 5, (6,), "0.625"),
        ("veo", 10, (6, 4), "1.125"),
        ("veo", 15, (8, 8), "1.50"),
        ("veo", 30, (8, 8, 8, 6), "2.875"),
        ("veo", 1, (4,), "0.50"),
        ("veo", 7, (8,), "0.75"),
        ("sora", 5, (8,), "1.00"),  # ties with 4+4: fewer clips win
        ("sora", 10, (12,), "1.50"),  # ties with 8+4 and 4+4+4
        ("sora", 15, (12, 4), "2.00"),  # ties with 8+8: same clips count, then longer clips first
        ("sora", 30, (12, 12, 8), "4.00"),
        ("sora", 300, (12,) * 25, "37.50"),
    ],
)
def test_clip_plans_for_durations_that_are_not_one_clip(provider, seconds, plan, cost):
    estimate = estimate_media_cost("video", provider, {"duration_seconds": seconds})
    assert estimate.clip_plan == plan
    assert estimate.cost == Decimal(cost)
    assert estimate.billed_seconds == sum(plan) >= seconds
    assert sum(line.cost for line in estimate.breakdown) == estimate.cost
    assert calculate_video_cost(provider, seconds) == Decimal(cost)


def test_a_clip_plan_is_the_cheapest_of_all_combinations():
    prices = {4: 500_000, 6: 625_000, 8: 750_000}
    for seconds in range(1, 61):
        plan = clip_plan(prices, seconds)
        best = min(
            sum(prices[c] * n for c, n in zip((4, 6, 8), counts, strict=True))
            for counts in ((a, b, c) for a in range(16) for b in range(11) for c in range(9))
            if 4 * counts[0] + 6 * counts[1] + 8 * counts[2] >= seconds
        )
        assert sum(prices[c] for c in plan) == best, seconds


def test_estimates_for_all_providers():
    for provider in ("gemini-flash", "gemini-pro", "imagen"):
        for media_type in ("image", "image_edit"):
            estimate = estimate_media_cost(media_type, provider, {})
            assert estimate.cost == calculate_image_cost(provider)
            assert estimate.currency == "USD"
            assert estimate.price_version == "2026-02-01"
            assert estimate.clip_plan is None
            assert len(estimate.breakdown) == 1
    for provider in ("veo", "sora"):
        estimate = estimate_media_cost("video", provider, {"duration_seconds": 8})
        assert estimate.cost_micros == int(estimate.cost * 1_000_000)
        assert estimate.price_version == "2026-02-01"


def test_an_image_estimate_multiplies_by_count():
    estimate = estimate_media_cost("image", "gemini-pro", {"count": 4})
    assert estimate.cost == Decimal("0.16")
    assert estimate.breakdown[0].quantity == 4


@pytest.mark.parametrize(
    ("media_type", "provider", "options", "message"),
    [
        ("image", "dall-e", {}, "Unknown provider 'dall-e'"),
        ("video", "midjourney", {"duration_seconds": 4}, "Unknown provider"),
        ("video", "gemini-flash", {"duration_seconds": 4}, "makes images, not videos"),
        ("image", "veo", {}, "makes videos, not images"),
        ("image_edit", "sora", {}, "makes videos, not images"),
        ("audio", "veo", {}, "Unknown type 'audio'"),
        ("video", "veo", {}, "duration_seconds is required"),
        ("video", "veo", {"duration_seconds": 0}, "must be positive"),
        ("video", "veo", {"duration_seconds": -4}, "must be positive"),
        ("video", "veo", {"duration_seconds": 4.5}, "whole number of seconds"),
        ("video", "veo", {"duration_seconds": Decimal("7.5")}, "whole number of seconds"),
        ("video", "veo", {"duration_seconds": "8"}, "whole number of seconds"),
        ("video", "veo", {"duration_seconds": True}, "whole number of seconds"),
        ("video", "sora", {"duration_seconds": 301}, "at most 300"),
        ("image", "imagen", {"count": 0}, "count"),
    ],
)
def test_invalid_input_names_what_is_wrong(media_type, provider, options, message):
    with pytest.raises(ValueError, match=message):
        estimate_media_cost(media_type, provider, options)


def test_invalid_provider_for_the_calculators():
    with pytest.raises(ValueError, match="makes videos"):
        calculate_image_cost("veo")
    with pytest.raises(ValueError, match="makes images"):
        calculate_video_cost("imagen", 8)
    with pytest.raises(ValueError, match="Unknown provider"):
        calculate_image_cost("gemini-ultra")


def test_a_whole_float_duration_is_accepted():
    assert calculate_video_cost("veo", 8.0) == Decimal("0.75")


def test_comparison_helpers():
    images = compare_provider_costs("image")
    assert [e.provider for e in images] == ["gemini-flash", "imagen", "gemini-pro"]
    assert cheapest_provider("image").provider == "gemini-flash"
    assert cheapest_provider("video", {"duration_seconds": 8}).provider == "veo"
    assert cheapest_provider("video", {"duration_seconds": 12}).provider == "veo"  # 8+4 = 1.25
    # 4 s costs the same on both: ties go to the provider name.
    assert cheapest_provider("video", {"duration_seconds": 4}).provider == "sora"
    assert cost_difference("image", "gemini-pro", "gemini-flash") == Decimal("0.02")
    assert cost_difference("image", "gemini-flash", "gemini-pro") == Decimal("-0.02")
    assert cost_difference("video", "sora", "veo", {"duration_seconds": 8}) == Decimal("0.25")
    with pytest.raises(ValueError, match="makes images"):
        cost_difference("video", "veo", "imagen", {"duration_seconds": 8})


def test_a_later_version_is_data_and_history_keeps_its_price(tmp_path, monkeypatch):
    first = json.loads((pricing.PRICEBOOK_DIR / "2026-02-01.json").read_text())
    later = json.loads(json.dumps(first))
    later["version"] = later["effective_from"] = "2026-12-01"
    later["providers"]["gemini-flash"]["per_image"] = "0.039"
    (tmp_path / "2026-02-01.json").write_text(json.dumps(first))
    (tmp_path / "2026-12-01.json").write_text(json.dumps(later))
    monkeypatch.setattr(pricing, "PRICEBOOK_DIR", tmp_path)
    pricing.file_versions.cache_clear()
    try:
        november = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
        december = datetime(2026, 12, 1, tzinfo=UTC)
        assert calculate_image_cost("gemini-flash", at=november) == Decimal("0.02")
        assert calculate_image_cost("gemini-flash", at=december) == Decimal("0.039")
        assert estimate_media_cost("image", "gemini-flash", at=december).price_version == (
            "2026-12-01"
        )
        assert price_book(november).version == "2026-02-01"
    finally:
        pricing.file_versions.cache_clear()


def test_no_price_before_the_first_version_and_no_naive_times():
    with pytest.raises(ValueError, match="No price book is in effect on 2026-01-31"):
        calculate_image_cost("imagen", at=datetime(2026, 1, 31, 23, tzinfo=UTC))
    with pytest.raises(ValueError, match="aware"):
        price_book(datetime(2026, 3, 1))  # noqa: DTZ001 - the naive time is the point


def test_an_invalid_price_book_file_is_reported(tmp_path, monkeypatch):
    (tmp_path / "2026-02-01.json").write_text(
        json.dumps({"version": "x", "effective_from": "2026-02-01", "providers": {"a": {}}})
    )
    monkeypatch.setattr(pricing, "PRICEBOOK_DIR", tmp_path)
    pricing.file_versions.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"2026-02-01\.json is invalid"):
            price_book()
    finally:
        pricing.file_versions.cache_clear()
