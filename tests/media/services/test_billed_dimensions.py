"""A generation is charged what its estimate said, to the micro-dollar, priced by the model
and the dimensions the provider bills (image size; video resolution and audio, per second), and
its event keeps every dimension (price book 2026-12-01; simulated providers)."""

import pytest

from media.services import generate_image, generate_video
from media.validation import prepare_generation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("size", "micros"), [(None, 134_000), ("1K", 134_000), ("2K", 134_000), ("4K", 240_000)]
)
def test_a_gemini_pro_image_is_charged_its_size_estimate(org_a, size, micros):
    request = prepare_generation(
        kind="image",
        tenant_id=org_a.pk,
        user_id=None,
        provider="gemini-pro",
        prompt="A jar",
        aspect_ratio="1:1",
        image_size=size,
    )
    assert request.estimate.cost_micros == micros
    assert request.estimate.breakdown[0].label == f"gemini-3-pro-image {size or '1K'} image"
    made = generate_image(
        org_a.pk, None, provider="gemini-pro", prompt="A jar", aspect_ratio="1:1", image_size=size
    )
    event = made.tracking_event
    assert made.cost_micros == event.cost_micros == request.estimate.cost_micros
    assert (event.model, event.image_size, event.price_version, event.simulated) == (
        "gemini-3-pro-image",
        size or "1K",
        "2026-12-01",
        True,
    )


@pytest.mark.parametrize(
    ("provider", "resolution", "seconds", "micros"),
    [("veo", "1080p", 10, 4_000_000), ("veo", "720p", 5, 2_400_000), ("sora", "720p", 8, 800_000)],
)
def test_a_video_is_charged_its_estimate_per_second_at_its_resolution(
    org_a, settings, provider, resolution, seconds, micros
):
    # Sora is retired at OpenAI: served by a gateway here.
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": ["sora-2"],
    }
    request = prepare_generation(
        kind="video",
        tenant_id=org_a.pk,
        user_id=None,
        provider=provider,
        prompt="A skyline",
        aspect_ratio="16:9",
        duration_seconds=seconds,
        resolution=resolution,
    )
    assert request.estimate.cost_micros == micros
    assert f"at {resolution} with audio" in request.estimate.breakdown[0].label
    made = generate_video(
        org_a.pk,
        None,
        provider=provider,
        prompt="A skyline",
        aspect_ratio="16:9",
        duration_seconds=seconds,
        resolution=resolution,
    )
    event = made.tracking_event
    assert made.cost_micros == event.cost_micros == micros
    assert (event.resolution, event.audio, event.duration_seconds) == (resolution, True, seconds)
