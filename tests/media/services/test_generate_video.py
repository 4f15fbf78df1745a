"""generate_video: a video longer than one clip is made as the price book's clip plan, each clip
its own idempotent provider call, and joined into one MP4 of exactly the requested length."""

import pytest
from django.core.files.storage import default_storage

from costs.models import BudgetHold
from costs.selectors import get_recent_media_events
from media.models import GenerationJob, MediaAsset, ProviderCall
from media.providers import video_duration
from media.services import (
    generate_video,
    queue_video_generation,
    retry_generation_job,
    run_generation_job,
)
from tests.media.providers.fakes import Reply
from tests.media.services.conftest import VEO_START, holds, veo_second_clip_refused, veo_start

pytestmark = pytest.mark.django_db


def _file_bytes(asset: MediaAsset, *, thumbnail: bool = False) -> bytes:
    stored = asset.thumbnail if thumbnail else asset.file
    with default_storage.open(stored.name, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize(
    ("provider", "seconds", "plan", "cost_micros"),
    [
        ("veo", 13, [8, 6], 1_375_000),
        ("veo", 5, [6], 625_000),
        ("veo", 30, [8, 8, 8, 6], 2_875_000),
        ("sora", 20, [12, 8], 2_500_000),
    ],
)
def test_a_clip_plan_is_joined_into_one_video_of_the_right_length(
    settings, org_a, owner_a, provider, seconds, plan, cost_micros
):
    # Sora's model is retired at OpenAI; a gateway serving it is allowed by configuration.
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": ["sora-2"],
    }
    result = generate_video(
        org_a.pk,
        str(owner_a.pk),
        provider=provider,
        prompt="Drone shot over a greenhouse at dawn",
        duration_seconds=seconds,
        aspect_ratio="9:16",
    )

    asset = MediaAsset.objects.get(pk=result.id)
    assert asset.params["clip_plan"] == plan
    assert asset.mime_type == "video/mp4" and asset.duration_seconds == seconds
    assert video_duration(_file_bytes(asset)) == pytest.approx(seconds, abs=0.1)
    assert _file_bytes(asset, thumbnail=True).startswith(b"\x89PNG")
    assert result.duration_seconds == seconds and result.thumbnail_url
    event = result.tracking_event
    assert (event.type, event.duration_seconds, event.cost_micros) == (
        "video",
        seconds,
        cost_micros,
    )
    assert len(get_recent_media_events(org_a.pk)) == 1
    [hold] = holds(org_a.pk)
    assert (hold.status, hold.actual_micros) == (BudgetHold.Status.SETTLED, cost_micros)
    job = GenerationJob.objects.get(pk=result.job_id)
    assert (job.clips_total, job.clips_done, job.status) == (len(plan), len(plan), "done")


def test_each_clip_is_its_own_idempotent_call_to_veo(org_a, owner_a, real_provider, clip_bytes):
    fake = real_provider("veo")
    fake.on("POST", VEO_START, *[veo_start(fake, clip_bytes)] * 2)

    result = generate_video(
        org_a.pk,
        str(owner_a.pk),
        provider="veo",
        prompt="Sunrise over the farm",
        duration_seconds=13,
        aspect_ratio="16:9",
    )

    starts = fake.seen("POST", VEO_START)
    assert [s.json["parameters"]["durationSeconds"] for s in starts] == [8, 6]
    calls = ProviderCall.objects.order_by("idempotency_key")
    assert [c.idempotency_key for c in calls] == [
        f"{result.job_id}:clip:0",
        f"{result.job_id}:clip:1",
    ]
    assert {c.status for c in calls} == {"succeeded"}
    asset = MediaAsset.objects.get(pk=result.id)
    assert asset.simulated is False
    assert video_duration(_file_bytes(asset)) == pytest.approx(13, abs=0.1)
    assert result.cost_micros == 1_375_000


def test_a_failure_after_some_clips_charges_the_clips_made_and_settles_to_them(
    org_a, owner_a, real_provider, clip_bytes
):
    veo_second_clip_refused(real_provider("veo"), clip_bytes)

    with pytest.raises(Exception, match="no"):
        generate_video(
            org_a.pk,
            str(owner_a.pk),
            provider="veo",
            prompt="Two clips, the second refused",
            duration_seconds=14,
            aspect_ratio="16:9",
        )

    events = {e.id.split(":", 1)[1]: e for e in get_recent_media_events(org_a.pk)}
    assert set(events) == {"failed:1", "partial"}
    assert (events["failed:1"].success, events["failed:1"].cost_micros) == (False, 0)
    assert (events["partial"].cost_micros, events["partial"].duration_seconds) == (750_000, 8)
    [hold] = holds(org_a.pk)
    assert (hold.status, hold.actual_micros) == (BudgetHold.Status.SETTLED, 750_000)
    job = GenerationJob.objects.get()
    assert (job.status, job.clips_done, job.cost_micros) == ("failed", 1, 750_000)


def test_a_retried_video_reuses_its_clips_and_is_charged_once_whole(
    settings, org_a, owner_a, real_provider, clip_bytes, enqueued
):
    settings.MEDIA_JOB_MAX_ATTEMPTS = 1
    fake = real_provider("veo")
    outage = Reply(503, json={"error": {"code": 503, "message": "down", "status": "UNAVAILABLE"}})
    start = veo_start(fake, clip_bytes)
    # The first clip starts; the second clip's start meets an outage on each of its 3 attempts.
    fake.on("POST", VEO_START, start, outage, outage, outage, start)
    job = queue_video_generation(
        org_a.pk, None, provider="veo", prompt="Retry me", duration_seconds=14, aspect_ratio="9:16"
    )

    assert run_generation_job(job.pk) == "failed"
    job.refresh_from_db()
    assert (job.retryable, job.clips_done, job.cost_micros) == (True, 1, 0)
    assert holds(org_a.pk)[0].status == BudgetHold.Status.RELEASED

    retry_generation_job(org_a.pk, job.pk)
    assert run_generation_job(job.pk) == "done"

    assert [s.json["parameters"]["durationSeconds"] for s in fake.seen("POST", VEO_START)] == [
        8,
        6,
        6,
        6,
        6,
    ]
    events = sorted(get_recent_media_events(org_a.pk), key=lambda e: e.created_at)
    assert [(e.success, e.cost_micros) for e in events] == [(False, 0), (True, 1_375_000)]
    assert [h.status for h in holds(org_a.pk)] == ["released", "settled"]


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
