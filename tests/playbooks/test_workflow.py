"""Whole runs: the Weekly Deals workflow end to end in simulate mode, cost tracking of each step,
failures mid-run, bad step types and parameters, budget blocks, dry runs, re-runs from a step."""

import pytest
from django.core.exceptions import ValidationError

from costs.budgets import update_media_budget
from costs.selectors import get_recent_media_events
from playbooks.models import Notification, PlaybookRun, PlaybookTemplate
from playbooks.selectors import estimate_playbook_run_cost
from playbooks.services import (
    playbook_steps,
    rerun_playbook_run,
    run_playbook_template,
    start_playbook_run,
)
from tests.media.providers.fakes import Reply

pytestmark = pytest.mark.django_db

VEO_10S = 1_125_000  # 6 s + 4 s clips: $0.625 + $0.50


def _statuses(run):
    return [(row.step_id, row.status) for row in run.step_results.all()]


def _start(playbook, **kwargs):
    return start_playbook_run(playbook, triggered_by="manual", **kwargs)


def test_weekly_deals_runs_end_to_end(
    org_a, owner_a, member_a, shop, install, run_now, fake_media, mailoutbox
):
    playbook = install("weekly-deals-video", org_a)
    run = run_now(_start(playbook, user=owner_a))
    assert run.status == "succeeded", run.error
    assert _statuses(run) == [(f"step-{n}", "succeeded") for n in range(1, 7)]
    rows = {row.step_id: row for row in run.step_results.all()}
    assert rows["step-1"].result["deals"][0]["title"] == "20% off all flower"
    assert rows["step-2"].result["video_url"].endswith(".mp4")
    caption = rows["step-3"].result["caption"]
    assert "20% off all flower" in caption and "21+" in caption
    assert rows["step-4"].result["passed"] is True
    assert rows["step-5"].result == {
        "content_id": "content_1",
        "status": "pending",
        "title": rows["step-5"].result["title"],
        "caption": caption,
        "platform": "instagram",
        "media_ids": ["media_1"],
    }
    assert fake_media.submissions[0]["submitted_by"] == str(owner_a.pk)
    assert rows["step-6"].result["notified"] == 2
    assert Notification.objects.filter(user=owner_a, run=run).exists()
    assert len(mailoutbox) == 2
    assert all(row.duration_ms >= 0 and row.finished_at for row in rows.values())
    assert run.started_at <= run.finished_at


def test_each_step_s_cost_is_tracked_and_summed(org_a, shop, install, run_now):
    playbook = install("weekly-deals-video", org_a)
    run = run_now(_start(playbook))
    costs = {row.step_id: row.cost_micros for row in run.step_results.all()}
    assert costs == {
        "step-1": 0,
        "step-2": VEO_10S,
        "step-3": 0,
        "step-4": 0,
        "step-5": 0,
        "step-6": 0,
    }
    assert run.total_cost_micros == VEO_10S
    # The generation was recorded in the cost core against this run, at the price-book price.
    (event,) = get_recent_media_events(org_a.pk, 10)
    assert event.playbook_run_id == run.pk
    assert event.provider == "veo" and event.cost_micros == VEO_10S


def test_the_estimate_matches_what_a_run_costs(org_a, shop, install, run_now):
    playbook = install("weekly-deals-video", org_a)
    estimate = estimate_playbook_run_cost(playbook_steps(playbook))
    assert estimate.total_micros == VEO_10S
    assert [line.step_id for line in estimate.lines] == ["step-2"]
    assert "4 s" in estimate.lines[0].detail and "6 s" in estimate.lines[0].detail
    assert estimate.price_version == "2026-02-01"
    assert run_now(_start(playbook)).total_cost_micros == estimate.total_micros


@pytest.mark.parametrize(
    ("template_id", "total"),
    [("daily-product-spotlight", 20_000), ("competitor-price-alert", 625_000)],
)
def test_the_other_templates_estimate(org_a, install, template_id, total):
    playbook = install(template_id, org_a)
    assert estimate_playbook_run_cost(playbook_steps(playbook)).total_micros == total


