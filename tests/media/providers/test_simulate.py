"""Simulate mode: the default without an API key; real PNG and MP4 files; joining clips."""

import io
import tempfile
from fractions import Fraction

import imageio_ffmpeg
import pytest
from PIL import Image

from media.providers import (
    InvalidRequest,
    MediaToolError,
    ModelRetired,
    image_provider,
    join_clips,
    text_provider,
    video_duration,
    video_provider,
)
from media.providers.gemini import GeminiImageProvider
from media.providers.registry import GEMINI_ASPECT_RATIOS
from media.providers.simulate import (
    SIMULATED_CAPTION_LIMIT,
    SimulatedImageProvider,
    SimulatedTextProvider,
    SimulatedVideoProvider,
)
from media.providers.sora import SoraProvider

PALETTE = ["#1B4332", "#D8F3DC", "#FFB703"]


@pytest.fixture
def no_keys(settings):
    settings.MEDIA_PROVIDERS = {
        key: {**entry, "api_key": ""} for key, entry in settings.MEDIA_PROVIDERS.items()
    }
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": [],
    }
    return settings


def seconds_of(video: bytes) -> float:
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        file.write(video)
        file.flush()
        return imageio_ffmpeg.count_frames_and_secs(file.name)[1]


def test_every_provider_without_a_key_is_simulated(no_keys):
    assert isinstance(image_provider("gemini-flash"), SimulatedImageProvider)
    assert isinstance(image_provider("gemini-pro"), SimulatedImageProvider)
    assert isinstance(video_provider("veo"), SimulatedVideoProvider)
    assert isinstance(text_provider(), SimulatedTextProvider)


def test_a_provider_with_a_key_is_called_for_real(no_keys):
    no_keys.MEDIA_PROVIDERS["gemini-flash"]["api_key"] = "real-key"
    no_keys.MEDIA_PROVIDERS["sora"]["api_key"] = "real-key"

    assert isinstance(image_provider("gemini-flash"), GeminiImageProvider)
    assert isinstance(video_provider("sora"), SoraProvider)
    assert isinstance(image_provider("gemini-pro"), SimulatedImageProvider)


@pytest.mark.parametrize("aspect_ratio", GEMINI_ASPECT_RATIOS)
def test_a_simulated_image_is_a_png_of_the_aspect_ratio(no_keys, aspect_ratio):
    result = image_provider("gemini-flash").generate_image(
        prompt="Gummies on a marble counter, soft morning light, product shot " * 3,
        aspect_ratio=aspect_ratio,
        idempotency_key="sim-1",
        palette=PALETTE,
    )

    image = Image.open(io.BytesIO(result.data))
    width, height = (int(part) for part in aspect_ratio.split(":"))
    assert image.format == "PNG" and result.mime_type == "image/png"
    assert Fraction(*image.size) == Fraction(width, height)
    assert max(image.size) <= 1024
    assert (
        result.simulated is True
        and result.model == no_keys.MEDIA_PROVIDERS["gemini-flash"]["model"]
    )
    assert result.provider_request_id.startswith("sim-")


def test_a_simulated_image_shows_the_palette(no_keys):
    result = image_provider("gemini-pro").generate_image(
        prompt="Brand card", aspect_ratio="1:1", idempotency_key="sim-2", palette=PALETTE
    )

    image = Image.open(io.BytesIO(result.data)).convert("RGB")
    colours = {colour for _count, colour in image.getcolors(maxcolors=1 << 20)}
    assert {Image.new("RGB", (1, 1), c).getpixel((0, 0)) for c in PALETTE} <= colours
    assert image.getpixel((0, 0)) == (0x1B, 0x43, 0x32)


def test_a_simulated_video_lasts_the_requested_time_and_has_a_thumbnail(no_keys):
    progress = []
    result = video_provider("veo").generate_video(
        prompt="Slow pan over a dispensary counter",
        duration_seconds=6,
        aspect_ratio="9:16",
        idempotency_key="sim-3",
        palette=PALETTE,
        on_progress=progress.append,
    )

    assert result.data[4:8] == b"ftyp" and result.mime_type == "video/mp4"
    assert seconds_of(result.data) == pytest.approx(6, abs=0.1)
    assert result.duration_seconds == 6 and result.resolution == "720p"
    thumbnail = Image.open(io.BytesIO(result.thumbnail))
    assert thumbnail.format == "PNG" and Fraction(*thumbnail.size) == Fraction(9, 16)
    assert result.simulated is True and progress == [100]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_seconds": 5}, "duration_seconds"),
        ({"aspect_ratio": "4:3"}, "aspect_ratio"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"prompt": " "}, "prompt"),
    ],
)
def test_simulate_mode_refuses_what_the_provider_would_refuse(no_keys, overrides, field):
    values = {"prompt": "x", "duration_seconds": 4, "aspect_ratio": "16:9", "idempotency_key": "s"}
    with pytest.raises(InvalidRequest) as refused:
        video_provider("veo").generate_video(**{**values, **overrides})
    assert refused.value.field == field


def test_simulate_mode_fails_a_retired_model_too(no_keys):
    with pytest.raises(ModelRetired, match=r"imagen-4\.0-generate-001 was retired"):
        image_provider("imagen").generate_image(
            prompt="x", aspect_ratio="1:1", idempotency_key="sim-5"
        )


def test_a_simulated_caption_is_short_and_marked(no_keys):
    result = text_provider().generate_text(
        prompt="Write about " + "deals " * 100, idempotency_key="c"
    )

    assert result.simulated is True
    assert result.text.startswith("[Simulated caption] Write about deals")
    assert len(result.text) <= SIMULATED_CAPTION_LIMIT


def test_joined_clips_last_as_long_as_the_clips_together(no_keys):
    veo = video_provider("veo")
    clips = [
        veo.generate_video(
            prompt="Clip", duration_seconds=seconds, aspect_ratio="16:9", idempotency_key=f"j-{i}"
        ).data
        for i, seconds in enumerate((8, 8, 4))
    ]

    joined = join_clips(clips)

    assert joined[4:8] == b"ftyp"
    assert seconds_of(joined) == pytest.approx(20, abs=0.1)
    assert video_duration(joined) == pytest.approx(20, abs=0.1)


def test_join_refuses_nothing_and_non_videos(png_bytes, mp4_bytes):
    with pytest.raises(MediaToolError, match="no clips"):
        join_clips([])
    with pytest.raises(MediaToolError, match="MP4"):
        join_clips([mp4_bytes, png_bytes])
    assert join_clips([mp4_bytes]) == mp4_bytes
