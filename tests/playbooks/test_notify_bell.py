"""The ``notify`` step rings the header's bell (``bakedbot.notices``): one notice per person of
its audience (owners only for ``owners``), none for another organisation, none twice when the
step runs again. About content still waiting for approval it is the approval queue's own notice
(same key), which leaves every bell once the content is reviewed. E-mail goes as before."""

import pytest
from django.urls import reverse

from bakedbot.notices import get_bell
from media.services import generate_image as media_generate_image
from media.services import reject_creative_content
from playbooks.services import install_playbook_template, seed_playbook_templates
from tests.media.helpers import submit
from tests.playbooks.helpers import context_for, execute, make_shop, runtime_for, start_manual_run
from tests.playbooks.test_worker import WORKER_TEMPLATE

pytestmark = pytest.mark.django_db

STEPS = [
    {"id": "step-5", "type": "submit_approval"},
    {"id": "step-6", "type": "notify"},
]
NOTIFY = {"id": "step-6", "type": "notify", "params": {}}


def _note_template(audience: str) -> dict:
    """The worker test's deals note (no media), its notify step telling ``audience``."""
    *earlier, notify = WORKER_TEMPLATE["steps"]
    return {
        **WORKER_TEMPLATE,
        "id": f"deals-note-{audience}",
        "name": f"Deals note for {audience}",
        "schedule": "",
        "steps": [*earlier, {**notify, "params": {"audience": audience}}],
    }


@pytest.fixture
def note_playbook(org_a, run_now):
    """Run a deals note (no media) whose notify step tells ``audience``; the finished run."""

    def _run(audience: str):
        from playbooks.models import Playbook

        template = _note_template(audience)
        assert seed_playbook_templates(definitions=[template]).success
        make_shop(org_a)
        installed = install_playbook_template(template_id=template["id"], org_id=org_a.pk)
        playbook = Playbook.objects.get(pk=installed.playbook_id)
        return run_now(start_manual_run(playbook))

    return _run


def _bell(user) -> list[tuple[str, str, str]]:
    return [(n.kind, n.title, n.link) for n in get_bell(user=user).notices]


def test_a_run_rings_every_members_bell_once(note_playbook, owner_a, member_a, user_b, mailoutbox):
    run = note_playbook("everyone")
    assert run.status == "succeeded", run.error
    told = ("run", "Deals note for everyone finished", f"/dashboard/playbooks/runs/{run.pk}")
    assert _bell(owner_a) == [told]
    assert _bell(member_a) == [told]
    assert get_bell(user=member_a).unread == 1
    assert _bell(user_b) == []  # another organisation's person
    result = run.step_results.get(step_id="step-3").result
    assert (result["notified"], result["new_notices"], result["emailed"]) == (2, 2, 2)
    assert len(mailoutbox) == 2


def test_owners_only_when_the_audience_is_owners(note_playbook, owner_a, member_a, user_b):
    run = note_playbook("owners")
    assert run.status == "succeeded", run.error
    assert [title for _kind, title, _link in _bell(owner_a)] == ["Deals note for owners finished"]
    assert _bell(member_a) == [] and _bell(user_b) == []


def test_the_step_run_again_adds_no_second_notice(org_a, owner_a, member_a, mailoutbox):
    context = context_for(org_a, run_id="run_retried")
    runtime = runtime_for(org_a, STEPS)
    runtime.step_id = "step-6"
    first = execute(NOTIFY, context, runtime).result
    again = execute(NOTIFY, context, runtime).result  # the worker retried the step
    assert (first["new_notices"], again["new_notices"]) == (2, 0)
    assert again["notified"] == 2  # both still have it in their bell
    for user in (owner_a, member_a):
        assert len(get_bell(user=user).notices) == 1
    # Another run's notify step is news of its own.
    execute(NOTIFY, context_for(org_a, run_id="run_next"), runtime)
    assert len(get_bell(user=owner_a).notices) == 2


def test_a_custom_message_is_the_notices_body(org_a, owner_a):
    step = {"id": "s", "type": "notify", "params": {"channels": ["in_app"], "message": "Moved"}}
    result = execute(step, context_for(org_a), runtime_for(org_a)).result
    assert result["emailed"] == 0
    [notice] = get_bell(user=owner_a).notices
    assert notice.body == "Moved"
    assert notice.link == reverse("playbooks:run_detail", args=["run_test"])


@pytest.fixture
def pending_content(org_a):
    image = media_generate_image(
        org_a.pk, None, provider="gemini-flash", prompt="Deals", aspect_ratio="1:1"
    )
    return submit(org_a, image, title="Weekly", playbook_run_id="run_test")


def _submitted(content_id: str) -> dict:
    return {
        "step-5": {
            "content_id": content_id,
            "title": "Weekly",
            "platform": "instagram",
            "status": "pending",
        }
    }


def test_content_awaiting_approval_is_one_notice_that_goes_when_reviewed(
    org_a, owner_a, member_a, user_b, pending_content, mailoutbox
):
    # The approval queue has told the owner already.
    assert [n.kind for n in get_bell(user=owner_a).notices] == ["approval"]
    context = context_for(org_a, step_results=_submitted(pending_content))
    result = execute(NOTIFY, context, runtime_for(org_a, STEPS)).result
    assert result["title"] == "Test playbook: content awaiting your approval"
    assert (result["notified"], result["new_notices"], result["emailed"]) == (2, 1, 2)
    for user in (owner_a, member_a):
        [notice] = get_bell(user=user).notices
        assert (notice.kind, notice.link) == ("approval", "/dashboard/creative#approvals")
    assert get_bell(user=user_b).notices == ()
    assert "/dashboard/creative#approvals" in mailoutbox[0].body

    reject_creative_content(
        tenant_id=org_a.pk, content_id=pending_content, reviewed_by=owner_a, comment="Too dark"
    )
    assert get_bell(user=owner_a).notices == get_bell(user=member_a).notices == ()


def test_reviewed_content_is_not_announced_again(org_a, owner_a, member_a, pending_content):
    reject_creative_content(
        tenant_id=org_a.pk, content_id=pending_content, reviewed_by=owner_a, comment="Too dark"
    )
    # A re-run from the notify step reuses the submission, which was rejected since.
    context = context_for(org_a, step_results=_submitted(pending_content), run_id="run_rerun")
    result = execute(NOTIFY, context, runtime_for(org_a, STEPS)).result
    assert result["title"] == "Test playbook finished"
    for user in (owner_a, member_a):
        assert [n.kind for n in get_bell(user=user).notices] == ["run"]