def test_daily_spotlight_end_to_end(org_a, shop, install, run_now, fake_media):
    run = run_now(_start(install("daily-product-spotlight", org_a)))
    assert run.status == "succeeded", run.error
    assert fake_media.calls[0]["provider"] == "gemini-flash"
    assert run.total_cost_micros == 20_000
    assert fake_media.submissions[0]["media_ids"] == ["media_1"]


def test_competitor_alert_end_to_end(
    org_a, owner_a, shop, install, run_now, fake_media, settings, fake_server, mailoutbox
):
    settings.COMPETITOR_PRICES_URL = fake_server.url
    fake_server.on(
        "GET",
        f"/v1/prices?tenant={org_a.pk}",
        Reply(json={"prices": [{"competitor": "Green Cross", "sku": "BD-35", "price": "30.00"}]}),
    )
    run = run_now(_start(install("competitor-price-alert", org_a)))
    assert run.status == "succeeded", run.error
    assert "Blue Dream 3.5g" in fake_media.calls[0]["prompt"]
    note = Notification.objects.get(user=owner_a)
    assert note.title == "Competitor Price Alert: price alert"
    assert "1 product(s) priced more than 5% above" in note.body
    assert fake_media.submissions == []  # internal alert: no approval


def test_a_provider_failure_mid_run_keeps_what_came_before(
    org_a, shop, install, run_now, fake_media
):
    fake_media.fail_with = RuntimeError("veo: 503 Service Unavailable after 4 attempts")
    run = run_now(_start(install("weekly-deals-video", org_a)))
    assert run.status == "failed"
    assert run.error == "step-2 (generate_video): veo: 503 Service Unavailable after 4 attempts"
    assert _statuses(run) == [
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
    assert fake_media.submissions == []


def test_a_budget_block_fails_its_step_with_the_reason(org_a, shop, install, run_now):
    ok, errors = update_media_budget(org_a.pk, {"daily_limit": "1.00"})
    assert ok, errors
    run = run_now(_start(install("weekly-deals-video", org_a)))
    assert run.status == "failed"
    error = run.step_results.get(step_id="step-2").error
    assert "daily" in error.lower()
    assert run.total_cost_micros == 0


def test_bad_params_fail_the_run_at_that_step_and_earlier_costs_stay(org_a, shop, install, run_now):
    playbook = install("weekly-deals-video", org_a)
    # Written around the validation at save, as a stale override or a hand edit would be.
    playbook.param_overrides = {"step-3": {"platform": "myspace"}}
    playbook.save()
    run = run_now(_start(playbook))
    assert run.status == "failed"
    step3 = run.step_results.get(step_id="step-3")
    assert step3.status == "failed"
    assert "Step 3 (step-3, generate_caption): parameter “platform” must be one of" in step3.error
    assert run.step_results.get(step_id="step-2").status == "succeeded"
    assert run.total_cost_micros == VEO_10S
    assert run.step_results.get(step_id="step-4").status == "skipped"


def test_an_unknown_step_type_fails_the_run_at_that_step(org_a, shop, install, run_now):
    template = PlaybookTemplate.objects.get(pk="weekly-deals-video")
    template.steps[3]["type"] = "post_to_myspace"
    template.save()
    run = run_now(_start(install("weekly-deals-video", org_a)))
    assert run.status == "failed"
    assert "Unknown step type “post_to_myspace”" in run.step_results.get(step_id="step-4").error
    assert [s for _, s in _statuses(run)] == [
        "succeeded",
        "succeeded",
        "succeeded",
        "failed",
        "skipped",
        "skipped",
    ]


def test_a_dry_run_simulates_and_submits_nothing(
    org_a, owner_a, shop, install, run_now, fake_media, fake_text, mailoutbox
):
    fake_text.reply = "Real words that would cost money"
    run = run_now(_start(install("weekly-deals-video", org_a), dry_run=True))
    assert run.status == "succeeded", run.error
    assert fake_media.calls[0]["simulate"] is True
    assert fake_text.prompts == []
    assert fake_media.submissions == [] and mailoutbox == []
    assert Notification.objects.count() == 0
    rows = {row.step_id: row.result for row in run.step_results.all()}
    assert "21+" in rows["step-3"]["caption"]
    assert rows["step-5"]["status"] == "not submitted (dry run)"
    assert rows["step-6"]["would_notify"] == 1


def test_a_run_delivered_twice_runs_once(org_a, shop, install, run_now, fake_media):
    run = _start(install("weekly-deals-video", org_a))
    assert run_now(run).status == "succeeded"
    again = run_now(run)
    assert again.status == "succeeded"
    assert len(fake_media.calls) == 1 and len(fake_media.submissions) == 1


def test_rerun_from_the_caption_reuses_earlier_results_and_takes_guidance(
    org_a, owner_a, shop, install, run_now, fake_media, fake_text
):
    first = run_now(_start(install("weekly-deals-video", org_a)))
    rerun = rerun_playbook_run(
        first, from_step="step-3", guidance="Shorter, mention Friday", user=owner_a
    )
    assert rerun.rerun_of == first and rerun.rerun_from_step == "step-3"
    rerun = run_now(rerun)
    assert rerun.status == "succeeded", rerun.error
    assert _statuses(rerun)[:2] == [("step-1", "reused"), ("step-2", "reused")]
    assert [s for _, s in _statuses(rerun)[2:]] == ["succeeded"] * 4
    assert len(fake_media.calls) == 1  # the video was not paid for again
    assert rerun.total_cost_micros == 0
    assert "Shorter, mention Friday" in fake_text.prompts[-1]
    second_submission = fake_media.submissions[-1]
    assert second_submission["media_ids"] == ["media_1"]
    assert rerun.step_results.get(step_id="step-2").result == (
        first.step_results.get(step_id="step-2").result
    )


def test_rerun_refuses_a_step_that_cannot_be_reused(org_a, shop, install, run_now, fake_media):
    fake_media.fail_with = RuntimeError("down")
    failed = run_now(_start(install("weekly-deals-video", org_a)))
    with pytest.raises(ValidationError) as error:
        rerun_playbook_run(failed, from_step="step-3")
    assert "Step “step-2” did not complete" in error.value.message_dict["from_step"][0]
    with pytest.raises(ValidationError, match="No step “step-9”"):
        rerun_playbook_run(failed, from_step="step-9")
    fake_media.fail_with = None
    rerun = run_now(rerun_playbook_run(failed, from_step="step-2"))
    assert rerun.status == "succeeded"
    assert rerun.total_cost_micros == VEO_10S


def test_running_a_playbook_that_is_not_installed_explains_the_fix(org_a, templates):
    result = run_playbook_template("weekly-deals-video", org_a.pk)
    assert result["success"] is False and result["run_id"] is None
    assert "“weekly-deals-video” is not installed for Alpha Brands" in result["error"]
    assert "Seed Templates" in result["error"]
    assert f"install_playbook_template('weekly-deals-video', '{org_a.pk}')" in result["error"]
    assert PlaybookRun.objects.count() == 0


def test_running_an_installed_template_by_id(org_a, shop, install, run_now):
    install("weekly-deals-video", org_a)
    result = run_playbook_template("weekly-deals-video", org_a.pk)
    assert result["success"] is True
    assert run_now(result["run_id"]).status == "succeeded"


def test_a_run_keeps_the_steps_it_started_with(org_a, shop, install, run_now, fake_media):
    playbook = install("weekly-deals-video", org_a)
    run = _start(playbook)
    playbook.param_overrides = {"step-2": {"provider": "sora"}}
    playbook.save()
    run_now(run)
    assert fake_media.calls[0]["provider"] == "veo"
