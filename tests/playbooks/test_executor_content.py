"""generate_video (each provider), generate_image (by tier), generate_caption (per platform, within
limits), review, submit_approval and notify (its bell and e-mail: test_notify_bell.py) — each step
on its own, the media steps through the real generation service (simulated, or a provider on a
local fake server)."""

import base64
import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from bakedbot.errors import InvalidInput
from bakedbot.notices import get_bell
from costs.pricing import estimate_media_cost
from media.models import GenerationJob, MediaAsset
from media.providers import video_duration, video_size
from media.selectors import get_approval_queue
from media.services import generate_image as media_generate_image
from playbooks.captions import PLATFORMS, caption_length, hashtags_in
from playbooks.executor import StepError
from playbooks.executor.media import image_provider_for_tier
from tests.media.providers.fakes import Reply
from tests.playbooks.helpers import context_for, execute, runtime_for

pytestmark = pytest.mark.django_db

DEALS = {
    "deals": [
        {"title": "20% off all flower", "discount_percent": 20, "deal_price": None},
        {"title": "Gummies 2 for $35", "discount_percent": None, "deal_price": "35.00"},
    ]
}
STEPS = [
    {"id": "step-1", "type": "fetch_deals"},
    {"id": "step-2", "type": "generate_video"},
    {"id": "step-3", "type": "generate_caption"},
    {"id": "step-4", "type": "review"},
    {"id": "step-5", "type": "submit_approval"},
    {"id": "step-6", "type": "notify"},
]


def _stored(asset: MediaAsset) -> bytes:
    with default_storage.open(asset.file.name, "rb") as handle:
        return handle.read()


def _video(provider, duration="10", aspect="9:16"):
    params = {"provider": provider, "duration": duration, "aspectRatio": aspect}
    return {"id": "step-2", "type": "generate_video", "params": params}


@pytest.fixture
def sora_gateway(settings):
    """sora-2 is retired at OpenAI; a gateway still serving it is allowed by configuration."""
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": ["sora-2"],
    }


@pytest.mark.parametrize(
    ("provider", "duration", "aspect", "size"),
    [
        ("veo", "10", "9:16", (360, 640)),
        ("veo", "5", "16:9", (640, 360)),
        ("veo", "15", "1:1", (360, 360)),
        ("sora", "10", "9:16", (360, 640)),
        ("sora", 30, "1:1", (360, 360)),
    ],
)
def test_generate_video_with_each_provider(org_a, sora_gateway, provider, duration, aspect, size):
    context = context_for(org_a, step_results={"step-1": DEALS}, user_id=None)
    outcome = execute(_video(provider, duration, aspect), context, runtime_for(org_a, STEPS))
    result = outcome.result
    job = GenerationJob.objects.get()
    asset = MediaAsset.objects.get(pk=result["media_id"], tenant_id=org_a.pk)
    assert (job.provider, job.playbook_run_id, job.inline) == (provider, "run_test", True)
    assert (job.params["aspect_ratio"], job.params["duration_seconds"]) == (aspect, int(duration))
    assert "20% off all flower" in job.prompt and "no minors" in job.prompt
    assert video_size(_stored(asset)) == size
    assert video_duration(_stored(asset)) == pytest.approx(int(duration), abs=0.1)
    assert result["video_url"] == f"/dashboard/creative/media/{asset.pk}"
    assert result["thumbnail_url"] and result["duration"] == int(duration)
    assert (result["provider"], result["model"]) == (provider, job.model)
    assert result["tracking_event"]["provider"] == provider
    expected = estimate_media_cost("video", provider, {"duration_seconds": int(duration)})
    assert outcome.cost_micros == result["tracking_event"]["cost_micros"] == expected.cost_micros


def test_generate_video_defaults_and_rejects_bad_params(org_a):
    runtime = runtime_for(org_a, STEPS)
    execute({"id": "step-2", "type": "generate_video"}, context_for(org_a), runtime)
    job = GenerationJob.objects.get()
    assert (job.provider, job.params["duration_seconds"], job.params["aspect_ratio"]) == (
        "veo",
        10,
        "9:16",
    )
    for params, message in [
        ({"provider": "runway"}, "“provider”: Must be one of: veo, sora. Got 'runway'"),
        ({"duration": "7"}, "“duration”: Must be one of: 5, 10, 15, 30. Got '7'"),
        ({"aspectRatio": "4:3"}, "“aspectRatio”: Must be one of: 16:9, 9:16, 1:1. Got '4:3'"),
        ({"fps": 30}, "unknown parameter “fps”"),
        ({"style": 5}, "“style”: Must be text"),
    ]:
        with pytest.raises(StepError, match=message):
            execute(
                {"id": "step-2", "type": "generate_video", "params": params},
                context_for(org_a),
                runtime,
            )


