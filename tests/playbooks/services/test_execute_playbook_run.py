"""Whole runs through the real media generation service in simulate mode: the Weekly Deals
workflow end to end (a real video of the requested length, a caption within limits, the Creative
Center's approval queue, the bell), cost tracking of each step in the cost core, failures
mid-run, bad step types and parameters, budget blocks, dry runs: ``runner.execute_playbook_run``,
the worker's entry."""

import pytest
from django.core.files.storage import default_storage

from bakedbot.notices import get_bell
from costs.budgets import update_media_budget
from costs.models import BudgetHold
from costs.pricing import estimate_media_cost
from costs.selectors import get_recent_media_events
from media.models import GenerationJob, MediaAsset
from media.providers import video_duration, video_size
from media.selectors import get_approval_queue, get_playbook_run_content
from playbooks.captions import PLATFORMS, caption_length, expected_caption_tokens, hashtags_in
from playbooks.library import PLAYBOOK_TEMPLATES
from playbooks.models import PlaybookTemplate
from playbooks.selectors import caption_estimate, estimate_playbook_run_cost
from playbooks.services import (
    playbook_steps,
)
from tests.media.providers.fakes import Reply
from tests.playbooks.conftest import VEO_START
from tests.playbooks.helpers import VEO_10S, provider_outage, start_manual_run, step_statuses

pytestmark = pytest.mark.django_db


def _file(asset: MediaAsset, *, thumbnail: bool = False) -> bytes:
    stored = asset.thumbnail if thumbnail else asset.file
    with default_storage.open(stored.name, "rb") as handle:
        return handle.read()


def test_weekly_deals_runs_end_to_end(org_a, owner_a, member_a, shop, install, run_now, mailoutbox):
    playbook = install("weekly-deals-video", org_a)
    run = run_now(start_manual_run(playbook, user=owner_a))
    assert run.status == "succeeded", run.error
    assert step_statuses(run) == [(f"step-{n}", "succeeded") for n in range(1, 7)]
    rows = {row.step_id: row for row in run.step_results.all()}
    assert rows["step-1"].result["deals"][0]["title"] == "20% off all flower"

    # The video: a real MP4 of 10 s made by the media service, kept in the tenant's gallery.
    video = rows["step-2"].result
    asset = MediaAsset.objects.get(pk=video["media_id"], tenant_id=org_a.pk)
    assert (asset.kind, asset.status, asset.simulated) == ("video", "ready", True)
    assert video_duration(_file(asset)) == pytest.approx(10, abs=0.1)
    assert video_size(_file(asset)) == (360, 640)  # 9:16, simulated at 640 px
    assert _file(asset, thumbnail=True).startswith(b"\x89PNG")
    assert video["video_url"] == f"/dashboard/creative/media/{asset.pk}"
    assert video["thumbnail_url"] == f"/dashboard/creative/media/{asset.pk}/thumbnail"
    assert (video["duration"], video["provider"], video["model"]) == (
        10,
        "veo",
        "veo-3.1-generate-preview",
    )
    assert video["tracking_event"]["simulated"] is True

    caption = rows["step-3"].result["caption"]
    assert "20% off all flower" in caption and "21+" in caption
    assert caption_length("instagram", caption) <= PLATFORMS["instagram"].max_length
    assert len(hashtags_in(caption)) <= PLATFORMS["instagram"].max_hashtags
    assert rows["step-4"].result["passed"] is True

    # In the Creative Center's approval queue, with the video and the caption.
    (pending,) = get_approval_queue(org_a.pk).pending
    content = pending.content
    assert rows["step-5"].result == {
        "content_id": content.pk,
        "status": "pending",
        "title": content.title,
        "caption": caption,
        "platform": "instagram",
        "media_ids": [asset.pk],
    }
    assert (content.caption, content.platform, content.source) == (caption, "instagram", "playbook")
    assert content.playbook_run_id == run.pk and content.submitted_by == owner_a
    assert [view.asset.pk for view in pending.media] == [asset.pk]
    assert content.title.startswith("Weekly Deals Video · ")

    # The queue rang the owner's bell; the notify step (audience: everyone) adds the member's,
    # under the same key: one notice each, which leaves both bells once the content is reviewed.
    assert (rows["step-6"].result["notified"], rows["step-6"].result["new_notices"]) == (2, 1)
    for user in (owner_a, member_a):
        [notice] = get_bell(user=user).notices
        assert notice.kind == "approval" and notice.link == "/dashboard/creative#approvals"
    assert len(mailoutbox) == 2 and "/dashboard/creative" in mailoutbox[0].body
    assert all(row.duration_ms >= 0 and row.finished_at for row in rows.values())
    assert run.started_at <= run.finished_at


