"""Checking a generation request and working out everything about it before any money moves:
the provider's configuration (simulated or real), the prompt with the style preset applied, the
clip plan and estimate from the price book, and the duplicate-prompt cache key."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import unicodedata
from dataclasses import dataclass
from typing import Any

from bakedbot.errors import FieldErrors, InvalidInput
from bakedbot.validation import clean_whole_number
from costs.pricing import IMAGE, MAX_VIDEO_SECONDS, VIDEO, MediaCostEstimate, estimate_media_cost
from media.providers import (
    PROVIDERS,
    ProviderConfig,
    ProviderInfo,
    provider_config,
    provider_info,
)
from presets.domain import ComposedPrompt, StylePresetData, compose_prompt
from presets.selectors import get_style_preset

PROMPT_MAX_CHARS = 4000
SQUARE = "1:1"
# No video provider makes square video: a 1:1 request is generated at this ratio and the centre
# square is cropped out locally (``video_tools.crop_to_square``). Landscape, because the models
# frame their subject across the middle of a wide shot, and the crop keeps the shot's full height.
SQUARE_VIDEO_SOURCE = "16:9"
SQUARE_VIDEO_NOTE = f"1:1 is cropped from the centre of a {SQUARE_VIDEO_SOURCE} video"
# Told to the provider with a cropped request, so the subject lands inside the square.
SQUARE_VIDEO_FRAMING = (
    "Framing: keep the subject and any text inside the centre square of the frame; the video "
    "will be cropped to 1:1."
)
# Providers with a negative-prompt field of their own; the others get "Avoid: ..." in the prompt.
NEGATIVE_PROMPT_PROVIDERS = frozenset({"veo"})
KINDS = (IMAGE, VIDEO)
DURATION_ERROR = f"The duration must be a whole number of seconds from 1 to {MAX_VIDEO_SECONDS}."


@dataclass(frozen=True)
class GenerationRequest:
    """A checked request: what will be sent, to whom, at what estimated cost."""

    kind: str
    tenant_id: str
    user_id: str | None
    provider: str
    config: ProviderConfig
    prompt: str  # as the user wrote it (trimmed)
    composed_prompt: str  # with the preset's style; what the provider is sent
    negative_prompt: str  # the preset's; sent separately to Veo, folded into the prompt otherwise
    aspect_ratio: str  # what the caller gets
    provider_aspect_ratio: str  # what the provider is asked for (differs for a cropped 1:1 video)
    duration_seconds: int | None
    resolution: str | None
    image_size: str | None
    palette: tuple[str, ...]
    preset: StylePresetData | None
    estimate: MediaCostEstimate
    playbook_run_id: str
    content_id: str
    use_cache: bool

    @property
    def model(self) -> str:
        return self.config.model

    @property
    def simulated(self) -> bool:
        return self.config.simulated

    @property
    def clip_plan(self) -> tuple[int, ...]:
        return self.estimate.clip_plan or ()

    @property
    def params(self) -> dict[str, Any]:
        """What is stored with the job, the asset and the cost event."""
        params: dict[str, Any] = {"aspect_ratio": self.aspect_ratio}
        if self.provider_aspect_ratio != self.aspect_ratio:
            params["provider_aspect_ratio"] = self.provider_aspect_ratio
            params["crop"] = "centre square"
        if self.kind == VIDEO:
            params["duration_seconds"] = self.duration_seconds
            params["clip_plan"] = list(self.clip_plan)
            params["billed_seconds"] = self.estimate.billed_seconds
        for name in ("resolution", "image_size"):
            if getattr(self, name):
                params[name] = getattr(self, name)
        if self.palette:
            params["palette"] = list(self.palette)
        if self.preset is not None:
            params["preset_id"] = self.preset.id
        return params

    @property
    def cache_key(self) -> str:
        return cache_key(
            tenant_id=self.tenant_id,
            kind=self.kind,
            provider=self.provider,
            model=self.model,
            prompt=self.composed_prompt,
            negative_prompt=self.negative_prompt,
            params={
                "aspect_ratio": self.aspect_ratio,
                "duration_seconds": self.duration_seconds,
                "resolution": self.resolution,
                "image_size": self.image_size,
                "palette": list(self.palette),
            },
            simulated=self.simulated,
        )


def normalise_prompt(prompt: str) -> str:
    """Case, Unicode compatibility forms and runs of white space do not make a prompt new."""
    return " ".join(unicodedata.normalize("NFKC", prompt).casefold().split())


def cache_key(
    *,
    tenant_id: str,
    kind: str,
    provider: str,
    model: str,
    prompt: str,
    negative_prompt: str,
    params: dict[str, Any],
    simulated: bool,
) -> str:
    """SHA-256 of everything that makes two generations interchangeable. ``simulated`` is part of
    it: a simulated picture must never answer a request that a real provider would serve."""
    material = {
        "tenant": tenant_id,
        "kind": kind,
        "provider": provider,
        "model": model,
        "prompt": normalise_prompt(prompt),
        "negative": normalise_prompt(negative_prompt),
        "params": {key: value for key, value in sorted(params.items()) if value not in (None, [])},
        "simulated": simulated,
    }
    canonical = json.dumps(material, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def service_aspect_ratios(info: ProviderInfo) -> tuple[str, ...]:
    """The aspect ratios the service makes with a provider: the provider's own, plus 1:1 for a
    video provider (cropped from ``SQUARE_VIDEO_SOURCE``)."""
    square_missing = SQUARE not in info.aspect_ratios
    if info.kind == VIDEO and square_missing and SQUARE_VIDEO_SOURCE in info.aspect_ratios:
        return (*info.aspect_ratios, SQUARE)
    return info.aspect_ratios


def provider_aspect_ratio(info: ProviderInfo, aspect_ratio: str) -> str:
    """The ratio to ask the provider for, to deliver ``aspect_ratio``."""
    if aspect_ratio in info.aspect_ratios:
        return aspect_ratio
    if aspect_ratio == SQUARE and SQUARE in service_aspect_ratios(info):
        return SQUARE_VIDEO_SOURCE
    return aspect_ratio


def _aspect_ratio_error(info: ProviderInfo, kind: str, aspect_ratio: Any) -> str:
    ratios = service_aspect_ratios(info)
    note = f" ({SQUARE_VIDEO_NOTE})" if ratios != info.aspect_ratios else ""
    return (
        f"{info.label} makes {', '.join(ratios)} {kind}s{note}; "
        f"{aspect_ratio!s} is not one of them."
    )


def _choice_error(info: ProviderInfo, what: str, choices: tuple[str, ...]) -> str:
    """Said of a resolution or an image size the provider does not offer; the value itself is
    not repeated (it may be anything, 50,000 characters long)."""
    if not choices:
        return f"{info.label} has no {what} to choose: leave the {what} out."
    article = "an" if what[0] in "aeiou" else "a"
    return f"Choose {article} {what} {info.label} makes: {', '.join(choices)}."


def clean_prompt(value: Any) -> str:
    """The prompt, trimmed: 1 to ``PROMPT_MAX_CHARS`` characters."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValueError("Enter a prompt.")
    if len(text) > PROMPT_MAX_CHARS:
        raise ValueError(
            f"The prompt is {len(text):,} characters long; the limit is {PROMPT_MAX_CHARS:,}."
        )
    return text


