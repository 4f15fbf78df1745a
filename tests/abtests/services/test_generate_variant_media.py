"""A draft variant's image through the media job queue (``generate_variant_media`` queues,
a worker runs the job, ``attach_variant_media`` keeps the image and its tracked cost on the
variant); refusals (prompt, settings, budget, an image already on its way) queue nothing."""

import pytest

from abtests import services
from abtests.models import MediaABTestVariant
from abtests.selectors import ABTestNotFound, variant_media_jobs
from bakedbot.errors import InvalidInput
from costs.budgets import update_media_budget
from costs.selectors import get_recent_media_events
from media.services import run_generation_job
from tests.abtests.conftest import FLASH_PATH, image_reply, make_test, start, variant_ids
from tests.media.providers.fakes import Reply, google_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def _generate(test, variant_id, **overrides):
    options = {"user_id": None, "provider": "gemini-flash", "aspect_ratio": "1:1"} | overrides
    return services.generate_variant_media(
        tenant_id=test.tenant_id, test_id=test.pk, variant_id=variant_id, **options
    )


def _attach(test):
    return services.attach_variant_media(tenant_id=test.tenant_id, test_id=test.pk)


def _generate_and_run(test, variant_id, **overrides):
    queued = _generate(test, variant_id, **overrides)
    assert run_generation_job(queued.job_id) == "done"
    return queued


def test_it_queues_the_image_and_keeps_it_with_its_cost_once_made(draft_test):
    control, _ = variant_ids(draft_test)
    queued = _generate(draft_test, control)
    assert (queued.variant_id, queued.status) == (control, "queued")
    # Nothing is made in the caller: no event, no image until a worker runs the job.
    assert get_recent_media_events(draft_test.tenant_id) == []
    variant = MediaABTestVariant.objects.get(pk=control)
    assert (variant.media_ref, variant.media_job_id) == ("", queued.job_id)
    assert _attach(draft_test) == ()

    assert run_generation_job(queued.job_id) == "done"
    assert _attach(draft_test) == (control,)
    assert _attach(draft_test) == ()  # attached once
    variant = MediaABTestVariant.objects.get(pk=control)
    assert variant.media_ref.startswith("/dashboard/creative/media/")
    assert variant.media_job_id == ""
    events = get_recent_media_events(draft_test.tenant_id)
    assert [e.content_id for e in events] == [control]
    assert variant.media_cost_micros == events[0].cost_micros > 0
    # The prompt is the base prompt with the variant's own, styled by its preset.
    assert events[0].prompt.startswith("A jar of flower on a sunlit counter")


def test_it_adds_up_every_image_made_for_a_variant(draft_test):
    control, _ = variant_ids(draft_test)
    _generate_and_run(draft_test, control)
    _generate_and_run(draft_test, control, provider="gemini-pro")
    _attach(draft_test)
    events = get_recent_media_events(draft_test.tenant_id)
    assert len(events) == 2
    variant = MediaABTestVariant.objects.get(pk=control)
    assert variant.media_cost_micros == sum(e.cost_micros for e in events)


def test_a_duplicate_prompt_is_answered_from_the_cache_at_once(draft_test):
    control, _ = variant_ids(draft_test)
    _generate_and_run(draft_test, control)
    _attach(draft_test)
    first = MediaABTestVariant.objects.get(pk=control)
    again = _generate(draft_test, control)
    assert again.status == "done"
    variant = MediaABTestVariant.objects.get(pk=control)
    assert variant.media_ref.startswith("/dashboard/creative/media/")
    assert variant.media_cost_micros == first.media_cost_micros  # a cache hit costs $0


def test_it_waits_for_the_image_on_its_way(draft_test):
    control, _ = variant_ids(draft_test)
    queued = _generate(draft_test, control)
    with pytest.raises(InvalidInput) as refused:
        _generate(draft_test, control, provider="gemini-pro")
    assert refused.value.errors == {
        "generate": "An image for this variant is being made; wait for it."
    }
    assert MediaABTestVariant.objects.get(pk=control).media_job_id == queued.job_id


def test_it_needs_a_prompt(org_a):
    test = make_test(org_a, base_prompt="", variants=[{"name": "A", "preset_id": "builtin-modern"}])
    with pytest.raises(InvalidInput) as refused:
        _generate(test, variant_ids(test)[0])
    assert refused.value.errors == {
        "generate": "Write a base prompt or this variant's prompt first."
    }


def test_it_reports_bad_generation_settings_by_field(draft_test):
    with pytest.raises(InvalidInput) as refused:
        _generate(draft_test, variant_ids(draft_test)[0], aspect_ratio="7:3")
    assert "7:3 is not one of them" in refused.value.errors["aspect_ratio"]
    assert MediaABTestVariant.objects.filter(media_ref="").count() == 2
    assert not MediaABTestVariant.objects.exclude(media_job_id="").exists()


def test_it_is_refused_by_the_budget(draft_test):
    update_media_budget(draft_test.tenant_id, {"daily_limit": "0.01"})
    with pytest.raises(InvalidInput) as refused:
        _generate(draft_test, variant_ids(draft_test)[0])
    assert refused.value.errors["generate"].startswith(
        "The daily budget of $0.01 would be exceeded"
    )
    assert not MediaABTestVariant.objects.exclude(media_ref="").exists()
    assert not MediaABTestVariant.objects.exclude(media_job_id="").exists()


def test_it_generates_only_for_drafts(running_test):
    with pytest.raises(InvalidInput) as refused:
        _generate(running_test, variant_ids(running_test)[0])
    assert refused.value.errors == {"generate": "Media is generated while a test is a draft."}


def test_a_test_started_while_the_image_was_made_does_not_get_it(draft_test):
    control, _ = variant_ids(draft_test)
    queued = _generate(draft_test, control)
    start(draft_test)
    assert run_generation_job(queued.job_id) == "done"
    assert _attach(draft_test) == ()
    assert MediaABTestVariant.objects.get(pk=control).media_ref == ""


def test_starting_the_test_keeps_the_images_made_by_then(draft_test):
    control, _ = variant_ids(draft_test)
    _generate_and_run(draft_test, control)
    start(draft_test)
    assert MediaABTestVariant.objects.get(pk=control).media_ref.startswith(
        "/dashboard/creative/media/"
    )


def test_a_failed_image_keeps_its_reason_for_the_wizard(draft_test, gemini, png_bytes):
    gemini.on("POST", FLASH_PATH, Reply(400, json=google_error(400, "INVALID_ARGUMENT", "bad")))
    control, _ = variant_ids(draft_test)
    queued = _generate(draft_test, control)
    assert run_generation_job(queued.job_id) == "failed"
    assert _attach(draft_test) == ()
    job = variant_media_jobs(draft_test)[control]
    assert not job.active and job.media_url == "" and job.job.error
    # A new try replaces it.
    gemini.on("POST", FLASH_PATH, image_reply(png_bytes))
    _generate_and_run(draft_test, control)
    assert _attach(draft_test) == (control,)


def test_it_hides_another_tenants_variant(org_b, draft_test):
    with pytest.raises(ABTestNotFound):
        services.generate_variant_media(
            tenant_id=org_b.pk,
            test_id=draft_test.pk,
            variant_id=variant_ids(draft_test)[0],
            user_id=None,
            provider="gemini-flash",
            aspect_ratio="1:1",
        )