@pytest.mark.parametrize(
    ("duration", "plan"), [(5, [6]), (10, [6, 4]), (15, [8, 8]), (30, [8, 8, 8, 6])]
)
def test_the_video_lasts_the_requested_time_made_from_its_clip_plan(
    org_a, shop, install, run_now, duration, plan
):
    playbook = install(
        "weekly-deals-video", org_a, param_overrides={"step-2": {"duration": duration}}
    )
    run = run_now(start_manual_run(playbook))
    assert run.status == "succeeded", run.error
    step = run.step_results.get(step_id="step-2")
    asset = MediaAsset.objects.get(pk=step.result["media_id"])
    assert asset.params["clip_plan"] == plan
    assert video_duration(_file(asset)) == pytest.approx(duration, abs=0.1)
    assert step.result["duration"] == asset.duration_seconds == duration
    job = GenerationJob.objects.get(playbook_run_id=run.pk)
    assert (job.clips_total, job.clips_done, job.inline) == (len(plan), len(plan), True)
    expected = estimate_media_cost("video", "veo", {"duration_seconds": duration}).cost_micros
    assert step.cost_micros == expected
    assert run.total_cost_micros == expected + caption_estimate("instagram").cost_micros


def test_a_square_video_step_is_cropped_from_16_9(org_a, shop, install, run_now):
    playbook = install(
        "weekly-deals-video",
        org_a,
        param_overrides={"step-2": {"aspectRatio": "1:1", "duration": 15}},
    )
    run = run_now(start_manual_run(playbook))
    assert run.status == "succeeded", run.error
    result = run.step_results.get(step_id="step-2").result
    asset = MediaAsset.objects.get(pk=result["media_id"])
    assert video_size(_file(asset)) == (360, 360)
    assert video_duration(_file(asset)) == pytest.approx(15, abs=0.1)
    assert (asset.params["aspect_ratio"], asset.params["provider_aspect_ratio"]) == ("1:1", "16:9")
    assert result["aspect_ratio"] == "1:1"


def test_each_step_s_cost_is_tracked_in_the_cost_core_and_summed(org_a, shop, install, run_now):
    playbook = install("weekly-deals-video", org_a)
    run = run_now(start_manual_run(playbook))
    caption = caption_estimate("instagram").cost_micros
    costs = {row.step_id: row.cost_micros for row in run.step_results.all()}
    assert costs == {
        "step-1": 0,
        "step-2": VEO_10S,
        "step-3": caption,
        "step-4": 0,
        "step-5": 0,
        "step-6": 0,
    }
    assert run.total_cost_micros == VEO_10S + caption
    # Recorded in the cost core against this run, at the price-book price, its hold settled.
    text, event = get_recent_media_events(org_a.pk, 10)
    assert event.playbook_run_id == run.pk
    assert (event.provider, event.cost_micros, event.duration_seconds) == ("veo", VEO_10S, 10)
    assert event.simulated is True and event.price_version == "2026-12-01"
    assert (event.model, event.resolution, event.audio) == (
        "veo-3.1-generate-preview",
        "720p",
        True,
    )
    summary = run.step_results.get(step_id="step-2").result["tracking_event"]
    assert (summary["id"], summary["cost_micros"]) == (event.id, VEO_10S)
    (hold,) = BudgetHold.objects.filter(tenant_id=org_a.pk)
    assert (hold.status, hold.actual_micros) == (BudgetHold.Status.SETTLED, VEO_10S)
    # The caption's text call: a simulated event at the tokens a real one is expected to use.
    expected_in, expected_out = expected_caption_tokens("instagram")
    assert (text.type, text.provider, text.model, text.simulated) == (
        "text",
        "gemini-text",
        "gemini-3.5-flash",
        True,
    )
    assert (text.input_tokens, text.output_tokens, text.cost_micros) == (
        expected_in,
        expected_out,
        caption,
    )
    assert text.playbook_run_id == run.pk and text.id == f"{run.pk}:caption:instagram"


def test_the_estimate_matches_what_a_run_costs(org_a, shop, install, run_now):
    playbook = install("weekly-deals-video", org_a)
    estimate = estimate_playbook_run_cost(playbook_steps(playbook))
    assert estimate.total_micros == VEO_10S + caption_estimate("instagram").cost_micros
    assert [line.step_id for line in estimate.lines] == ["step-2", "step-3"]
    assert "4 s" in estimate.lines[0].detail and "6 s" in estimate.lines[0].detail
    assert "720p with audio; 10 s billed" in estimate.lines[0].detail
    assert "350 input + 550 output tokens expected" in estimate.lines[1].detail
    assert estimate.price_version == "2026-12-01"
    assert run_now(start_manual_run(playbook)).total_cost_micros == estimate.total_micros