def _png(width: int = 8, height: int = 10) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#2a7f62").save(out, format="PNG")
    return out.getvalue()


def _gemini_image_reply() -> Reply:
    part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(_png()).decode()}}
    return Reply(
        json={
            "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP"}],
            "responseId": "resp-1",
        }
    )


def _image_step(tier):
    return {
        "id": "step-2",
        "type": "generate_image",
        "params": {"tier": tier, "style": "luxury", "aspectRatio": "4:5"},
    }


PRODUCT = {"step-1": {"product": {"name": "Blue Dream", "description": "berry", "price": "38.00"}}}
IMAGE_STEPS = [
    {"id": "step-1", "type": "select_product"},
    {"id": "step-2", "type": "generate_image"},
]


@pytest.mark.parametrize(
    ("tier", "provider", "size", "cost_micros"),
    [
        ("free", "gemini-flash", None, 39_000),
        ("paid", "gemini-pro", "1K", 134_000),  # its default size, named
        # Imagen is retired by default, so the top tier is Gemini Pro at its largest size.
        ("super", "gemini-pro", "4K", 240_000),
    ],
)
def test_generate_image_by_tier(org_a, tier, provider, size, cost_micros):
    context = context_for(org_a, step_results=PRODUCT)
    outcome = execute(_image_step(tier), context, runtime_for(org_a, IMAGE_STEPS))
    job = GenerationJob.objects.get()
    assert (job.provider, job.params["aspect_ratio"], job.params.get("image_size")) == (
        provider,
        "4:5",
        size,
    )
    assert "Blue Dream" in job.prompt and "luxury" in job.prompt
    asset = MediaAsset.objects.get(pk=outcome.result["media_id"])
    image = Image.open(io.BytesIO(_stored(asset)))
    assert image.format == "PNG" and image.width * 5 == image.height * 4
    result = outcome.result
    assert result["image_url"] == f"/dashboard/creative/media/{asset.pk}"
    assert (result["tier"], result["provider"], result["image_size"]) == (tier, provider, size)
    assert result["model"] == job.model
    assert outcome.cost_micros == cost_micros


def test_the_super_tier_says_why_it_is_not_imagen(org_a):
    choice = image_provider_for_tier("super")
    assert (choice.provider, choice.image_size, choice.label) == (
        "gemini-pro",
        "4K",
        "gemini-pro at 4K",
    )
    assert choice.note == "super tier: gemini-pro at 4K (Imagen was retired on 2026-08-17)"
    result = execute(_image_step("super"), context_for(org_a), runtime_for(org_a))
    assert result.result["tier_note"] == choice.note


def test_the_super_tier_sends_4k_to_gemini_pro(org_a, settings, fake_server):
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "gemini-pro": {
            **settings.MEDIA_PROVIDERS["gemini-pro"],
            "api_key": "test-key",
            "base_url": fake_server.url + "/v1beta",
        },
    }
    path = "/v1beta/models/gemini-3-pro-image:generateContent"
    fake_server.on("POST", path, _gemini_image_reply())
    outcome = execute(_image_step("super"), context_for(org_a), runtime_for(org_a))
    (request,) = fake_server.seen("POST", path)
    assert request.json["generationConfig"]["imageConfig"] == {
        "aspectRatio": "4:5",
        "imageSize": "4K",
    }
    assert outcome.result["tracking_event"]["simulated"] is False
    assert outcome.cost_micros == 240_000


def test_the_super_tier_uses_imagen_when_a_gateway_serves_it(org_a, settings, fake_server):
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "imagen": {
            **settings.MEDIA_PROVIDERS["imagen"],
            "api_key": "test-key",
            "base_url": fake_server.url + "/v1beta",
        },
    }
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": ["imagen-4.0-generate-001"],
    }
    path = "/v1beta/models/imagen-4.0-generate-001:predict"
    png = base64.b64encode(_png()).decode()
    fake_server.on(
        "POST",
        path,
        Reply(json={"predictions": [{"mimeType": "image/png", "bytesBase64Encoded": png}]}),
    )
    step = {"id": "s", "type": "generate_image", "params": {"tier": "super", "aspectRatio": "1:1"}}
    outcome = execute(step, context_for(org_a), runtime_for(org_a))
    assert len(fake_server.seen("POST", path)) == 1
    result = outcome.result
    assert (result["provider"], result["image_size"], result["model"]) == (
        "imagen",
        None,
        "imagen-4.0-generate-001",
    )
    assert result["tier_note"] == "super tier: imagen is configured"
    assert outcome.cost_micros == 40_000


