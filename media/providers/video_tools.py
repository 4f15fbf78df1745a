"""Local video work with the ffmpeg binary shipped by imageio-ffmpeg: render a simulated clip,
take a thumbnail, join clips into one MP4, trim one, crop one to a centred square, measure a
duration and a frame size."""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import imageio_ffmpeg

FFMPEG_TIMEOUT_SECONDS = 900
FRAME_SIZE = re.compile(r"\b(\d{2,5})x(\d{2,5})\b")


class MediaToolError(RuntimeError):
    """ffmpeg could not do what was asked (bad input, or the binary failed)."""


def is_mp4(data: bytes) -> bool:
    """An ISO base media file starts with a box whose type is ``ftyp``."""
    return len(data) >= 12 and data[4:8] == b"ftyp"


def render_clip(
    *, still_png: bytes, duration_seconds: int, width: int, height: int, fps: int = 12
) -> bytes:
    """An H.264 MP4 of ``duration_seconds`` showing ``still_png`` with a bar sweeping across the
    bottom, so the clip visibly plays and its position shows how far in it is."""
    if duration_seconds < 1:
        raise MediaToolError("a clip needs at least one second")
    bar_height = max(4, height // 40)
    with tempfile.TemporaryDirectory(prefix="bakedbot-clip-") as tmp:
        still = Path(tmp) / "still.png"
        still.write_bytes(still_png)
        out = Path(tmp) / "clip.mp4"
        _ffmpeg(
            "-loop", "1", "-framerate", str(fps), "-i", str(still),
            "-f", "lavfi", "-i", f"color=c=white:s={width}x{bar_height}:r={fps}",
            "-filter_complex",
            f"[0:v]scale={width}:{height},setsar=1[bg];"
            f"[bg][1:v]overlay=x='-w+w*t/{duration_seconds}':y=H-h,format=yuv420p[v]",
            "-map", "[v]", "-t", str(duration_seconds), "-r", str(fps),
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "stillimage",
            "-movflags", "+faststart", str(out),
        )  # fmt: skip
        return out.read_bytes()


def extract_thumbnail(video: bytes) -> bytes:
    """A PNG of the frame one second in (or the first frame of a shorter video)."""
    with tempfile.TemporaryDirectory(prefix="bakedbot-thumb-") as tmp:
        source = Path(tmp) / "video.mp4"
        source.write_bytes(video)
        out = Path(tmp) / "thumb.png"
        for seek in ("1", "0"):
            _ffmpeg("-ss", seek, "-i", str(source), "-frames:v", "1", "-c:v", "png", str(out))
            if out.exists() and out.stat().st_size:
                return out.read_bytes()
        raise MediaToolError("the video has no frame to take a thumbnail from")


def join_clips(clips: Sequence[bytes]) -> bytes:
    """Join MP4 clips end to end into one MP4 (ffmpeg's concat demuxer, streams copied).

    The clips must share codec parameters, as clips from one provider and one request do.
    """
    if not clips:
        raise MediaToolError("nothing to join: no clips")
    if not all(is_mp4(clip) for clip in clips):
        raise MediaToolError("every clip must be an MP4")
    if len(clips) == 1:
        return clips[0]
    with tempfile.TemporaryDirectory(prefix="bakedbot-join-") as tmp:
        listing = []
        for index, clip in enumerate(clips):
            path = Path(tmp) / f"clip{index:04d}.mp4"
            path.write_bytes(clip)
            listing.append(f"file '{path.name}'")
        playlist = Path(tmp) / "clips.txt"
        playlist.write_text("\n".join(listing) + "\n")
        out = Path(tmp) / "joined.mp4"
        _ffmpeg(
            "-f", "concat", "-safe", "0", "-i", str(playlist),
            "-c", "copy", "-movflags", "+faststart", str(out),
        )  # fmt: skip
        return out.read_bytes()


def trim_video(video: bytes, duration_seconds: int) -> bytes:
    """The first ``duration_seconds`` of an MP4, streams copied: a clip plan may bill (and make)
    more seconds than were asked for, and only the end is cut, so no re-encoding is needed."""
    if duration_seconds < 1:
        raise MediaToolError("a video needs at least one second")
    if not is_mp4(video):
        raise MediaToolError("only an MP4 can be trimmed")
    with tempfile.TemporaryDirectory(prefix="bakedbot-trim-") as tmp:
        source = Path(tmp) / "video.mp4"
        source.write_bytes(video)
        out = Path(tmp) / "trimmed.mp4"
        _ffmpeg(
            "-i", str(source), "-t", str(duration_seconds),
            "-c", "copy", "-movflags", "+faststart", str(out),
        )  # fmt: skip
        return out.read_bytes()


def crop_to_square(video: bytes) -> bytes:
    """The centred square of an MP4, as wide as its short side (720x1280 -> 720x720).

    No video provider makes 1:1, so a square video is generated at a ratio the provider makes and
    cropped here. Cropping changes the picture, so the video stream is re-encoded (H.264, near
    lossless); an audio track is copied as it is, and the duration does not change.
    """
    if not is_mp4(video):
        raise MediaToolError("only an MP4 can be cropped")
    side = r"trunc(min(iw\,ih)/2)*2"  # H.264 (yuv420p) needs even dimensions
    with tempfile.TemporaryDirectory(prefix="bakedbot-crop-") as tmp:
        source = Path(tmp) / "video.mp4"
        source.write_bytes(video)
        out = Path(tmp) / "square.mp4"
        _ffmpeg(
            "-i", str(source), "-map", "0:v:0", "-map", "0:a?",
            "-vf", f"crop={side}:{side},setsar=1",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
            "-c:a", "copy", "-movflags", "+faststart", str(out),
        )  # fmt: skip
        return out.read_bytes()


def video_size(video: bytes) -> tuple[int, int]:
    """Width and height of the video's frames, from ffmpeg's description of its first video
    stream (as imageio-ffmpeg reads it, without leaving pipes open when the file is bad)."""
    if not is_mp4(video):
        raise MediaToolError("cannot read the video: it is not an MP4")
    with tempfile.TemporaryDirectory(prefix="bakedbot-probe-") as tmp:
        path = Path(tmp) / "video.mp4"
        path.write_bytes(video)
        # No output file: ffmpeg describes the input, then exits with an error on purpose.
        completed = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)],
            capture_output=True,
            text=True,
            timeout=FFMPEG_TIMEOUT_SECONDS,
            check=False,
        )
    for line in completed.stderr.splitlines():
        if " Video: " in line:
            match = FRAME_SIZE.search(line.split(" Video: ", 1)[1])
            if match:
                return int(match.group(1)), int(match.group(2))
    raise MediaToolError(f"cannot read the video: {completed.stderr.strip()[-400:]}")


def video_duration(video: bytes) -> float:
    """The duration in seconds ffmpeg reads from the file."""
    with tempfile.TemporaryDirectory(prefix="bakedbot-probe-") as tmp:
        path = Path(tmp) / "video.mp4"
        path.write_bytes(video)
        try:
            _frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
        except RuntimeError as exc:
            raise MediaToolError(f"cannot read the video: {exc}") from exc
        return float(seconds)


def _ffmpeg(*args: str) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=FFMPEG_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise MediaToolError(f"ffmpeg took longer than {FFMPEG_TIMEOUT_SECONDS} s") from exc
    if completed.returncode != 0:
        raise MediaToolError(f"ffmpeg failed: {completed.stderr.strip()[-800:]}")