@pytest.mark.parametrize("template_id", [template["id"] for template in PLAYBOOK_TEMPLATES])
def test_a_simulated_run_of_each_template_charges_its_estimate_to_the_micro_dollar(
    org_a, shop, install, run_now, template_id
):
    playbook = install(template_id, org_a)
    estimate = estimate_playbook_run_cost(playbook_steps(playbook))
    assert not estimate.errors
    run = run_now(start_manual_run(playbook))
    assert run.status == "succeeded", run.error
    charged = sum(
        event.cost_micros
        for event in get_recent_media_events(org_a.pk, 100)
        if event.playbook_run_id == run.pk
    )
    assert charged == run.total_cost_micros == estimate.total_micros > 0
    steps = {line.step_id: line.cost_micros for line in estimate.lines}
    assert {row.step_id: row.cost_micros for row in run.step_results.all() if row.cost_micros} == {
        step: cost for step, cost in steps.items() if cost
    }


def test_daily_spotlight_end_to_end(org_a, shop, install, run_now):
    run = run_now(start_manual_run(install("daily-product-spotlight", org_a)))
    assert run.status == "succeeded", run.error
    image = run.step_results.get(step_id="step-2").result
    asset = MediaAsset.objects.get(pk=image["media_id"])
    assert (asset.kind, asset.provider, asset.params["aspect_ratio"]) == (
        "image",
        "gemini-flash",
        "4:5",
    )
    assert _file(asset).startswith(b"\x89PNG")
    # A gemini-flash image ($0.039) and the caption's text call.
    assert run.total_cost_micros == 39_000 + caption_estimate("instagram").cost_micros
    (content,) = get_playbook_run_content(org_a.pk, run.pk)
    assert [view.asset.pk for view in content.media] == [asset.pk]
    assert content.content.status == "pending"


def test_competitor_alert_end_to_end(
    org_a, owner_a, shop, install, run_now, settings, fake_server, mailoutbox
):
    settings.COMPETITOR_PRICES_URL = fake_server.url
    fake_server.on(
        "GET",
        f"/v1/prices?tenant={org_a.pk}",
        Reply(json={"prices": [{"competitor": "Green Cross", "sku": "BD-35", "price": "30.00"}]}),
    )
    run = run_now(start_manual_run(install("competitor-price-alert", org_a)))
    assert run.status == "succeeded", run.error
    job = GenerationJob.objects.get(playbook_run_id=run.pk)
    assert "Blue Dream 3.5g" in job.prompt and job.kind == "video"
    [note] = get_bell(user=owner_a).notices
    assert note.title == "Competitor Price Alert: price alert"
    assert note.link == f"/dashboard/playbooks/runs/{run.pk}"
    assert "1 product(s) priced more than 5% above" in note.body
    assert get_playbook_run_content(org_a.pk, run.pk) == []  # internal alert: no approval


def test_a_provider_failure_mid_run_keeps_what_came_before(
    org_a, shop, install, run_now, veo_server
):
    # Veo answers 503 to both attempts of the first clip's start.
    veo_server.on("POST", VEO_START, provider_outage(), provider_outage())
    run = run_now(start_manual_run(install("weekly-deals-video", org_a)))
    assert run.status == "failed"
    assert run.error == "step-2 (generate_video): veo: HTTP 503: down"
    assert step_statuses(run) == [
        ("step-1", "succeeded"),
        ("step-2", "failed"),
        ("step-3", "skipped"),
        ("step-4", "skipped"),
        ("step-5", "skipped"),
        ("step-6", "skipped"),
    ]
    assert run.step_results.get(step_id="step-1").result["deals"]
    assert run.total_cost_micros == 0
    (event,) = get_recent_media_events(org_a.pk, 10)
    assert event.success is False and event.cost_micros == 0
    assert event.playbook_run_id == run.pk
    assert get_approval_queue(org_a.pk).pending == []
    assert BudgetHold.objects.get().status == BudgetHold.Status.RELEASED
    assert MediaAsset.objects.get().status == "failed"  # shown in the gallery with its reason


