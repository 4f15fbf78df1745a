"""Creative content and its approval queue, and the playbooks' media steps running against the
real generation service."""

import pytest
from django.utils import timezone

from bakedbot.errors import InvalidInput
from media.models import CreativeContent
from media.selectors import get_approval_queue, get_playbook_run_content
from media.services import (
    CONTENT_PLATFORMS,
    approve_creative_content,
    generate_image,
    reject_creative_content,
    submit_content_for_approval,
)
from playbooks.executor import STEP_TYPES, PlaybookExecutionContext, StepRuntime, validate_step

pytestmark = pytest.mark.django_db


def _image(org, prompt="A jar"):
    return generate_image(org.pk, None, provider="gemini-flash", prompt=prompt, aspect_ratio="1:1")


def _submit(org, media_ids, **overrides):
    values = {
        "title": "Weekly deals",
        "caption": "20% off all flower #deals",
        "platform": "instagram",
        "media_ids": media_ids,
        "playbook_run_id": None,
        "submitted_by": None,
    }
    values.update(overrides)
    return submit_content_for_approval(tenant_id=org.pk, **values)


def test_content_goes_from_pending_to_approved(org_a, owner_a):
    image = _image(org_a)
    submitted = _submit(org_a, [image.id], submitted_by=str(owner_a.pk))
    content_id = submitted.id
    assert submitted.status == "pending"
    content = CreativeContent.objects.get(pk=content_id)
    assert (content.source, content.submitted_by, content.tenant_id) == ("user", owner_a, org_a.pk)
    assert [asset.pk for asset in content.media.all()] == [image.id]

    approved = approve_creative_content(
        tenant_id=org_a.pk, content_id=content_id, reviewed_by=owner_a
    )
    assert (approved.status, approved.reviewed_by, approved.review_comment) == (
        "approved",
        owner_a,
        "",
    )
    assert approved.reviewed_at <= timezone.now()
    with pytest.raises(InvalidInput) as again:
        reject_creative_content(
            tenant_id=org_a.pk, content_id=content_id, reviewed_by=owner_a, comment="Too late"
        )
    assert again.value.errors == {"status": "This content was already approved."}


def test_a_rejection_needs_a_comment(org_a, owner_a):
    content_id = _submit(org_a, [_image(org_a).id], playbook_run_id="run_9").id
    assert CreativeContent.objects.get(pk=content_id).source == "playbook"
    with pytest.raises(InvalidInput) as refused:
        reject_creative_content(
            tenant_id=org_a.pk, content_id=content_id, reviewed_by=owner_a, comment="  "
        )
    assert refused.value.field == "comment"
    assert CreativeContent.objects.get(pk=content_id).status == "pending"

    rejected = reject_creative_content(
        tenant_id=org_a.pk, content_id=content_id, reviewed_by=owner_a, comment="Add the 21+ line."
    )
    assert (rejected.status, rejected.review_comment) == ("rejected", "Add the 21+ line.")


def test_another_tenants_media_or_content_is_unknown(org_a, org_b, owner_a, super_admin):
    image_b = _image(org_b, "Beta jar")
    with pytest.raises(InvalidInput) as refused:
        _submit(org_a, [image_b.id])
    assert refused.value.errors == {"media_ids": f"Unknown or unfinished media: {image_b.id}."}

    content_id = _submit(org_b, [image_b.id]).id
    with pytest.raises(CreativeContent.DoesNotExist):
        approve_creative_content(tenant_id=org_a.pk, content_id=content_id, reviewed_by=owner_a)
    # A super admin looks across tenants.
    approved = approve_creative_content(
        tenant_id=None, content_id=content_id, reviewed_by=super_admin
    )
    assert approved.status == "approved"


def test_bad_submissions_name_their_fields_and_write_nothing(org_a):
    with pytest.raises(InvalidInput) as refused:
        _submit(org_a, [], title=" ", platform="x" * 41)
    assert set(refused.value.errors) == {"title", "platform", "media_ids"}
    assert CreativeContent.objects.count() == 0


def test_super_admins_see_every_tenants_pending_content(org_a, org_b):
    first = _submit(org_a, [_image(org_a).id]).id
    second = _submit(org_b, [_image(org_b).id]).id
    everyone = get_approval_queue(None)
    assert [view.content.pk for view in everyone.pending] == [first, second]
    assert [view.tenant_name for view in everyone.pending] == ["Alpha Brands", "Beta Dispensary"]
    assert [view.content.pk for view in get_approval_queue(org_a.pk).pending] == [first]