def clean_duration(value: Any) -> int:
    """A video's length: whole seconds (an ``int``, not text) from 1 to ``MAX_VIDEO_SECONDS``.
    Form text is turned into a number by the view (``form_number``), so the API and the page
    refuse the same values with the same message."""
    whole = value if isinstance(value, int) else None
    try:
        return clean_whole_number(whole, minimum=1, maximum=MAX_VIDEO_SECONDS)
    except ValueError:
        raise ValueError(DURATION_ERROR) from None


def form_number(text: str) -> int | str:
    """A form's number field as an ``int`` when it holds ASCII digits, else the text as typed,
    for the service to refuse by the field's own rule (``²`` and ``-4`` included)."""
    try:
        return clean_whole_number(text)
    except ValueError:
        return text


def _check_provider(
    kind: str, provider: Any, simulate: bool | None, errors: FieldErrors
) -> ProviderConfig | None:
    spec = PROVIDERS.get(provider) if isinstance(provider, str) else None
    if spec is None or spec.kind != kind:
        choices = ", ".join(key for key, s in PROVIDERS.items() if s.kind == kind)
        errors.add("provider", f"Choose one of the {kind} providers: {choices}.")
        return None
    config = provider_config(provider)
    if simulate:
        config = dataclasses.replace(config, api_key="")
    elif simulate is False and config.simulated:
        errors.add(
            "simulate",
            f"{spec.label} has no API key configured, so it can only run in simulate mode.",
        )
        return None
    if not provider_info(provider, config=config).available:
        # Still returned: the other fields are checked against what the provider accepts.
        errors.add("provider", provider_info(provider, config=config).unavailable_reason)
    return config


