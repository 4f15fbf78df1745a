"""What each provider key accepts, and the model lifecycle: which model ids are retired since when.

Both are data. When a provider announces a retirement, add a row to ``MODEL_LIFECYCLE``; never
delete one, because historical events name these models and the cost pages label them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatchcase

from django.utils import timezone

from media.providers.errors import InvalidRequest, ModelRetired


@dataclass(frozen=True)
class ProviderSpec:
    key: str
    kind: str  # "image", "video" or "text"
    api: str  # which wire format the adapter speaks
    label: str
    aspect_ratios: tuple[str, ...] = ()
    clip_seconds: tuple[int, ...] = ()
    resolutions: tuple[str, ...] = ()
    image_sizes: tuple[str, ...] = ()


GEMINI_ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")

PROVIDERS: dict[str, ProviderSpec] = {
    spec.key: spec
    for spec in (
        ProviderSpec(
            key="gemini-flash",
            kind="image",
            api="gemini-image",
            label="Gemini Flash Image",
            aspect_ratios=GEMINI_ASPECT_RATIOS,
        ),
        ProviderSpec(
            key="gemini-pro",
            kind="image",
            api="gemini-image",
            label="Gemini Pro Image",
            aspect_ratios=GEMINI_ASPECT_RATIOS,
            image_sizes=("1K", "2K", "4K"),
        ),
        ProviderSpec(
            key="imagen",
            kind="image",
            api="imagen",
            label="Imagen",
            aspect_ratios=("1:1", "3:4", "4:3", "16:9", "9:16"),
        ),
        ProviderSpec(
            key="veo",
            kind="video",
            api="veo",
            label="Veo",
            aspect_ratios=("16:9", "9:16"),
            clip_seconds=(4, 6, 8),
            resolutions=("720p", "1080p", "4k"),
        ),
        ProviderSpec(
            key="sora",
            kind="video",
            api="sora",
            label="Sora",
            aspect_ratios=("16:9", "9:16"),
            clip_seconds=(4, 8, 12),
            # 720p is 1280x720 / 720x1280; 1024p is 1792x1024 / 1024x1792 (pro models).
            resolutions=("720p", "1024p"),
        ),
        ProviderSpec(key="gemini-text", kind="text", api="gemini-text", label="Gemini (text)"),
        ProviderSpec(key="openai-text", kind="text", api="openai-text", label="OpenAI (text)"),
    )
}


@dataclass(frozen=True)
class ModelLifecycle:
    # An exact model id, or a shell-style pattern ("imagen-4.0-*") for a whole family.
    pattern: str
    retired_on: date | None
    replacement: str = ""
    note: str = ""


# Dates from the providers' announcements (shared/reference/providers.md, as known on 2026-11-24).
MODEL_LIFECYCLE: tuple[ModelLifecycle, ...] = (
    ModelLifecycle(
        "gemini-2.5-flash-image",
        date(2026, 10, 2),
        note="Nano Banana; shutdown scheduled by Google",
    ),
    ModelLifecycle(
        "gemini-3-pro-image-preview", date(2026, 6, 25), "gemini-3-pro-image", "preview shut down"
    ),
    ModelLifecycle("gemini-3-pro-image", None, note="Nano Banana Pro"),
    ModelLifecycle(
        "gemini-3.1-flash-image-preview",
        date(2026, 6, 25),
        "gemini-3.1-flash-image",
        "preview shut down (Google's Gemini deprecations page)",
    ),
    ModelLifecycle("gemini-3.1-flash-image", None, note="Nano Banana 2"),
    ModelLifecycle(
        "imagen-4.0-*",
        date(2026, 8, 17),
        "gemini-3-pro-image",
        "Imagen via the Gemini API shut down; Google points to the Gemini image models",
    ),
    ModelLifecycle(
        "veo-3.0-*",
        date(2026, 6, 30),
        "veo-3.1-generate-preview",
        "Veo 3.0 retired; replaced by veo-3.1-generate-* / veo-3.1-fast-generate-*",
    ),
    ModelLifecycle("veo-3.1-*", None),
    ModelLifecycle(
        "sora-2*",
        date(2026, 9, 24),
        note="OpenAI Videos API shut down at OpenAI; gateways may still serve it",
    ),
)


def model_lifecycle(model: str) -> ModelLifecycle | None:
    """The lifecycle row for ``model`` (exact id first, then family patterns), or None."""
    model_id = model.removeprefix("models/")
    for row in MODEL_LIFECYCLE:
        if row.pattern == model_id:
            return row
    for row in MODEL_LIFECYCLE:
        if fnmatchcase(model_id, row.pattern):
            return row
    return None


def model_retired_on(model: str) -> date | None:
    row = model_lifecycle(model)
    return row.retired_on if row else None


def model_check_available(
    *,
    provider: str,
    model: str,
    allowed_retired: tuple[str, ...] = (),
    today: date | None = None,
) -> None:
    """Raise ``ModelRetired`` when ``model`` is retired on ``today`` (UTC) unless allowed.

    ``allowed_retired`` lists model ids a gateway at a non-default base URL still serves.
    """
    row = model_lifecycle(model)
    if row is None or row.retired_on is None or model in allowed_retired:
        return
    today = today or timezone.now().date()
    if today < row.retired_on:
        return
    instead = f"; use {row.replacement} instead" if row.replacement else ""
    raise ModelRetired(
        f"model {model} was retired on {row.retired_on.isoformat()}{instead}. Set another model id "
        f"for {provider} in the settings, or list {model} in MEDIA_ALLOW_RETIRED_MODELS if a "
        "gateway still serves it",
        provider=provider,
        model=model,
        replacement=row.replacement,
    )


def provider_spec(key: str) -> ProviderSpec:
    try:
        return PROVIDERS[key]
    except KeyError:
        raise InvalidRequest(
            f"unknown provider {key!r}; expected one of {', '.join(PROVIDERS)}", field="provider"
        ) from None
