"""``generate_video``, ``generate_image`` and ``submit_approval``: the steps that go through the
media generation service (``media.services``), which answers a ``GeneratedMedia``.

Image tiers map to providers through ``settings.PLAYBOOKS_IMAGE_TIERS``, each tier a list of
``provider[@image size]`` in order of preference (``image_provider_for_tier``):

- ``free`` → ``gemini-flash``: the cheapest image in the price book ($0.02), for daily volume;
- ``paid`` → ``gemini-pro``: better text rendering and detail ($0.04), for product shots;
- ``super`` → ``imagen`` when it is configured (an API key) and not retired — the dedicated
  text-to-image model of the original roadmap's “Imagen 3 support” tier —, else ``gemini-pro`` at
  ``4K``, the largest image the pro model makes (``imageSize`` exists on pro-class models only).
  Google shut Imagen down on its own API on 2026-08-17, so on a default install ``super`` is
  Gemini Pro at 4K: it works on a fresh install (simulated without a key) instead of failing,
  and it is still the top of the range (the same model as ``paid``, at four times the pixels of
  the default 1K).

The provider a step used, why, and its model are in the step's result (the run page and the run
history show them).
"""

from dataclasses import dataclass

from django.conf import settings

from media import services as media_services
from media.providers import InvalidRequest, provider_info
from media.services import GeneratedMedia
from playbooks.executor.base import (
    Param,
    PlaybookExecutionContext,
    StepError,
    StepOutcome,
    StepRuntime,
)

VIDEO_PROVIDERS = ("veo", "sora")
VIDEO_DURATIONS = ("5", "10", "15", "30")
IMAGE_TIERS = ("free", "paid", "super")
IMAGE_STYLES = ("professional", "playful", "modern", "vintage", "luxury")

GENERATE_VIDEO_PARAMS = {
    "provider": Param("choice", choices=VIDEO_PROVIDERS, default="veo"),
    "aspectRatio": Param("choice", choices=("16:9", "9:16", "1:1"), default="9:16"),
    "duration": Param("choice", choices=VIDEO_DURATIONS, default="10", help="seconds"),
    "style": Param("text", max_length=200, default=""),
    "template": Param("text", max_length=200, default=""),
}
GENERATE_IMAGE_PARAMS = {
    "tier": Param("choice", choices=IMAGE_TIERS, default="free"),
    "style": Param("choice", choices=IMAGE_STYLES, default="professional"),
    "aspectRatio": Param("choice", choices=("1:1", "4:5", "16:9", "9:16"), default="1:1"),
}
SUBMIT_APPROVAL_PARAMS = {
    "platform": Param("text", required=True, max_length=40),
}

STYLE_PROMPTS = {
    "professional": "clean, professional product photography, soft studio light",
    "playful": "playful, bright colours, friendly and upbeat",
    "modern": "modern minimal design, bold shapes, generous negative space",
    "vintage": "vintage film look, warm grain, retro typography",
    "luxury": "luxury editorial look, dark rich tones, gold accents",
}
# Cannabis marketing rules of thumb the generated media must respect.
COMPLIANCE = "No people consuming, no minors, no cartoon characters, no health claims."


@dataclass(frozen=True)
class TierChoice:
    """The image provider (and size) a tier uses now, and why."""

    tier: str
    provider: str
    image_size: str | None
    note: str

    @property
    def label(self) -> str:
        return self.provider + (f" at {self.image_size}" if self.image_size else "")


def _tier_option(option: str) -> tuple[str, str | None]:
    provider, _, size = option.partition("@")
    return provider.strip(), size.strip() or None


def _provider_state(provider: str) -> tuple[bool, str]:
    """Whether ``provider`` is ready for real calls (an API key, not retired) and if not, why."""
    try:
        info = provider_info(provider)
    except InvalidRequest as exc:  # an unknown key: the step itself reports it
        return False, str(exc)
    if not info.available:
        if info.retired_on is not None:
            return False, f"{info.label} was retired on {info.retired_on.isoformat()}"
        return False, info.unavailable_reason
    if info.simulated:
        return False, f"{info.label} has no API key configured"
    return True, ""


def image_provider_for_tier(tier: str) -> TierChoice:
    """The first of the tier's providers that is configured and not retired, else its last one
    (simulated without a key, which works on a fresh install)."""
    options = settings.PLAYBOOKS_IMAGE_TIERS[tier]
    if isinstance(options, str):
        options = (options,)
    passed_over = []
    for option in options[:-1]:
        provider, size = _tier_option(option)
        ready, why = _provider_state(provider)
        if ready:
            return TierChoice(tier, provider, size, f"{tier} tier: {provider} is configured")
        passed_over.append(why)
    provider, size = _tier_option(options[-1])
    choice = TierChoice(tier, provider, size, "")
    note = f"{tier} tier: {choice.label}"
    if passed_over:
        note += " (" + "; ".join(passed_over) + ")"
    return TierChoice(tier, provider, size, note)