def test_a_budget_block_fails_its_step_with_the_reason(org_a, shop, install, run_now):
    update_media_budget(org_a.pk, {"daily_limit": "1.00"})
    run = run_now(start_manual_run(install("weekly-deals-video", org_a)))
    assert run.status == "failed"
    step = run.step_results.get(step_id="step-2")
    assert step.status == "failed"
    assert "daily" in step.error.lower() and "$1.00" in step.error
    assert "$3.00" in step.error  # how far over: $4.00 (10 s x $0.40) asked of a $1.00 limit
    assert run.error == f"step-2 (generate_video): {step.error}"
    assert run.total_cost_micros == 0
    # Refused before anything was generated, held or charged.
    assert MediaAsset.objects.count() == 0 and BudgetHold.objects.count() == 0
    assert get_recent_media_events(org_a.pk, 10) == []
    assert [s for _, s in step_statuses(run)[2:]] == ["skipped"] * 4


def test_bad_params_fail_the_run_at_that_step_and_earlier_costs_stay(org_a, shop, install, run_now):
    playbook = install("weekly-deals-video", org_a)
    # Written around the validation at save, as a stale override or a hand edit would be.
    playbook.param_overrides = {"step-3": {"platform": "myspace"}}
    playbook.save()
    run = run_now(start_manual_run(playbook))
    assert run.status == "failed"
    step3 = run.step_results.get(step_id="step-3")
    assert step3.status == "failed"
    assert "Step 3 (step-3, generate_caption): parameter “platform”: Must be one of" in step3.error
    assert run.step_results.get(step_id="step-2").status == "succeeded"
    assert run.total_cost_micros == VEO_10S
    assert MediaAsset.objects.get().status == "ready"  # the video made before stays
    assert run.step_results.get(step_id="step-4").status == "skipped"


def test_an_unknown_step_type_fails_the_run_at_that_step(org_a, shop, install, run_now):
    template = PlaybookTemplate.objects.get(pk="weekly-deals-video")
    template.steps[3]["type"] = "post_to_myspace"
    template.save()
    run = run_now(start_manual_run(install("weekly-deals-video", org_a)))
    assert run.status == "failed"
    assert "Unknown step type “post_to_myspace”" in run.step_results.get(step_id="step-4").error
    assert [s for _, s in step_statuses(run)] == [
        "succeeded",
        "succeeded",
        "succeeded",
        "failed",
        "skipped",
        "skipped",
    ]


def test_a_dry_run_simulates_and_submits_nothing(
    org_a, owner_a, shop, install, run_now, text_server, veo_server, mailoutbox
):
    # Veo and the text provider have keys, but a dry run calls neither.
    run = run_now(start_manual_run(install("weekly-deals-video", org_a), dry_run=True))
    assert run.status == "succeeded", run.error
    assert veo_server.requests == []  # neither Veo nor the text provider was called
    asset = MediaAsset.objects.get()
    assert asset.simulated is True
    assert video_duration(_file(asset)) == pytest.approx(10, abs=0.1)
    assert get_approval_queue(org_a.pk).pending == [] and mailoutbox == []
    assert get_bell(user=owner_a).notices == ()
    rows = {row.step_id: row.result for row in run.step_results.all()}
    assert "21+" in rows["step-3"]["caption"] and rows["step-3"]["simulated"] is True
    assert rows["step-5"]["status"] == "not submitted (dry run)"
    assert rows["step-6"]["would_notify"] == 1
    # What it would cost, at $0 spent: simulated events are recorded as such.
    (event,) = get_recent_media_events(org_a.pk, 10)
    assert event.simulated is True and event.playbook_run_id == run.pk


def test_a_run_delivered_twice_runs_once(org_a, shop, install, run_now):
    run = start_manual_run(install("weekly-deals-video", org_a))
    assert run_now(run).status == "succeeded"
    again = run_now(run)
    assert again.status == "succeeded"
    assert GenerationJob.objects.count() == 1 and MediaAsset.objects.count() == 1
    assert len(get_approval_queue(org_a.pk).pending) == 1


def test_a_run_keeps_the_steps_it_started_with(org_a, shop, install, run_now):
    playbook = install("weekly-deals-video", org_a)
    run = start_manual_run(playbook)
    playbook.param_overrides = {"step-2": {"provider": "sora"}}
    playbook.save()
    run = run_now(run)
    assert run.status == "succeeded", run.error
    assert GenerationJob.objects.get().provider == "veo"


def test_sora_is_refused_with_the_registry_s_reason_on_a_default_install(
    org_a, shop, install, run_now
):
    playbook = install(
        "weekly-deals-video", org_a, param_overrides={"step-2": {"provider": "sora"}}
    )
    run = run_now(start_manual_run(playbook))
    assert run.status == "failed"
    assert "sora-2 was retired on 2026-09-24" in run.step_results.get(step_id="step-2").error
    assert MediaAsset.objects.count() == 0 and BudgetHold.objects.count() == 0
