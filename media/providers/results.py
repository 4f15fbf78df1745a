"""What adapters return: plain dataclasses, never HTTP responses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ImageResult:
    data: bytes
    mime_type: str
    provider: str
    model: str
    aspect_ratio: str
    simulated: bool
    # The provider's id for the call (Gemini responseId ...), or None when it gives none.
    provider_request_id: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    # True when an earlier call with the same idempotency key produced this result (nothing paid).
    reused: bool = False


@dataclass(frozen=True)
class VideoResult:
    data: bytes
    mime_type: str
    thumbnail: bytes
    thumbnail_mime_type: str
    duration_seconds: int
    provider: str
    model: str
    aspect_ratio: str
    resolution: str
    simulated: bool
    # Veo's operation name or Sora's video id.
    provider_request_id: str | None = None
    reused: bool = False


@dataclass(frozen=True)
class TextResult:
    text: str
    provider: str
    model: str
    simulated: bool
    provider_request_id: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    reused: bool = False


@dataclass(frozen=True)
class ProviderInfo:
    """What the UI and the generation service need to know about one provider key."""

    key: str
    kind: str  # "image", "video" or "text"
    label: str
    model: str
    simulated: bool
    aspect_ratios: tuple[str, ...]
    clip_seconds: tuple[int, ...]
    resolutions: tuple[str, ...]
    image_sizes: tuple[str, ...]
    retired_on: date | None  # when the configured model is (or will be) retired
    replacement: str
    available: bool
    unavailable_reason: str