def test_imagen_with_a_key_but_retired_is_passed_over(org_a, settings):
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "imagen": {**settings.MEDIA_PROVIDERS["imagen"], "api_key": "test-key"},
    }
    choice = image_provider_for_tier("super")
    assert (choice.provider, choice.image_size) == ("gemini-pro", "4K")
    assert "Imagen was retired on 2026-08-17" in choice.note


def test_the_image_tier_map_is_configuration(org_a, settings):
    settings.PLAYBOOKS_IMAGE_TIERS = {**settings.PLAYBOOKS_IMAGE_TIERS, "super": ("gemini-flash",)}
    step = {"id": "s", "type": "generate_image", "params": {"tier": "super"}}
    execute(step, context_for(org_a), runtime_for(org_a))
    job = GenerationJob.objects.get()
    assert (job.provider, job.params.get("image_size")) == ("gemini-flash", None)


def _caption(platform, **params):
    return {"id": "step-3", "type": "generate_caption", "params": {"platform": platform, **params}}


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_template_captions_per_platform_fit_and_carry_the_disclaimer(org_a, platform):
    # No text provider key: the deterministic template (simulate mode).
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(_caption(platform), context, runtime_for(org_a, STEPS)).result
    caption = result["caption"]
    assert result["simulated"] is True
    assert "20% off all flower" in caption and "21+" in caption
    assert result["length"] == caption_length(platform, caption) <= PLATFORMS[platform].max_length
    assert len(hashtags_in(caption)) <= PLATFORMS[platform].max_hashtags
    assert f"{platform} caption" in result["prompt"]


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_a_long_text_provider_answer_is_fitted_to_the_platform(org_a, text_server, platform):
    text_server.reply(("Huge deals 🔥 " * 8000) + " ".join(f"#tag{n}" for n in range(40)))
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(_caption(platform), context, runtime_for(org_a, STEPS)).result
    caption = result["caption"]
    assert result["simulated"] is False
    assert caption.startswith("Huge deals 🔥")
    assert caption_length(platform, caption) <= PLATFORMS[platform].max_length
    assert len(hashtags_in(caption)) <= PLATFORMS[platform].max_hashtags
    assert "For adults 21+ only" in caption
    (prompt,) = text_server.prompts()
    assert f"{platform} caption" in prompt


def test_caption_options_and_guidance(org_a, text_server):
    text_server.reply("Open late Friday and Saturday. #deals")
    context = context_for(
        org_a, step_results={"step-1": DEALS}, variables={"guidance": "Mention the weekend hours"}
    )
    step = _caption("instagram", includeHashtags=False, includeCTA=False)
    result = execute(step, context, runtime_for(org_a, STEPS)).result
    caption = result["caption"]
    assert caption.startswith("Open late Friday and Saturday.")
    assert hashtags_in(caption) == []
    assert "link in our bio" not in caption
    (prompt,) = text_server.prompts()
    assert "Mention the weekend hours" in prompt
    assert "No hashtags." in prompt
    assert result["guidance"] == "Mention the weekend hours"


def test_a_dry_run_caption_never_calls_the_text_provider(org_a, text_server):
    context = context_for(org_a, step_results={"step-1": DEALS})
    runtime = runtime_for(org_a, STEPS, dry_run=True)
    result = execute(_caption("twitter"), context, runtime).result
    assert text_server.prompts() == [] and result["simulated"] is True


def test_caption_params_are_validated(org_a):
    with pytest.raises(StepError, match="parameter “platform” is required"):
        execute({"id": "s", "type": "generate_caption"}, context_for(org_a), runtime_for(org_a))
    with pytest.raises(StepError, match="Must be one of: instagram, twitter, facebook, tiktok"):
        execute(_caption("myspace"), context_for(org_a), runtime_for(org_a))
    with pytest.raises(StepError, match="“includeHashtags”: Must be true or false"):
        execute(_caption("tiktok", includeHashtags="yes"), context_for(org_a), runtime_for(org_a))


