"""generate_video (each provider), generate_image (by tier), generate_caption (per platform, within
limits), review, submit_approval and notify — each step on its own."""

import sys
import types

import pytest

from playbooks.captions import PLATFORMS, caption_length, hashtags_in
from playbooks.executor import MediaServicesGateway, StepError
from playbooks.models import Notification
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


def _video(provider, duration="10", aspect="9:16"):
    params = {"provider": provider, "duration": duration, "aspectRatio": aspect}
    return {"id": "step-2", "type": "generate_video", "params": params}


@pytest.mark.parametrize(
    ("provider", "duration", "cost_micros"),
    [("veo", "10", 1_125_000), ("veo", "5", 625_000), ("sora", "10", 1_500_000), ("sora", 30, 0)],
)
def test_generate_video_with_each_provider(org_a, fake_media, provider, duration, cost_micros):
    context = context_for(org_a, step_results={"step-1": DEALS})
    outcome = execute(
        _video(provider, duration), context, runtime_for(org_a, STEPS, media=fake_media)
    )
    (call,) = fake_media.calls
    assert call["provider"] == provider
    assert call["duration_seconds"] == int(duration)
    assert call["aspect_ratio"] == "9:16"
    assert call["playbook_run_id"] == "run_test" and call["simulate"] is None
    assert "20% off all flower" in call["prompt"] and "no minors" in call["prompt"]
    result = outcome.result
    assert result["video_url"].endswith(".mp4") and result["thumbnail_url"]
    assert result["duration"] == int(duration)
    assert result["tracking_event"]["provider"] == provider
    assert result["media_id"] == "media_1"
    assert outcome.cost_micros == result["tracking_event"]["cost_micros"]
    if cost_micros:
        assert outcome.cost_micros == cost_micros


def test_generate_video_defaults_and_rejects_bad_params(org_a, fake_media):
    runtime = runtime_for(org_a, STEPS, media=fake_media)
    execute({"id": "step-2", "type": "generate_video"}, context_for(org_a), runtime)
    assert fake_media.calls[0]["provider"] == "veo"
    assert fake_media.calls[0]["duration_seconds"] == 10
    for params, message in [
        ({"provider": "runway"}, "“provider” must be one of veo, sora"),
        ({"duration": "7"}, "“duration” must be one of 5, 10, 15, 30"),
        ({"aspectRatio": "4:3"}, "“aspectRatio” must be one of 16:9, 9:16, 1:1"),
        ({"fps": 30}, "unknown parameter “fps”"),
        ({"style": 5}, "“style” must be text"),
    ]:
        with pytest.raises(StepError, match=message):
            execute(
                {"id": "step-2", "type": "generate_video", "params": params},
                context_for(org_a),
                runtime,
            )


@pytest.mark.parametrize(
    ("tier", "provider", "cost_micros"),
    [("free", "gemini-flash", 20_000), ("paid", "gemini-pro", 40_000), ("super", "imagen", 30_000)],
)
def test_generate_image_by_tier(org_a, fake_media, tier, provider, cost_micros):
    step = {
        "id": "step-2",
        "type": "generate_image",
        "params": {"tier": tier, "style": "luxury", "aspectRatio": "4:5"},
    }
    context = context_for(
        org_a,
        step_results={
            "step-1": {"product": {"name": "Blue Dream", "description": "berry", "price": "38.00"}}
        },
    )
    steps = [{"id": "step-1", "type": "select_product"}, {"id": "step-2", "type": "generate_image"}]
    outcome = execute(step, context, runtime_for(org_a, steps, media=fake_media))
    (call,) = fake_media.calls
    assert call["provider"] == provider and call["aspect_ratio"] == "4:5"
    assert "Blue Dream" in call["prompt"] and "luxury" in call["prompt"]
    assert outcome.result["image_url"].endswith(".png")
    assert outcome.result["tier"] == tier
    assert outcome.cost_micros == cost_micros


def test_the_image_tier_map_is_configuration(org_a, fake_media, settings):
    settings.PLAYBOOKS_IMAGE_TIERS = {**settings.PLAYBOOKS_IMAGE_TIERS, "super": "gemini-pro"}
    step = {"id": "s", "type": "generate_image", "params": {"tier": "super"}}
    execute(step, context_for(org_a), runtime_for(org_a, media=fake_media))
    assert fake_media.calls[0]["provider"] == "gemini-pro"


def test_a_missing_media_service_fails_the_step_clearly(org_a, monkeypatch):
    monkeypatch.setitem(sys.modules, "media.services", types.ModuleType("media.services"))
    runtime = runtime_for(org_a, STEPS, media=MediaServicesGateway())
    with pytest.raises(StepError, match=r"media generation service has no generate_video\(\)"):
        execute(_video("veo"), context_for(org_a), runtime)


def _caption(platform, **params):
    return {"id": "step-3", "type": "generate_caption", "params": {"platform": platform, **params}}


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_template_captions_per_platform_fit_and_carry_the_disclaimer(org_a, fake_text, platform):
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(_caption(platform), context, runtime_for(org_a, STEPS, text=fake_text)).result
    caption = result["caption"]
    assert result["simulated"] is True
    assert "20% off all flower" in caption and "21+" in caption
    assert result["length"] == caption_length(platform, caption) <= PLATFORMS[platform].max_length
    assert len(hashtags_in(caption)) <= PLATFORMS[platform].max_hashtags
    assert f"{platform} caption" in fake_text.prompts[0]


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_a_long_text_provider_answer_is_fitted_to_the_platform(org_a, fake_text, platform):
    fake_text.reply = ("Huge deals 🔥 " * 8000) + " ".join(f"#tag{n}" for n in range(40))
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(_caption(platform), context, runtime_for(org_a, STEPS, text=fake_text)).result
    caption = result["caption"]
    assert result["simulated"] is False
    assert caption.startswith("Huge deals 🔥")
    assert caption_length(platform, caption) <= PLATFORMS[platform].max_length
    assert len(hashtags_in(caption)) <= PLATFORMS[platform].max_hashtags
    assert "For adults 21+ only" in caption


