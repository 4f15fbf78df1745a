"""Simulate mode: what a provider without an API key returns, so a fresh install works offline.

The outputs are real files: a PNG with the prompt, the aspect ratio and the palette drawn on it at
that aspect ratio, or an H.264 MP4 of the requested duration with a PNG thumbnail. Simulated
adapters validate exactly like the real ones (aspect ratios, clip lengths, retired models), so
simulate mode never accepts a request the provider would refuse.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from collections.abc import Sequence

from PIL import Image, ImageColor, ImageDraw, ImageFont

from media.providers.base import Adapter, ProgressCallback
from media.providers.results import ImageResult, TextResult, VideoResult
from media.providers.video_tools import render_clip

DEFAULT_PALETTE = ("#1f4d3a", "#7fb069", "#f2e8cf")
IMAGE_LONG_SIDE = 1024
VIDEO_LONG_SIDE = 640
SIMULATED_CAPTION_LIMIT = 240


def simulated_size(aspect_ratio: str, long_side: int, *, even: bool = False) -> tuple[int, int]:
    """Width and height with exactly ``aspect_ratio`` (when the long side allows) and the longer
    side at most ``long_side``; ``even`` rounds both down to even numbers, as H.264 needs."""
    width_part, height_part = (int(part) for part in aspect_ratio.split(":"))
    unit = long_side // max(width_part, height_part)
    if even and unit % 2:
        unit -= 1
    return width_part * unit, height_part * unit


def render_image(
    *,
    prompt: str,
    aspect_ratio: str,
    palette: Sequence[str] = (),
    caption: str = "",
    long_side: int = IMAGE_LONG_SIDE,
    even: bool = False,
) -> bytes:
    """A PNG card: a gradient in the palette's first two colours, the palette swatches, the prompt,
    the aspect ratio and a caption line (provider, model, "SIMULATED")."""
    colours = [ImageColor.getrgb(colour) for colour in (palette or DEFAULT_PALETTE)]
    top, bottom = colours[0], colours[1 % len(colours)]
    width, height = simulated_size(aspect_ratio, long_side, even=even)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        share = y / max(height - 1, 1)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True)),
        )
    ink = _ink_for(top)
    short = min(width, height)
    margin = max(short // 20, 8)
    small = ImageFont.load_default(size=max(short // 28, 10))
    body = ImageFont.load_default(size=max(short // 18, 12))
    large = ImageFont.load_default(size=max(short // 7, 16))

    draw.text((margin, margin), caption or "SIMULATED", font=small, fill=ink)
    chars_per_line = max(int(width / (body.size * 0.55)) - 2, 10)
    lines = textwrap.wrap(prompt, width=chars_per_line)
    max_lines = max((height - 4 * margin - large.size - short // 8) // int(body.size * 1.3), 1)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: chars_per_line - 1] + "…"]
    y = margin * 2 + small.size
    for line in lines:
        draw.text((margin, y), line, font=body, fill=_ink_for(_mix(top, bottom, y / height)))
        y += int(body.size * 1.3)

    swatch = max(short // 10, 8)
    for index, colour in enumerate(colours):
        x = margin + index * (swatch + margin // 2)
        box = (x, height - margin - swatch, x + swatch, height - margin)
        draw.rectangle(box, fill=colour, outline=_ink_for(bottom), width=max(swatch // 16, 1))
    ratio_box = draw.textbbox((0, 0), aspect_ratio, font=large)
    draw.text(
        (width - margin - (ratio_box[2] - ratio_box[0]), height - margin - ratio_box[3]),
        aspect_ratio,
        font=large,
        fill=_ink_for(bottom),
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


class SimulatedImageProvider(Adapter):
    def generate_image(
        self,
        *,
        prompt: str,
        aspect_ratio: str,
        idempotency_key: str,
        image_size: str | None = None,
        palette: Sequence[str] = (),
    ) -> ImageResult:
        text = self.check_image_request(
            prompt=prompt,
            idempotency_key=idempotency_key,
            aspect_ratio=aspect_ratio,
            image_size=image_size,
            palette=palette,
        )
        data = render_image(
            prompt=text,
            aspect_ratio=aspect_ratio,
            palette=palette,
            caption=f"SIMULATED · {self.provider} · {self.config.model}",
        )
        return ImageResult(
            data=data,
            mime_type="image/png",
            provider=self.provider,
            model=self.config.model,
            aspect_ratio=aspect_ratio,
            simulated=True,
            provider_request_id=simulated_request_id(idempotency_key),
        )


class SimulatedVideoProvider(Adapter):
    def generate_video(
        self,
        *,
        prompt: str,
        duration_seconds: int,
        aspect_ratio: str,
        idempotency_key: str,
        resolution: str | None = None,
        negative_prompt: str | None = None,
        palette: Sequence[str] = (),
        on_progress: ProgressCallback | None = None,
    ) -> VideoResult:
        text, resolution = self.check_video_request(
            prompt=prompt,
            idempotency_key=idempotency_key,
            duration_seconds=duration_seconds,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            palette=palette,
        )
        still = render_image(
            prompt=text,
            aspect_ratio=aspect_ratio,
            palette=palette,
            caption=f"SIMULATED · {self.provider} · {self.config.model} · {duration_seconds} s",
            long_side=VIDEO_LONG_SIDE,
            even=True,
        )
        width, height = simulated_size(aspect_ratio, VIDEO_LONG_SIDE, even=True)
        video = render_clip(
            still_png=still, duration_seconds=duration_seconds, width=width, height=height
        )
        if on_progress is not None:
            on_progress(100)
        return VideoResult(
            data=video,
            mime_type="video/mp4",
            thumbnail=still,
            thumbnail_mime_type="image/png",
            duration_seconds=duration_seconds,
            provider=self.provider,
            model=self.config.model,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            simulated=True,
            provider_request_id=simulated_request_id(idempotency_key),
        )


class SimulatedTextProvider(Adapter):
    def generate_text(
        self,
        *,
        prompt: str,
        idempotency_key: str,
        system: str | None = None,
        max_output_tokens: int | None = None,
    ) -> TextResult:
        text = self.check_text_request(prompt=prompt, idempotency_key=idempotency_key)
        text = " ".join(text.split())
        caption = f"[Simulated caption] {text}"
        if len(caption) > SIMULATED_CAPTION_LIMIT:
            caption = caption[: SIMULATED_CAPTION_LIMIT - 1].rstrip() + "…"
        return TextResult(
            text=caption,
            provider=self.provider,
            model=self.config.model,
            simulated=True,
            provider_request_id=simulated_request_id(idempotency_key),
        )


def simulated_request_id(idempotency_key: str) -> str:
    return "sim-" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]


def _ink_for(colour: tuple[int, ...]) -> tuple[int, int, int]:
    red, green, blue = colour[:3]
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return (20, 20, 20) if luminance > 140 else (250, 250, 250)


def _mix(a: tuple[int, ...], b: tuple[int, ...], share: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))