REVIEW = {"id": "step-4", "type": "review", "params": {}}


def _results(caption="Deals!\n\nFor adults 21+ only.", platform="twitter", media=True):
    results = {
        "step-1": DEALS,
        "step-3": {
            "caption": caption,
            "platform": platform,
            "length": caption_length(platform, caption),
            "limit": PLATFORMS[platform].max_length,
        },
    }
    if media:
        results["step-2"] = {"video_url": "/media-files/v.mp4", "media_id": "media_9"}
    return results


def test_review_passes_a_good_caption_with_media(org_a):
    context = context_for(org_a, step_results=_results())
    result = execute(REVIEW, context, runtime_for(org_a, STEPS)).result
    assert result["passed"] is True
    assert [c["name"] for c in result["checks"]] == [
        "caption length",
        "21+ disclaimer",
        "media present",
    ]


@pytest.mark.parametrize(
    ("results", "message"),
    [
        (_results(caption="x" * 300), "caption length: the caption is 300 weighted characters"),
        (_results(caption="Deals for everyone"), "21+ disclaimer: the 21+ / responsible-use"),
        (_results(media=False), "media present: no image or video was generated"),
    ],
)
def test_review_fails_the_step_naming_each_failed_check(org_a, results, message):
    with pytest.raises(StepError, match="Review failed") as error:
        execute(REVIEW, context_for(org_a, step_results=results), runtime_for(org_a, STEPS))
    assert message in error.value.message
    assert error.value.result["passed"] is False


SUBMIT = {"id": "step-5", "type": "submit_approval", "params": {"platform": "instagram"}}


@pytest.fixture
def image_a(org_a):
    return media_generate_image(
        org_a.pk, None, provider="gemini-flash", prompt="Deals", aspect_ratio="1:1"
    )


def _with_media(media_id: str) -> dict:
    return {**_results(), "step-2": {"video_url": "/x", "media_id": media_id}}


def test_submit_approval_sends_caption_and_media_to_the_creative_center(org_a, owner_a, image_a):
    context = context_for(org_a, step_results=_with_media(image_a.id), user_id=str(owner_a.pk))
    result = execute(SUBMIT, context, runtime_for(org_a, STEPS)).result
    (pending,) = get_approval_queue(org_a.pk).pending
    content = pending.content
    assert result["content_id"] == content.pk and result["status"] == "pending"
    assert content.caption.startswith("Deals!") and content.platform == "instagram"
    assert [view.asset.pk for view in pending.media] == [image_a.id]
    assert (content.playbook_run_id, content.submitted_by, content.source) == (
        "run_test",
        owner_a,
        "playbook",
    )
    assert content.title.startswith("Test playbook · ")
    assert result["media_ids"] == [image_a.id]


def test_submit_approval_of_another_tenant_s_media_fails_naming_it(org_b, image_a):
    context = context_for(org_b, step_results=_with_media(image_a.id))
    with pytest.raises(InvalidInput, match=f"Unknown or unfinished media: {image_a.id}"):
        execute(SUBMIT, context, runtime_for(org_b, STEPS))
    assert get_approval_queue(None).pending == []


def test_submit_approval_in_a_dry_run_submits_nothing(org_a, image_a):
    context = context_for(org_a, step_results=_with_media(image_a.id))
    result = execute(SUBMIT, context, runtime_for(org_a, STEPS, dry_run=True))
    assert result.result["content_id"] is None
    assert get_approval_queue(org_a.pk).pending == []


def test_submit_approval_without_media_fails(org_a):
    with pytest.raises(StepError, match="Nothing to submit"):
        execute(
            SUBMIT,
            context_for(org_a, step_results=_results(media=False)),
            runtime_for(org_a, STEPS),
        )


NOTIFY = {"id": "step-6", "type": "notify", "params": {}}


def test_notify_in_a_dry_run_tells_no_one(org_a, owner_a, mailoutbox):
    result = execute(NOTIFY, context_for(org_a), runtime_for(org_a, dry_run=True)).result
    assert result["would_notify"] == 1
    assert get_bell(user=owner_a).notices == () and mailoutbox == []


def test_notify_rejects_unknown_channels(org_a):
    step = {"id": "s", "type": "notify", "params": {"channels": ["sms"]}}
    with pytest.raises(StepError, match="accepts in_app, email; got sms"):
        execute(step, context_for(org_a), runtime_for(org_a))
