"""Re-running from a step (``rerun_playbook_run``): earlier results reused at $0, the reviewer's
guidance in the caption or media prompt, a new video that bypasses the duplicate-prompt cache,
and steps that cannot be reused."""

import pytest

from bakedbot.errors import InvalidInput
from costs.selectors import get_recent_media_events
from media.models import GenerationJob
from media.selectors import get_playbook_run_content
from playbooks.selectors import caption_estimate
from playbooks.services import (
    rerun_playbook_run,
)
from tests.playbooks.conftest import VEO_START
from tests.playbooks.helpers import VEO_10S, provider_outage, start_manual_run, step_statuses

pytestmark = pytest.mark.django_db


def test_rerun_from_the_caption_reuses_earlier_results_and_takes_guidance(
    org_a, owner_a, shop, install, run_now, text_server
):
    text_server.reply("Flower Friday: 20% off all flower.")
    text_server.reply("Friday only: 20% off flower.")
    first = run_now(start_manual_run(install("weekly-deals-video", org_a)))
    assert first.status == "succeeded", first.error
    rerun = rerun_playbook_run(
        run=first, from_step="step-3", guidance="Shorter, mention Friday", user=owner_a
    )
    assert rerun.rerun_of == first and rerun.rerun_from_step == "step-3"
    rerun = run_now(rerun)
    assert rerun.status == "succeeded", rerun.error
    assert step_statuses(rerun)[:2] == [("step-1", "reused"), ("step-2", "reused")]
    assert [s for _, s in step_statuses(rerun)[2:]] == ["succeeded"] * 4
    assert GenerationJob.objects.count() == 1  # the video was not made (or paid for) again
    # The new caption was a real (paid) text call: the rerun's only charge, priced by its tokens.
    events = get_recent_media_events(org_a.pk, 10)
    (caption,) = [event for event in events if event.playbook_run_id == rerun.pk]
    assert (caption.type, caption.simulated) == ("text", False)
    assert rerun.total_cost_micros == caption.cost_micros > 0
    assert len(events) == 3  # the first run's video and caption, the rerun's caption
    first_prompt, second_prompt = text_server.prompts()
    assert "Shorter, mention Friday" not in first_prompt
    assert "rejected by the reviewer, who said: “Shorter, mention Friday”" in second_prompt
    caption = rerun.step_results.get(step_id="step-3").result
    assert caption["caption"].startswith("Friday only: 20% off flower.")
    assert caption["guidance"] == "Shorter, mention Friday"
    (new,) = get_playbook_run_content(org_a.pk, rerun.pk)
    video = first.step_results.get(step_id="step-2").result
    assert [view.asset.pk for view in new.media] == [video["media_id"]]
    assert rerun.step_results.get(step_id="step-2").result == video


def test_rerun_from_the_video_makes_a_new_one_with_the_feedback(org_a, shop, install, run_now):
    first = run_now(start_manual_run(install("weekly-deals-video", org_a)))
    rerun = run_now(rerun_playbook_run(run=first, from_step="step-2", guidance="Brighter colours"))
    assert rerun.status == "succeeded", rerun.error
    old, new = (run.step_results.get(step_id="step-2").result["media_id"] for run in (first, rerun))
    assert old != new  # not the duplicate-prompt cache's copy of the rejected video
    job = GenerationJob.objects.get(playbook_run_id=rerun.pk)
    assert job.use_cache is False
    assert "Reviewer's feedback on the previous version: Brighter colours" in job.prompt
    assert rerun.total_cost_micros == VEO_10S + caption_estimate("instagram").cost_micros


def test_rerun_refuses_a_step_that_cannot_be_reused(org_a, shop, install, run_now, veo_server):
    veo_server.on("POST", VEO_START, provider_outage(), provider_outage())
    failed = run_now(start_manual_run(install("weekly-deals-video", org_a)))
    assert failed.status == "failed"
    with pytest.raises(InvalidInput) as error:
        rerun_playbook_run(run=failed, from_step="step-3")
    assert "Step “step-2” did not complete" in error.value.errors["from_step"]
    with pytest.raises(InvalidInput, match="No step “step-9”"):
        rerun_playbook_run(run=failed, from_step="step-9")


def test_a_failed_video_step_can_be_run_again_once_the_provider_is_back(
    settings, org_a, shop, install, run_now, veo_server
):
    veo_server.on("POST", VEO_START, provider_outage(), provider_outage())
    failed = run_now(start_manual_run(install("weekly-deals-video", org_a)))
    assert failed.status == "failed"
    # The provider is back (here: simulate mode again).
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "veo": {**settings.MEDIA_PROVIDERS["veo"], "api_key": ""},
    }
    rerun = run_now(rerun_playbook_run(run=failed, from_step="step-2"))
    assert rerun.status == "succeeded", rerun.error
    assert rerun.total_cost_micros == VEO_10S + caption_estimate("instagram").cost_micros
    assert step_statuses(rerun)[0] == ("step-1", "reused")