def test_the_playbook_media_steps_run_against_the_real_service(org_a):
    steps = [
        {"id": "step-1", "type": "generate_image", "params": {"tier": "free"}},
        {"id": "step-2", "type": "generate_video", "params": {"provider": "veo", "duration": "10"}},
        {"id": "step-3", "type": "submit_approval", "params": {"platform": "instagram"}},
    ]
    context = PlaybookExecutionContext(
        playbook_id="pb_1",
        run_id="run_1",
        tenant_id=org_a.pk,
        user_id=None,
        triggered_by="schedule",
        variables={},
        step_results={},
        start_time=timezone.now(),
    )
    runtime = StepRuntime(
        organisation=org_a,
        playbook_name="Weekly deals video",
        steps=[{"id": s["id"], "type": s["type"]} for s in steps],
        dry_run=False,
        now=timezone.now(),
    )
    outcomes = []
    for position, step in enumerate(steps):
        checked = validate_step(step, position)
        outcome = STEP_TYPES.get(checked["type"]).execute(checked["params"], context, runtime)
        context.step_results[step["id"]] = outcome.result
        outcomes.append(outcome)

    image, video, submitted = (outcome.result for outcome in outcomes)
    assert image["image_url"].startswith("/dashboard/creative/media/med_")
    assert image["tracking_event"]["cost_micros"] == outcomes[0].cost_micros == 39_000
    assert video["duration"] == 10 and video["thumbnail_url"].endswith("/thumbnail")
    assert outcomes[1].cost_micros == 4_000_000  # clip plan 6 + 4 s, 10 s x $0.40
    assert submitted["status"] == "pending"
    content = CreativeContent.objects.get(pk=submitted["content_id"])
    assert sorted(asset.pk for asset in content.media.all()) == sorted(
        [image["media_id"], video["media_id"]]
    )
    assert (content.source, content.playbook_run_id) == ("playbook", "run_1")

    # The same run's image step delivered again gets the same job and pays nothing more.
    checked = validate_step(steps[0], 0)
    again = STEP_TYPES.get(checked["type"]).execute(checked["params"], context, runtime)
    assert again.result["media_id"] == image["media_id"]
    assert again.result["tracking_event"]["id"] == image["tracking_event"]["id"]


def test_a_playbook_run_s_content_and_its_source_link(org_a, org_b, owner_a, monkeypatch):
    from media import content_links

    monkeypatch.setattr(content_links, "_source_links", {})
    first = _submit(org_a, [_image(org_a).id], playbook_run_id="run_7").id
    second = _submit(org_a, [_image(org_a, "Another").id], playbook_run_id="run_7").id
    _submit(org_a, [_image(org_a, "Mine").id])
    _submit(org_b, [_image(org_b).id], playbook_run_id="run_7")
    reject_creative_content(
        tenant_id=org_a.pk, content_id=first, reviewed_by=owner_a, comment="Too dark"
    )

    views = get_playbook_run_content(org_a.pk, "run_7")
    assert [(v.content.pk, v.content.status) for v in views] == [
        (second, "pending"),
        (first, "rejected"),
    ]
    assert views[1].content.review_comment == "Too dark"
    assert views[0].source_url is None  # nothing registered for playbooks here

    content_links.register_content_source_link(
        "playbook", lambda content: f"/runs/{content.playbook_run_id}"
    )
    assert get_playbook_run_content(org_a.pk, "run_7")[0].source_url == "/runs/run_7"
    (mine,) = [v for v in get_approval_queue(org_a.pk).pending if v.content.source == "user"]
    assert mine.source_url is None
    with pytest.raises(ValueError, match="Unknown content source 'robot'"):
        content_links.register_content_source_link("robot", lambda content: None)


def test_the_platform_is_one_the_creative_center_offers(org_a):
    image = _image(org_a)
    for platform in ("myspace", "", None, "INSTAGRAM"):
        with pytest.raises(InvalidInput) as refused:
            _submit(org_a, [image.id], platform=platform)
        assert refused.value.errors == {
            "platform": "Platform must be one of: instagram, facebook, twitter, tiktok."
        }
    assert CreativeContent.objects.count() == 0
    assert [key for key, _label in CONTENT_PLATFORMS] == [
        "instagram",
        "facebook",
        "twitter",
        "tiktok",
    ]


def test_a_submitter_id_that_is_not_ascii_digits_is_no_user(org_a):
    submitted = _submit(org_a, [_image(org_a).id], submitted_by="²")
    assert CreativeContent.objects.get(pk=submitted.id).submitted_by is None
