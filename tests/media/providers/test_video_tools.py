"""Cropping a video to its centred square (no provider makes 1:1 video) and reading frame sizes,
with the bundled ffmpeg on real MP4 files."""

import io
import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from media.providers import MediaToolError, crop_to_square, video_duration, video_size
from media.providers.video_tools import extract_thumbnail, render_clip


def _clip(png: bytes, width: int, height: int, seconds: int = 4) -> bytes:
    return render_clip(still_png=png, duration_seconds=seconds, width=width, height=height)


def _with_audio(video: bytes) -> bytes:
    """The video with a sine tone as its audio track (Veo's videos have sound)."""
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.mp4", Path(tmp) / "out.mp4"
        source.write_bytes(video)
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-y", "-i", str(source),
                "-f", "lavfi", "-i", "sine=frequency=440", "-shortest",
                "-c:v", "copy", "-c:a", "aac", str(out),
            ],
            check=True,
        )  # fmt: skip
        return out.read_bytes()


def _streams(video: bytes) -> str:
    """ffmpeg's own description of the file's streams."""
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        file.write(video)
        file.flush()
        probe = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", file.name],
            capture_output=True,
            text=True,
            check=False,
        )
        return probe.stderr


def _middle_colour(video: bytes) -> tuple[int, int, int]:
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        file.write(video)
        file.flush()
        frames = imageio_ffmpeg.read_frames(file.name)
        meta = next(frames)
        frame = np.frombuffer(next(frames), dtype=np.uint8)
        frames.close()
    width, height = meta["size"]
    pixels = frame.reshape(height, width, 3)
    return tuple(int(v) for v in pixels[height // 2, width // 2])


@pytest.mark.parametrize(
    ("width", "height", "side"),
    [(640, 360, 360), (360, 640, 360), (1280, 720, 720), (202, 150, 150), (150, 150, 150)],
)
def test_a_video_is_cropped_to_its_centred_square_keeping_its_duration(
    png_bytes, width, height, side
):
    video = _clip(png_bytes, width, height)
    assert video_size(video) == (width, height)

    square = crop_to_square(video)

    assert square[4:8] == b"ftyp"
    assert video_size(square) == (side, side)
    assert video_duration(square) == pytest.approx(4, abs=0.1)


def test_the_crop_keeps_the_middle_of_the_picture(tmp_path):
    # A frame split into three vertical bands: red, green, blue. The square keeps the green.
    still = Image.new("RGB", (480, 160), "red")
    still.paste((0, 200, 0), (160, 0, 320, 160))
    still.paste((0, 0, 255), (320, 0, 480, 160))
    path = tmp_path / "bands.png"
    still.save(path)
    video = _clip(path.read_bytes(), 480, 160)

    square = crop_to_square(video)

    assert video_size(square) == (160, 160)
    red, green, blue = _middle_colour(square)
    assert green > 150 and red < 60 and blue < 60
    thumbnail = Image.open(io.BytesIO(extract_thumbnail(square)))
    assert thumbnail.size == (160, 160)


def test_the_sound_track_is_kept(png_bytes):
    video = _with_audio(_clip(png_bytes, 640, 360))
    assert "Audio:" in _streams(video)

    square = crop_to_square(video)

    streams = _streams(square)
    assert "Audio: aac" in streams and "360x360" in streams
    assert video_duration(square) == pytest.approx(4, abs=0.1)


def test_only_an_mp4_can_be_cropped_or_measured(png_bytes, mp4_bytes):
    with pytest.raises(MediaToolError, match="only an MP4"):
        crop_to_square(png_bytes)
    with pytest.raises(MediaToolError, match="cannot read the video: it is not an MP4"):
        video_size(b"not a video at all")
    with pytest.raises(MediaToolError, match="cannot read the video"):
        video_size(mp4_bytes[:40])  # the header of an MP4 and nothing else
    with pytest.raises(MediaToolError, match="ffmpeg failed"):
        crop_to_square(mp4_bytes[:40])
