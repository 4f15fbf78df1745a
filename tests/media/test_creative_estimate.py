"""``GET /dashboard/creative/estimate``: the live estimate and budget beside the form."""

import pytest

from costs.budgets import update_media_budget
from costs.money import format_micros
from media.providers import PROVIDERS
from presets.services import create_style_preset
from tests.media.helpers import ESTIMATE, HTMX, priced_micros, text_of

pytestmark = pytest.mark.django_db


def test_it_follows_provider_duration_and_budget(owner_a_client, org_a):
    response = owner_a_client.get(
        ESTIMATE,
        {"kind": "video", "provider": "veo", "duration_seconds": "30", **{"aspect_ratio": "16:9"}},
        **HTMX,
    )
    text = text_of(response)
    # Veo bills per second (2026-12-01 price book): 30 s x $0.40 at 720p with audio.
    assert 'data-testid="estimate-cost">$12.00<' in response.content.decode()
    assert (
        "veo-3.1-generate-preview second at 720p with audio (8 s + 8 s + 8 s + 6 s clips)" in text
    )
    assert "30 \u00d7 $0.40 per second" in text
    assert "veo-3.1-generate-preview · 30 s · 720p with audio" in text
    assert "Price book 2026-12-01" in text
    assert "Made as 4 clips (8 s + 8 s + 8 s + 6 s), joined." in text
    assert "Within budget" in text

    five = text_of(owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "5"}, **HTMX))
    assert "Made as 1 clip (6 s), joined and trimmed to 5 s (6 s billed)." in five

    update_media_budget(org_a.pk, {"daily_limit": "2", "monthly_limit": "100"})
    blocked = text_of(
        owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "30"}, **HTMX)
    )
    assert "The daily budget of $2.00 would be exceeded by $10.00" in blocked
    assert "Today $0.00 of $2.00" in blocked and "This month $0.00 of $100.00" in blocked

    bad = text_of(owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "0"}, **HTMX))
    assert "The duration must be a whole number of seconds from 1 to 300." in bad


def test_it_answers_404_for_a_foreign_preset(owner_a_client, org_b):
    created = create_style_preset(
        tenant_id=org_b.pk,
        data={"name": "Beta look", "style_prompt": "Teal", "aspect_ratios": ["1:1"]},
    )
    response = owner_a_client.get(ESTIMATE, {"preset_id": created.id}, **HTMX)
    assert response.status_code == 404


@pytest.mark.parametrize("duration", ["²", "①", "-4", "0", "301", "8.5", "", "9" * 40])
def test_it_names_a_duration_that_is_not_1_to_300_whole_seconds(owner_a_client, duration):
    response = owner_a_client.get(
        ESTIMATE, {"kind": "video", "provider": "veo", "duration_seconds": duration}, **HTMX
    )
    assert response.status_code == 200
    assert (
        'data-testid="estimate-error">The duration must be a whole number of seconds from 1 '
        "to 300.<" in response.content.decode()
    )


def _cost(response) -> str:
    return response.content.decode().split('data-testid="estimate-cost">')[1].split("<")[0]


def test_it_prices_the_chosen_image_size(owner_a_client):
    form = {"kind": "image", "provider": "gemini-pro", "aspect_ratio": "1:1"}
    default = owner_a_client.get(ESTIMATE, form, **HTMX)
    assert _cost(default) == format_micros(priced_micros("gemini-pro", image_size="1K"))
    for size in PROVIDERS["gemini-pro"].image_sizes:
        response = owner_a_client.get(ESTIMATE, {**form, "image_size": size}, **HTMX)
        assert _cost(response) == format_micros(priced_micros("gemini-pro", image_size=size))
        assert f"gemini-3-pro-image {size} image" in text_of(response)  # the breakdown
    largest = priced_micros("gemini-pro", image_size="4K")
    assert largest > priced_micros("gemini-pro", image_size="1K")
    assert "gemini-3-pro-image · 4K" in text_of(
        owner_a_client.get(ESTIMATE, {**form, "image_size": "4K"}, **HTMX)
    )


@pytest.mark.parametrize("resolution", ["1080p", "4k"])
def test_it_prices_the_chosen_video_resolution(owner_a_client, resolution):
    form = {"kind": "video", "provider": "veo", "aspect_ratio": "16:9", "duration_seconds": "8"}
    response = owner_a_client.get(ESTIMATE, {**form, "resolution": resolution}, **HTMX)
    micros = priced_micros("veo", resolution=resolution, seconds=8)
    assert _cost(response) == format_micros(micros)
    text = text_of(response)
    assert f"second at {resolution} with audio (8 s clips)" in text
    assert f"8 s · {resolution} with audio" in text
    # The price book in effect charges Veo the same per second at every resolution (its note
    # says so); the estimate is what it charges, not what the default costs.
    default = owner_a_client.get(ESTIMATE, form, **HTMX)
    assert _cost(default) == format_micros(priced_micros("veo", resolution="720p", seconds=8))


def test_a_higher_resolution_priced_higher_costs_more(owner_a_client, settings):
    # sora-2-pro prices 1024p above 720p; Sora is retired at OpenAI, so served by a gateway.
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "sora": {**settings.MEDIA_PROVIDERS["sora"], "model": "sora-2-pro"},
    }
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": ["sora-2-pro"],
    }
    form = {"kind": "video", "provider": "sora", "aspect_ratio": "16:9", "duration_seconds": "8"}
    default = owner_a_client.get(ESTIMATE, form, **HTMX)
    larger = owner_a_client.get(ESTIMATE, {**form, "resolution": "1024p"}, **HTMX)
    assert _cost(default) == format_micros(priced_micros("sora", resolution="720p", seconds=8))
    assert _cost(larger) == format_micros(priced_micros("sora", resolution="1024p", seconds=8))
    assert priced_micros("sora", resolution="1024p", seconds=8) > priced_micros(
        "sora", resolution="720p", seconds=8
    )


def test_a_size_the_provider_does_not_offer_is_estimated_at_its_default(owner_a_client):
    form = {"kind": "image", "provider": "gemini-pro", "aspect_ratio": "1:1"}
    for size in ("8K", "\u00b2", "A" * 50_000, "720p"):
        response = owner_a_client.get(ESTIMATE, {**form, "image_size": size}, **HTMX)
        assert _cost(response) == format_micros(priced_micros("gemini-pro", image_size="1K"))
    # The provider has no sizes: nothing to choose, one price.
    flash = owner_a_client.get(
        ESTIMATE, {"kind": "image", "provider": "gemini-flash", "image_size": "4K"}, **HTMX
    )
    assert "estimate-error" not in flash.content.decode()
