"""Provider adapters: Gemini image models, Imagen, Veo, Sora, and caption text.

The public interface (see README.md beside this file)::

    image_provider("gemini-flash").generate_image(prompt=..., aspect_ratio="1:1",
                                                      idempotency_key=...)
    video_provider("veo").generate_video(prompt=..., duration_seconds=8,
                                             aspect_ratio="16:9", idempotency_key=...)
    text_provider().generate_text(prompt=..., idempotency_key=...)

A provider without an API key is simulated; one with a key is always called for real.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from bakedbot.errors import InvalidInput
from costs.pricing import ModelPrice, price_book
from media.providers.base import ImageProvider, TextProvider, VideoProvider
from media.providers.config import ProviderConfig, provider_config
from media.providers.errors import (
    BadResponse,
    CallInProgress,
    DownloadFailed,
    GenerationFailed,
    IdempotencyConflict,
    InvalidRequest,
    ModelRetired,
    ProviderError,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    RequestRejected,
    SafetyBlocked,
)
from media.providers.gemini import GeminiImageProvider, GeminiTextProvider
from media.providers.imagen import ImagenProvider
from media.providers.openai_text import OpenAITextProvider
from media.providers.registry import (
    PROVIDERS,
    model_check_available,
    model_lifecycle,
    model_retired_on,
    provider_spec,
)
from media.providers.results import ImageResult, ProviderInfo, TextResult, VideoResult
from media.providers.simulate import (
    SimulatedImageProvider,
    SimulatedTextProvider,
    SimulatedVideoProvider,
)
from media.providers.sora import SoraProvider
from media.providers.veo import VeoProvider
from media.providers.video_tools import (
    MediaToolError,
    crop_to_square,
    join_clips,
    video_duration,
    video_size,
)

__all__ = [
    "PROVIDERS",
    "BadResponse",
    "CallInProgress",
    "DownloadFailed",
    "GenerationFailed",
    "IdempotencyConflict",
    "ImageProvider",
    "ImageResult",
    "InvalidRequest",
    "MediaToolError",
    "ModelRetired",
    "ProviderConfig",
    "ProviderError",
    "ProviderInfo",
    "ProviderUnavailable",
    "QuotaExhausted",
    "RateLimited",
    "RequestRejected",
    "SafetyBlocked",
    "TextProvider",
    "TextResult",
    "VideoProvider",
    "VideoResult",
    "crop_to_square",
    "image_provider",
    "join_clips",
    "list_providers",
    "model_lifecycle",
    "model_retired_on",
    "provider_config",
    "provider_info",
    "text_provider",
    "video_duration",
    "video_provider",
    "video_size",
]


def image_provider(key: str, *, config: ProviderConfig | None = None, **deps: Any) -> ImageProvider:
    """The adapter for image provider ``key`` ("gemini-flash", "gemini-pro", "imagen").

    ``config`` replaces the settings (tests point it at a fake server); ``deps`` are passed to a
    real adapter: ``retry`` (a ``RetryPolicy``), ``store`` (a ``ProviderCallStore``), ``session``.
    """
    config = _config_for(key, "image", config)
    if config.simulated:
        return SimulatedImageProvider(config)
    adapter = {"gemini-image": GeminiImageProvider, "imagen": ImagenProvider}[PROVIDERS[key].api]
    return adapter(config, **deps)


def video_provider(key: str, *, config: ProviderConfig | None = None, **deps: Any) -> VideoProvider:
    """The adapter for video provider ``key`` ("veo", "sora"); see ``image_provider``."""
    config = _config_for(key, "video", config)
    if config.simulated:
        return SimulatedVideoProvider(config)
    adapter = {"veo": VeoProvider, "sora": SoraProvider}[PROVIDERS[key].api]
    return adapter(config, **deps)


def text_provider(
    key: str | None = None, *, config: ProviderConfig | None = None, **deps: Any
) -> TextProvider:
    """The caption text adapter: ``key`` "gemini-text" or "openai-text", by default the one
    ``CAPTION_PROVIDER`` selects."""
    key = key or settings.MEDIA_CAPTION_PROVIDER
    config = _config_for(key, "text", config)
    if config.simulated:
        return SimulatedTextProvider(config)
    adapter = {"gemini-text": GeminiTextProvider, "openai-text": OpenAITextProvider}
    return adapter[PROVIDERS[key].api](config, **deps)


def provider_info(key: str, *, config: ProviderConfig | None = None) -> ProviderInfo:
    """What a form or a cost page needs: model, simulated, accepted parameters, retirement."""
    spec = provider_spec(key)
    config = config or provider_config(key)
    lifecycle = model_lifecycle(config.model)
    try:
        model_check_available(
            provider=key, model=config.model, allowed_retired=config.allowed_retired
        )
        reason = ""
    except ModelRetired as retired:
        reason = str(retired)
    # The sizes and resolutions offered are the ones the price book prices for the configured
    # model (sora-2 makes no 1024p, its provider key's sora-2-pro does); all of them when the
    # book does not price the model at all (an estimate then says so on ``model``).
    try:
        price: ModelPrice | None = price_book().model_price(key, config.model)
    except InvalidInput:
        price = None
    return ProviderInfo(
        key=key,
        kind=spec.kind,
        label=spec.label,
        model=config.model,
        simulated=config.simulated,
        aspect_ratios=spec.aspect_ratios,
        clip_seconds=spec.clip_seconds,
        resolutions=tuple(
            r for r in spec.resolutions if price is None or price.prices_resolution(r)
        ),
        image_sizes=tuple(
            s for s in spec.image_sizes if price is None or price.prices_image_size(s)
        ),
        retired_on=lifecycle.retired_on if lifecycle else None,
        replacement=lifecycle.replacement if lifecycle else "",
        available=not reason,
        unavailable_reason=reason,
    )


def list_providers(kind: str | None = None) -> list[ProviderInfo]:
    """Every provider key (of one ``kind``: "image", "video", "text"), in registry order."""
    return [provider_info(key) for key, spec in PROVIDERS.items() if kind in (None, spec.kind)]


def _config_for(key: str, kind: str, config: ProviderConfig | None) -> ProviderConfig:
    spec = provider_spec(key)
    if spec.kind != kind:
        raise InvalidRequest(
            f"{key} is a {spec.kind} provider, not a {kind} provider", field="provider"
        )
    return config or provider_config(key)