def prepare_generation(
    *,
    kind: str,
    tenant_id: str,
    user_id: str | None,
    provider: str,
    prompt: str,
    aspect_ratio: str,
    duration_seconds: int | None = None,
    preset_id: str | None = None,
    playbook_run_id: str | None = None,
    content_id: str | None = None,
    use_cache: bool = True,
    simulate: bool | None = None,
    resolution: str | None = None,
    image_size: str | None = None,
) -> GenerationRequest:
    """Check a request and work out what it will send and cost. Raises ``InvalidInput``
    naming every bad field, or ``PresetNotFound`` (a 404) for an unknown or foreign preset."""
    if kind not in KINDS:
        raise InvalidInput({"kind": f"Choose one of {', '.join(KINDS)}."})
    errors = FieldErrors()
    text = errors.clean("prompt", clean_prompt, prompt) or ""
    duration = None
    if kind == VIDEO:
        duration = errors.clean("duration_seconds", clean_duration, duration_seconds)
    config = _check_provider(kind, provider, simulate, errors)
    info = provider_info(provider, config=config) if config is not None else None
    if info is not None:
        if aspect_ratio not in service_aspect_ratios(info):
            errors.add("aspect_ratio", _aspect_ratio_error(info, kind, aspect_ratio))
        if resolution is not None and resolution not in info.resolutions:
            errors.add("resolution", _choice_error(info, "resolution", info.resolutions))
        if image_size is not None and image_size not in info.image_sizes:
            errors.add("image_size", _choice_error(info, "image size", info.image_sizes))
    preset = get_style_preset(tenant_id, preset_id) if preset_id else None
    errors.raise_if_any()
    assert config is not None and info is not None
    # The provider's default made explicit, as a form sends it: a request that leaves it out is
    # the same generation (one cache entry, one provider request) as one that names it. What is
    # offered is what the price book prices for the configured model (``provider_info``).
    image_size = image_size or (info.image_sizes[0] if info.image_sizes else None)
    resolution = resolution or (info.resolutions[0] if kind == VIDEO else None)
    options: dict[str, Any] = {"model": config.model, "image_size": image_size}
    if kind == VIDEO:
        options["duration_seconds"] = duration
        options["resolution"] = resolution
    try:
        estimate = estimate_media_cost(kind, provider, options)
    except ValueError as exc:
        raise InvalidInput({"provider": str(exc)}) from None
    if kind == VIDEO and not set(estimate.clip_plan or ()) <= set(info.clip_seconds):
        raise InvalidInput(
            {"provider": f"The price book's clip lengths for {info.label} are not its own."}
        )
    composed = compose_prompt(text, preset)
    palette = ()
    if preset is not None:
        palette = tuple(colour for _label, colour in preset.color_palette.swatches)
    return GenerationRequest(
        kind=kind,
        tenant_id=tenant_id,
        user_id=str(user_id) if user_id not in (None, "") else None,
        provider=provider,
        config=config,
        prompt=text,
        composed_prompt=composed.prompt,
        negative_prompt=composed.negative_prompt,
        aspect_ratio=aspect_ratio,
        provider_aspect_ratio=provider_aspect_ratio(info, aspect_ratio),
        duration_seconds=duration,
        resolution=resolution,
        image_size=image_size,
        palette=palette,
        preset=preset,
        estimate=estimate,
        playbook_run_id=playbook_run_id or "",
        content_id=content_id or "",
        use_cache=bool(use_cache),
    )


def provider_prompt(provider: str, prompt: str, negative_prompt: str) -> tuple[str, str | None]:
    """The prompt and negative prompt as the provider's API takes them."""
    if not negative_prompt:
        return prompt, None
    if provider in NEGATIVE_PROMPT_PROVIDERS:
        return prompt, negative_prompt
    return ComposedPrompt(prompt, negative_prompt, None).as_single_prompt(), None
