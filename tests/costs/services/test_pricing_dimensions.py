"""Pricing by what the provider bills (price book 2026-12-01): provider, model and dimension;
refusals of a price book with a missing, negative or non-decimal price."""

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bakedbot.errors import InvalidInput
from costs import pricing
from costs.domain import MediaGenerationEvent
from costs.pricing import estimate_media_cost, parse_price_book
from costs.services import price_media_generation

DEC = datetime(2026, 12, 2, 12, tzinfo=UTC)
BOOK = json.loads((pricing.PRICEBOOK_DIR / "2026-12-01.json").read_text())


@pytest.mark.parametrize(
    ("provider", "options", "micros"),
    [
        ("gemini-flash", {}, 39_000),
        ("gemini-flash", {"model": "gemini-2.5-flash-image"}, 39_000),
        ("gemini-pro", {}, 134_000),  # 1K when no size is sent
        ("gemini-pro", {"image_size": "1K"}, 134_000),
        ("gemini-pro", {"image_size": "2K"}, 134_000),
        ("gemini-pro", {"image_size": "4K"}, 240_000),
        ("gemini-pro", {"image_size": "4K", "count": 3}, 720_000),
        ("imagen", {}, 40_000),
        ("imagen", {"model": "imagen-4.0-fast-generate-001"}, 20_000),
        ("imagen", {"model": "models/imagen-4.0-ultra-generate-001"}, 60_000),
    ],
)
def test_images_by_model_and_size(provider, options, micros):
    assert estimate_media_cost("image", provider, options, at=DEC).cost_micros == micros


@pytest.mark.parametrize(
    ("provider", "options", "micros", "plan"),
    [
        ("veo", {"duration_seconds": 8}, 3_200_000, (8,)),
        ("veo", {"duration_seconds": 8, "audio": False}, 1_600_000, (8,)),
        ("veo", {"duration_seconds": 5, "resolution": "1080p"}, 2_400_000, (6,)),
        (
            "veo",
            {"duration_seconds": 10, "model": "veo-3.1-fast-generate-preview"},
            1_500_000,
            (6, 4),
        ),
        ("sora", {"duration_seconds": 12}, 1_200_000, (12,)),
        (
            "sora",
            {"duration_seconds": 8, "model": "sora-2-pro", "resolution": "1024p"},
            4_000_000,
            (8,),
        ),
    ],
)
def test_videos_per_second_by_model_resolution_and_audio(provider, options, micros, plan):
    estimate = estimate_media_cost("video", provider, options, at=DEC)
    assert (estimate.cost_micros, estimate.clip_plan) == (micros, plan)
    assert estimate.resolution == options.get("resolution", "720p")
    assert estimate.audio is options.get("audio", True)


@pytest.mark.parametrize(
    ("provider", "model", "tokens", "micros"),
    [
        ("gemini-text", "gemini-3.5-flash", (1000, 333), 1_499),  # 500 + 999
        ("openai-text", "gpt-5-mini", (350, 70), 228),  # 87.5 + 140 = 227.5 -> 228 (half up)
        ("openai-text", "gpt-4o-mini", (0, 0), 0),
    ],
)
def test_text_by_input_and_output_tokens(provider, model, tokens, micros):
    options = {"model": model, "input_tokens": tokens[0], "output_tokens": tokens[1]}
    estimate = estimate_media_cost("text", provider, options, at=DEC)
    assert estimate.cost_micros == micros
    assert estimate.cost == Decimal(micros) / 1_000_000


@pytest.mark.parametrize(
    ("media_type", "provider", "options", "field"),
    [
        ("image", "gemini-pro", {"image_size": "8K"}, "image_size"),
        ("image", "gemini-flash", {"model": "dall-e-3"}, "model"),
        ("video", "sora", {"duration_seconds": 8, "resolution": "1024p"}, "resolution"),
        ("video", "veo", {"duration_seconds": 8, "audio": "yes"}, "audio"),
        ("text", "gemini-text", {"input_tokens": 10}, "output_tokens"),
        ("text", "gemini-text", {"input_tokens": -1, "output_tokens": 1}, "input_tokens"),
    ],
)
def test_an_unpriced_dimension_is_an_error_never_zero(media_type, provider, options, field):
    with pytest.raises(InvalidInput) as caught:
        estimate_media_cost(media_type, provider, options, at=DEC)
    assert field in caught.value.errors


def test_an_event_stores_every_dimension_it_was_priced_on():
    event = price_media_generation(
        MediaGenerationEvent(
            id="e1", tenant_id="t", user_id="u", type="image", provider="gemini-pro", created_at=DEC
        )
    )
    assert (event.model, event.image_size, event.cost_micros, event.price_version) == (
        "gemini-3-pro-image",
        "1K",
        134_000,
        "2026-12-01",
    )
    video = price_media_generation(
        MediaGenerationEvent(
            id="e2",
            tenant_id="t",
            user_id="u",
            type="video",
            provider="veo",
            duration_seconds=10,
            resolution="1080p",
            audio=False,
            created_at=DEC,
        )
    )
    assert (video.model, video.resolution, video.audio, video.cost_micros) == (
        "veo-3.1-generate-preview",
        "1080p",
        False,
        2_000_000,
    )


def test_history_keeps_the_first_version_prices():
    march = datetime(2026, 3, 1, tzinfo=UTC)
    assert estimate_media_cost(
        "image", "gemini-pro", {"image_size": "4K"}, at=march
    ).cost_micros == (40_000)
    assert estimate_media_cost("video", "veo", {"duration_seconds": 8}, at=march).cost_micros == (
        750_000
    )


def _broken(change) -> dict:
    data = copy.deepcopy(BOOK)
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda d: d["providers"]["gemini-pro"]["models"]["gemini-3-pro-image"]["sizes"].pop(
                "4K"
            ),
            "provider gemini-pro, model gemini-3-pro-image, size 4K: missing price",
        ),
        (
            lambda d: d["providers"]["veo"]["models"]["veo-3.1-generate-preview"]["per_second"][
                "1080p"
            ].pop("silent"),
            "provider veo, model veo-3.1-generate-preview, 1080p silent per second: missing price",
        ),
        (
            lambda d: d["providers"]["imagen"]["models"]["imagen-4.0-generate-001"].update(
                per_image="-0.04"
            ),
            "provider imagen, model imagen-4.0-generate-001, per image: the price must not be "
            "negative",
        ),
        (
            lambda d: d["providers"]["openai-text"]["models"]["gpt-5-mini"].update(
                output_per_million="two dollars"
            ),
            "provider openai-text, model gpt-5-mini, output per million tokens: 'two dollars' is "
            "not a decimal price",
        ),
        (
            lambda d: d["providers"]["gemini-flash"]["models"]["gemini-3.1-flash-image"].update(
                per_image=0.039
            ),
            "provider gemini-flash, model gemini-3.1-flash-image, per image: the price must be a "
            "decimal string",
        ),
        (
            lambda d: d["providers"]["sora"]["models"]["sora-2"]["per_second"]["720p"].update(
                audio="1e-1"
            ),
            "provider sora, model sora-2, 720p audio per second: '1e-1' is not a decimal price",
        ),
    ],
)
def test_a_bad_price_book_is_refused_naming_provider_model_and_dimension(change, named):
    data = _broken(change)
    with pytest.raises(InvalidInput) as caught:
        parse_price_book(data, "2026-12-01.json")
    message = caught.value.errors["price_book"]
    assert message.startswith("Price book 2026-12-01.json is invalid: ")
    assert named in message
