"""Running again from a step with guidance (``run_rerun``)."""

import pytest
from django.urls import reverse

from media.selectors import get_approval_queue
from playbooks.models import PlaybookRun
from playbooks.runner import execute_playbook_run
from playbooks.selectors import caption_estimate
from tests.playbooks.helpers import messages_of, reject_submission

pytestmark = pytest.mark.django_db


def test_it_reruns_from_a_step(owner_a_client, run):
    response = owner_a_client.post(
        reverse("playbooks:run_rerun", args=[run.pk]),
        {"from_step": "step-3", "guidance": "Shorter"},
    )
    rerun = PlaybookRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("playbooks:run_detail", args=[rerun.pk])
    assert rerun.variables == {"guidance": "Shorter"}
    assert rerun.step_results.get(step_id="step-2").status == "reused"


def test_it_refuses_an_unknown_step(owner_a_client, run):
    response = owner_a_client.post(
        reverse("playbooks:run_rerun", args=[run.pk]), {"from_step": "step-42"}
    )
    assert response["Location"] == reverse("playbooks:run_detail", args=[run.pk])
    assert "No step “step-42”" in messages_of(response)[0]
    assert PlaybookRun.objects.count() == 1


def test_it_reruns_the_caption_back_into_the_approval_queue(owner_a_client, owner_a, org_a, run):
    old_content = reject_submission(run, org_a, owner_a)
    response = owner_a_client.post(
        reverse("playbooks:run_rerun", args=[run.pk]),
        {"from_step": "step-3", "guidance": "Too long: mention Friday"},
    )
    rerun = PlaybookRun.objects.exclude(pk=run.pk).get()
    assert response["Location"] == reverse("playbooks:run_detail", args=[rerun.pk])
    rerun = execute_playbook_run(rerun.pk)
    assert rerun.status == "succeeded", rerun.error
    # Only the new caption is charged (simulated, at the tokens a real one is expected to use).
    assert rerun.total_cost_micros == caption_estimate("instagram").cost_micros
    (pending,) = get_approval_queue(org_a.pk).pending
    assert pending.content.pk != old_content and pending.content.playbook_run_id == rerun.pk
    video = run.step_results.get(step_id="step-2").result["media_id"]
    assert [view.asset.pk for view in pending.media] == [video]
    page = owner_a_client.get(reverse("playbooks:run_detail", args=[rerun.pk])).content.decode()
    assert (
        'data-testid="caption-guidance">Written with the guidance “Too long: mention Friday”'
        in (page)
    )
    assert "the template caption can't follow it" in page
