"""Price versions run by super admins (costs.price_versions): a future version or a correction
stored without a code change, the difference between two versions, and every refusal naming the
provider, model and dimension — nothing stored then."""

import copy
import json
from datetime import UTC, date, datetime

import pytest

from bakedbot.errors import InvalidInput
from costs import pricing
from costs.models import PriceVersion
from costs.price_versions import PriceChange, add_price_version, version_difference
from costs.pricing import estimate_media_cost, price_book

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)
BASE = json.loads((pricing.PRICEBOOK_DIR / "2026-12-01.json").read_text())


def _version(name="2027-01-01", **changes) -> dict:
    data = copy.deepcopy(BASE)
    data["version"] = name
    data["effective_from"] = changes.pop("effective_from", name[:10])
    for change in changes.pop("edits", ()):
        change(data)
    return data


def _veo(data):
    return data["providers"]["veo"]["models"]["veo-3.1-generate-preview"]


def test_a_future_version_prices_from_its_date_and_history_keeps_its_price():
    cheaper = _version(edits=[lambda d: _veo(d)["per_second"]["720p"].update(audio="0.30")])
    add_price_version(data=cheaper, today=TODAY)
    december = datetime(2026, 12, 31, 23, tzinfo=UTC)
    january = datetime(2027, 1, 1, tzinfo=UTC)
    assert estimate_media_cost(
        "video", "veo", {"duration_seconds": 8}, at=december
    ).cost_micros == (3_200_000)
    later = estimate_media_cost("video", "veo", {"duration_seconds": 8}, at=january)
    assert (later.cost_micros, later.price_version) == (2_400_000, "2027-01-01")
    assert version_difference(price_book(december), price_book(january)) == [
        PriceChange(
            "veo", "veo-3.1-generate-preview", "720p audio per second", "0.400000", "0.300000"
        )
    ]


def test_a_correction_replaces_a_version_on_its_own_date():
    fixed = _version("2026-12-01.r2", effective_from="2026-12-01")
    fixed["providers"]["gemini-pro"]["models"]["gemini-3-pro-image"]["sizes"]["4K"] = "0.30"
    add_price_version(data=fixed, corrects="2026-12-01", today=TODAY)
    at = datetime(2026, 12, 1, 12, tzinfo=UTC)
    estimate = estimate_media_cost("image", "gemini-pro", {"image_size": "4K"}, at=at)
    assert (estimate.cost_micros, estimate.price_version) == (300_000, "2026-12-01.r2")


@pytest.mark.parametrize(
    ("data", "corrects", "field", "message"),
    [
        (
            _version(
                edits=[lambda d: d["providers"]["veo"]["models"].pop("veo-3.1-generate-preview")]
            ),
            "",
            "price_book",
            "provider veo, model veo-3.1-generate-preview: missing price",
        ),
        (
            _version(edits=[lambda d: _veo(d)["per_second"].pop("1080p")]),
            "",
            "price_book",
            "provider veo, model veo-3.1-generate-preview, 1080p audio per second: missing price",
        ),
        (
            _version(edits=[lambda d: _veo(d)["per_second"]["4k"].update(silent="-0.2")]),
            "",
            "price_book",
            "provider veo, model veo-3.1-generate-preview, 4k silent per second: the price must "
            "not be negative",
        ),
        (
            _version(
                edits=[
                    lambda d: d["providers"]["gemini-text"]["models"]["gemini-3.5-flash"].update(
                        input_per_million="0,50"
                    )
                ]
            ),
            "",
            "price_book",
            "provider gemini-text, model gemini-3.5-flash, input per million tokens: '0,50' is "
            "not a decimal price",
        ),
        (_version("2026-12-01.b", effective_from="2026-12-01"), "", "effective_from", "future"),
        (_version("2026-12-20", effective_from="2026-12-01"), "", "effective_from", "future"),
        (_version("2026-02-01"), "", "version", "exists already"),
        (
            _version("2026-12-01.c", effective_from="2026-12-05"),
            "2026-12-01",
            "effective_from",
            "starts on its date, 2026-12-01",
        ),
        (_version("x", effective_from="2026-12-01"), "2026-11-01", "corrects", "no version"),
    ],
)
def test_a_bad_version_is_refused_naming_what_is_wrong_and_nothing_is_stored(
    data, corrects, field, message
):
    with pytest.raises(InvalidInput) as caught:
        add_price_version(data=data, corrects=corrects, today=TODAY)
    assert message in caught.value.errors[field]
    assert PriceVersion.objects.count() == 0


def test_two_versions_may_not_start_on_one_date():
    add_price_version(data=_version("2027-02-01"), today=TODAY)
    with pytest.raises(InvalidInput) as caught:
        add_price_version(data=_version("2027-02-01.b", effective_from="2027-02-01"), today=TODAY)
    assert (
        "Version 2027-02-01 already starts on 2027-02-01" in caught.value.errors["effective_from"]
    )
    assert PriceVersion.objects.count() == 1