def test_caption_options_and_guidance(org_a, fake_text):
    context = context_for(
        org_a, step_results={"step-1": DEALS}, variables={"guidance": "Mention the weekend hours"}
    )
    step = _caption("instagram", includeHashtags=False, includeCTA=False)
    caption = execute(step, context, runtime_for(org_a, STEPS, text=fake_text)).result["caption"]
    assert hashtags_in(caption) == []
    assert "link in our bio" not in caption
    assert "Mention the weekend hours" in fake_text.prompts[0]
    assert "No hashtags." in fake_text.prompts[0]


def test_a_dry_run_caption_never_calls_the_text_provider(org_a, fake_text):
    fake_text.reply = "paid words"
    context = context_for(org_a, step_results={"step-1": DEALS})
    runtime = runtime_for(org_a, STEPS, text=fake_text, dry_run=True)
    result = execute(_caption("twitter"), context, runtime).result
    assert fake_text.prompts == [] and result["simulated"] is True


def test_caption_params_are_validated(org_a, fake_text):
    with pytest.raises(StepError, match="parameter “platform” is required"):
        execute({"id": "s", "type": "generate_caption"}, context_for(org_a), runtime_for(org_a))
    with pytest.raises(StepError, match="must be one of instagram, twitter, facebook, tiktok"):
        execute(_caption("myspace"), context_for(org_a), runtime_for(org_a))
    with pytest.raises(StepError, match="“includeHashtags” must be true or false"):
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


def test_submit_approval_sends_caption_and_media_to_the_creative_center(org_a, fake_media):
    context = context_for(org_a, step_results=_results())
    result = execute(SUBMIT, context, runtime_for(org_a, STEPS, media=fake_media)).result
    assert result["content_id"] == "content_1" and result["status"] == "pending"
    (submission,) = fake_media.submissions
    assert submission["tenant_id"] == org_a.pk
    assert submission["caption"].startswith("Deals!")
    assert submission["media_ids"] == ["media_9"]
    assert submission["platform"] == "instagram"
    assert submission["playbook_run_id"] == "run_test" and submission["submitted_by"] == "7"
    assert submission["title"].startswith("Test playbook · ")


def test_submit_approval_in_a_dry_run_submits_nothing(org_a, fake_media):
    context = context_for(org_a, step_results=_results())
    result = execute(SUBMIT, context, runtime_for(org_a, STEPS, media=fake_media, dry_run=True))
    assert result.result["content_id"] is None
    assert fake_media.submissions == []


def test_submit_approval_without_media_fails(org_a, fake_media):
    with pytest.raises(StepError, match="Nothing to submit"):
        execute(
            SUBMIT,
            context_for(org_a, step_results=_results(media=False)),
            runtime_for(org_a, STEPS, media=fake_media),
        )


NOTIFY = {"id": "step-6", "type": "notify", "params": {}}


@pytest.fixture
def run_id(org_a, install):
    from playbooks.services import start_playbook_run

    return start_playbook_run(install("weekly-deals-video", org_a), triggered_by="manual").pk


def test_notify_in_app_and_by_email(org_a, owner_a, member_a, mailoutbox, run_id):
    results = {
        **_results(),
        "step-5": {
            "content_id": "content_1",
            "title": "Weekly",
            "platform": "instagram",
            "status": "pending",
        },
    }
    context = context_for(org_a, step_results=results, run_id=run_id)
    result = execute(NOTIFY, context, runtime_for(org_a, STEPS)).result
    assert result["notified"] == 2 and result["emailed"] == 2
    assert result["title"] == "Test playbook: content awaiting your approval"
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == sorted(
        [owner_a.username, member_a.username]
    )
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner_a.email, member_a.email])
    assert "/dashboard/creative" in mailoutbox[0].body


def test_notify_owners_only_in_app_only_with_a_message(
    org_a, owner_a, member_a, mailoutbox, run_id
):
    step = {
        "id": "s",
        "type": "notify",
        "params": {"audience": "owners", "channels": ["in_app"], "message": "Prices moved"},
    }
    result = execute(step, context_for(org_a, run_id=run_id), runtime_for(org_a)).result
    assert (result["notified"], result["emailed"]) == (1, 0)
    assert Notification.objects.get().body == "Prices moved"
    assert mailoutbox == []


def test_notify_in_a_dry_run_tells_no_one(org_a, owner_a, mailoutbox):
    result = execute(NOTIFY, context_for(org_a), runtime_for(org_a, dry_run=True)).result
    assert result["would_notify"] == 1
    assert Notification.objects.count() == 0 and mailoutbox == []


def test_notify_rejects_unknown_channels(org_a):
    step = {"id": "s", "type": "notify", "params": {"channels": ["sms"]}}
    with pytest.raises(StepError, match="accepts in_app, email; got sms"):
        execute(step, context_for(org_a), runtime_for(org_a))
