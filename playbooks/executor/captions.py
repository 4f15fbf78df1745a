"""``generate_caption``: a platform caption from the text provider, or from a deterministic
template in simulate mode (no text provider configured, or a dry run); either way fitted to the
platform's limits with the 21+ / responsible-use line (``playbooks.captions``)."""

from django.conf import settings

from costs.domain import MediaGenerationEvent
from costs.outbox import track_paid_generation
from costs.pricing import TEXT, configured_model
from media.providers import text_provider
from media.providers.results import TextResult
from playbooks.captions import (
    DISCLAIMER,
    PLATFORMS,
    caption_length,
    expected_caption_tokens,
    fit_caption,
)
from playbooks.executor.base import Param, PlaybookExecutionContext, StepOutcome, StepRuntime
from playbooks.executor.media import deal_detail, subject_of

GENERATE_CAPTION_PARAMS = {
    "platform": Param("choice", choices=tuple(PLATFORMS), required=True),
    "includeHashtags": Param("bool", default=True),
    "includeCTA": Param("bool", default=True),
}

CTAS = {
    "instagram": "Tap the link in our bio to order ahead.",
    "twitter": "Order ahead today.",
    "facebook": "Order ahead online or visit us in store today.",
    "tiktok": "Order ahead — link in bio.",
}
SYSTEM = (
    "You write social media captions for a licensed cannabis business. Never make health or "
    "medical claims, never appeal to minors, never show or encourage consumption. Reply with the "
    "caption text only."
)


def written_by_text_provider(
    *, prompt: str, system: str, idempotency_key: str
) -> TextResult | None:
    """The caption text adapter's answer (``media.providers.text_provider()``: Gemini or an
    OpenAI-compatible API), or None while it has no API key (so: the template)."""
    provider = text_provider()
    if provider.config.simulated:
        return None
    return provider.generate_text(prompt=prompt, system=system, idempotency_key=idempotency_key)


def record_caption_cost(
    *,
    context: PlaybookExecutionContext,
    platform: str,
    prompt: str,
    event_id: str,
    written: TextResult | None,
) -> MediaGenerationEvent:
    """Record the caption's text call as a ``text`` event priced by its tokens: the provider's
    usage metadata (Gemini ``usageMetadata``, OpenAI ``usage``) for a real call; for a simulated
    caption, the tokens a real one is expected to use (``expected_caption_tokens``), recorded as
    simulated at the price it would have cost. A real answer without usage metadata is priced at
    the expected tokens too, and says so in its params: never an unpriced $0."""
    expected_in, expected_out = expected_caption_tokens(platform)
    provider = settings.MEDIA_CAPTION_PROVIDER
    params: dict = {"platform": platform}
    if written is None:
        model, tokens_in, tokens_out = configured_model(provider), expected_in, expected_out
        params["tokens"] = "expected"
    else:
        provider = written.provider or provider
        model = written.model
        tokens_in, tokens_out = written.input_tokens, written.output_tokens
        if tokens_in is None or tokens_out is None:
            tokens_in = expected_in if tokens_in is None else tokens_in
            tokens_out = expected_out if tokens_out is None else tokens_out
            params["tokens"] = "expected (the provider sent no usage metadata)"
    return track_paid_generation(
        MediaGenerationEvent(
            id=event_id,
            tenant_id=context.tenant_id,
            user_id=context.user_id or "",
            type=TEXT,
            provider=provider,
            model=model,
            prompt=prompt,
            params=params,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            playbook_run_id=context.run_id,
            simulated=written is None,
        )
    ).event


def _hashtags(runtime: StepRuntime, context: PlaybookExecutionContext) -> list[str]:
    org_tag = "".join(word for word in runtime.organisation.name.title().split() if word.isalnum())
    tags = []
    if runtime.result_of(context, "fetch_deals"):
        tags.append("#WeeklyDeals")
    if runtime.result_of(context, "select_product"):
        tags.append("#ProductSpotlight")
    tags += ["#ShopLocal", f"#{org_tag}" if org_tag else "#Dispensary", "#Cannabis", "#21Plus"]
    return tags


def _template_body(context: PlaybookExecutionContext, runtime: StepRuntime) -> str:
    deals = runtime.result_of(context, "fetch_deals")
    if deals and deals.get("deals"):
        lines = [f"This week at {runtime.organisation.name}:"]
        for deal in deals["deals"]:
            detail = deal_detail(deal)
            lines.append(f"• {deal['title']}" + (f" — {detail}" if detail else ""))
        return "\n".join(lines)
    product = runtime.result_of(context, "select_product")
    if product and product.get("product"):
        item = product["product"]
        text = f"Today's spotlight: {item['name']}"
        if item.get("description"):
            text += f". {item['description']}"
        return f"{text.rstrip('.')}. Now ${item['price']}."
    return subject_of(context, runtime)


def _prompt(params: dict, context: PlaybookExecutionContext, runtime: StepRuntime) -> str:
    limits = PLATFORMS[params["platform"]]
    unit = "weighted characters (URLs 23, emoji 2)" if limits.weighted else "characters"
    parts = [
        f"Write a {params['platform']} caption of at most {limits.max_length} {unit}.",
        subject_of(context, runtime),
        f"End with the line “{DISCLAIMER}”.",
    ]
    if params["includeHashtags"]:
        parts.append(f"Add at most {limits.max_hashtags} relevant hashtags.")
    else:
        parts.append("No hashtags.")
    if params["includeCTA"]:
        parts.append(f"Include a short call to action like “{CTAS[params['platform']]}”.")
    guidance = context.variables.get("guidance")
    if guidance:
        parts.append(f"The previous caption was rejected by the reviewer, who said: “{guidance}”.")
    return "\n".join(parts)


def generate_caption(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    platform = params["platform"]
    prompt = _prompt(params, context, runtime)
    written = event = None
    # A dry run spends nothing and records nothing (its media steps neither).
    if not runtime.dry_run:
        key = f"{context.run_id}:caption:{platform}"
        written = written_by_text_provider(prompt=prompt, system=SYSTEM, idempotency_key=key)
        event = record_caption_cost(
            context=context, platform=platform, prompt=prompt, event_id=key, written=written
        )
    body = written.text if written is not None else _template_body(context, runtime)
    caption = fit_caption(
        platform,
        body,
        hashtags=_hashtags(runtime, context),
        cta=CTAS[platform] if params["includeCTA"] else "",
        allow_hashtags=params["includeHashtags"],
    )
    return StepOutcome(
        {
            "caption": caption,
            "platform": platform,
            "length": caption_length(platform, caption),
            "limit": PLATFORMS[platform].max_length,
            "simulated": written is None,
            "guidance": context.variables.get("guidance") or "",
            "prompt": prompt,
            "input_tokens": event.input_tokens if event else None,
            "output_tokens": event.output_tokens if event else None,
            "cost_micros": event.cost_micros if event else 0,
        },
        cost_micros=(event.cost_micros or 0) if event else 0,
    )
