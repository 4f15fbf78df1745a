"""Square (1:1) video: no video provider makes it, so the service asks for 16:9, joins and trims
the clips as usual, crops the centre square with ffmpeg and checks the result before accepting it.
The price is the same as the 16:9 video it is cut from."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from costs.pricing import estimate_media_cost
from media.models import MediaAsset
from media.providers import video_duration, video_size
from media.services import generate_video
from tests.media.services.conftest import VEO_START, veo_start

pytestmark = pytest.mark.django_db


def _read(stored) -> bytes:
    with default_storage.open(stored.name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("seconds", "plan"), [(5, [6]), (10, [6, 4]), (15, [8, 8]), (30, [8, 8, 8, 6])]
)
def test_a_square_video_is_square_and_lasts_the_requested_time(org_a, owner_a, seconds, plan):
    result = generate_video(
        org_a.pk,
        str(owner_a.pk),
        provider="veo",
        prompt="This week's deals at Alpha",
        duration_seconds=seconds,
        aspect_ratio="1:1",
    )

    asset = MediaAsset.objects.get(pk=result.id)
    data = _read(asset.file)
    assert video_size(data) == (360, 360)  # the simulated 640x360 clip's centre square
    assert video_duration(data) == pytest.approx(seconds, abs=0.1)
    assert asset.duration_seconds == result.duration_seconds == seconds
    thumbnail = Image.open(io.BytesIO(_read(asset.thumbnail)))
    assert thumbnail.format == "PNG" and thumbnail.size == (360, 360)
    params = asset.params
    assert (params["aspect_ratio"], params["provider_aspect_ratio"], params["crop"]) == (
        "1:1",
        "16:9",
        "centre square",
    )
    assert params["clip_plan"] == plan
    expected = estimate_media_cost("video", "veo", {"duration_seconds": seconds}).cost_micros
    assert result.cost_micros == result.tracking_event.cost_micros == expected
    assert result.tracking_event.params["aspect_ratio"] == "1:1"


def test_veo_is_asked_for_16_9_with_the_framing_and_the_crop_is_checked(
    org_a, owner_a, real_provider, clip_bytes
):
    fake = real_provider("veo")
    fake.on("POST", VEO_START, *[veo_start(fake, clip_bytes)] * 2)

    result = generate_video(
        org_a.pk,
        str(owner_a.pk),
        provider="veo",
        prompt="Gummies on a plate",
        duration_seconds=10,
        aspect_ratio="1:1",
    )

    starts = fake.seen("POST", VEO_START)
    assert [s.json["parameters"]["aspectRatio"] for s in starts] == ["16:9", "16:9"]
    prompt = starts[0].json["instances"][0]["prompt"]
    assert prompt.startswith("Gummies on a plate")
    assert "inside the centre square of the frame" in prompt
    data = _read(MediaAsset.objects.get(pk=result.id).file)
    assert video_size(data) == (36, 36)  # the fake server's 64x36 clips
    assert video_duration(data) == pytest.approx(10, abs=0.1)
    assert result.simulated is False and result.cost_micros == 1_125_000


def test_a_square_video_from_sora_through_a_gateway(settings, org_a, owner_a):
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": ["sora-2"],
    }
    result = generate_video(
        org_a.pk, None, provider="sora", prompt="Vape", duration_seconds=8, aspect_ratio="1:1"
    )
    data = _read(MediaAsset.objects.get(pk=result.id).file)
    assert video_size(data) == (360, 360)
    assert video_duration(data) == pytest.approx(8, abs=0.1)


def test_a_square_request_is_its_own_cache_entry(org_a):
    def make(aspect_ratio):
        return generate_video(
            org_a.pk,
            None,
            provider="veo",
            prompt="Same",
            duration_seconds=4,
            aspect_ratio=aspect_ratio,
        )

    wide, square, again = make("16:9"), make("1:1"), make("1:1")
    assert not square.cache_hit and square.id != wide.id
    assert again.cache_hit and again.id == square.id


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