def event_summary(made: GeneratedMedia) -> dict:
    """The media's tracking event as a step result keeps it (JSON; the cost in micro-dollars,
    $0 for a cache hit)."""
    event = made.tracking_event
    return {
        "id": event.id,
        "provider": event.provider,
        "model": event.model,
        "type": event.type,
        "cost_micros": event.cost_micros or 0,
        "price_version": event.price_version,
        "simulated": event.simulated,
        "cache_hit": event.cache_hit,
        "success": event.success,
        "created_at": event.created_at.isoformat(),
    }


def deal_detail(deal: dict) -> str:
    """“20% off”, “$35.00” or nothing."""
    if deal.get("discount_percent"):
        return f"{deal['discount_percent']}% off"
    if deal.get("deal_price"):
        return f"${deal['deal_price']}"
    return ""


def subject_of(context: PlaybookExecutionContext, runtime: StepRuntime) -> str:
    """A one-paragraph description of what earlier steps found, for prompts."""
    org = runtime.organisation.name
    deals = runtime.result_of(context, "fetch_deals")
    if deals and deals.get("deals"):
        lines = []
        for deal in deals["deals"][:6]:
            detail = deal_detail(deal)
            lines.append(deal["title"] + (f" ({detail})" if detail else ""))
        return f"This week's deals at {org}: " + "; ".join(lines) + "."
    product = runtime.result_of(context, "select_product")
    if product and product.get("product"):
        item = product["product"]
        text = f"Product spotlight at {org}: {item['name']}"
        if item.get("description"):
            text += f" — {item['description']}"
        return text + f". ${item['price']}."
    pricing = runtime.result_of(context, "analyze_pricing")
    if pricing and pricing.get("summary"):
        return f"Pricing update for {org}: {pricing['summary']}"
    return f"News from {org}."


def _feedback(context: PlaybookExecutionContext) -> list[str]:
    """A re-run's guidance (the reviewer's comment) for a media prompt."""
    guidance = context.variables.get("guidance")
    return [f"Reviewer's feedback on the previous version: {guidance}"] if guidance else []


def generate_video(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    parts = [
        f"A {params['duration']}-second {params['aspectRatio']} promotional video.",
        subject_of(context, runtime),
    ]
    if params["style"]:
        parts.append(f"Style: {params['style']}.")
    if params["template"]:
        parts.append(f"Template: {params['template']}.")
    parts.append(COMPLIANCE)
    parts.extend(_feedback(context))
    prompt = " ".join(parts)
    made = media_services.generate_video(
        context.tenant_id,
        context.user_id,
        provider=params["provider"],
        prompt=prompt,
        duration_seconds=int(params["duration"]),
        aspect_ratio=params["aspectRatio"],
        playbook_run_id=context.run_id,
        use_cache=not runtime.rerun,
        simulate=True if runtime.dry_run else None,
    )
    return StepOutcome(
        {
            "video_url": made.media_url,
            "thumbnail_url": made.thumbnail_url,
            "duration": made.duration_seconds,
            "media_id": made.id,
            "provider": params["provider"],
            "model": made.model,
            "aspect_ratio": params["aspectRatio"],
            "prompt": prompt,
            "tracking_event": event_summary(made),
        },
        cost_micros=made.cost_micros,
    )


def generate_image(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    choice = image_provider_for_tier(params["tier"])
    prompt = " ".join(
        [
            subject_of(context, runtime),
            f"Style: {STYLE_PROMPTS[params['style']]}.",
            COMPLIANCE,
            *_feedback(context),
        ]
    )
    made = media_services.generate_image(
        context.tenant_id,
        context.user_id,
        provider=choice.provider,
        prompt=prompt,
        aspect_ratio=params["aspectRatio"],
        preset_id=None,
        playbook_run_id=context.run_id,
        use_cache=not runtime.rerun,
        simulate=True if runtime.dry_run else None,
        image_size=choice.image_size,
    )
    return StepOutcome(
        {
            "image_url": made.media_url,
            "media_id": made.id,
            "provider": choice.provider,
            "model": made.model,
            "image_size": made.tracking_event.image_size or None,  # as made: a default named
            "tier": params["tier"],
            "tier_note": choice.note,
            "aspect_ratio": params["aspectRatio"],
            "prompt": prompt,
            "tracking_event": event_summary(made),
        },
        cost_micros=made.cost_micros,
    )


def submit_approval(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    caption_result = runtime.result_of(context, "generate_caption") or {}
    media_results = runtime.results_of(context, "generate_video", "generate_image")
    media_ids = [item["media_id"] for item in media_results if item.get("media_id")]
    if not media_results:
        raise StepError("Nothing to submit: no earlier step generated an image or a video")
    local_day = runtime.now.astimezone(runtime.organisation.tz)
    title = f"{runtime.playbook_name} · {local_day:%a %d %b %Y}"
    submission = {
        "title": title,
        "caption": caption_result.get("caption", ""),
        "platform": params["platform"],
        "media_ids": media_ids,
    }
    if runtime.dry_run:
        return StepOutcome({"content_id": None, "status": "not submitted (dry run)", **submission})
    submitted = media_services.submit_content_for_approval(
        tenant_id=context.tenant_id,
        **submission,
        playbook_run_id=context.run_id,
        submitted_by=context.user_id,
    )
    return StepOutcome({"content_id": submitted.id, "status": submitted.status, **submission})
