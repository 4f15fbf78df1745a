"""The job queue in-process (the worker test runs a real django-q2 worker): statuses and
progress, provider slots, retries, handing a long video on to the next task, dead workers, and
recording every paid call exactly once across deliveries."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from costs.models import BudgetHold
from costs.selectors import get_recent_media_events
from media import jobs
from media.jobs import hooks
from media.models import GenerationJob, MediaAsset, ProviderCall, ProviderSlot
from media.providers import video_duration
from media.selectors import JobView
from media.services import (
    generate_image,
    purge_provider_calls,
    queue_image_generation,
    queue_video_generation,
    recover_stale_generation_jobs,
    retry_generation_job,
    run_generation_job,
)
from tests.media.providers.fakes import Reply, google_error
from tests.media.services.conftest import FLASH_PATH, holds, image_reply


class Died(BaseException):
    """A worker process stopping dead: nothing after it runs."""


def _queue_image(org, user, **overrides):
    values = {"provider": "gemini-flash", "prompt": "A queued cat", "aspect_ratio": "1:1"}
    values.update(overrides)
    return queue_image_generation(org.pk, str(user.pk), **values)


def _expire_lease(job):
    GenerationJob.objects.filter(pk=job.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.mark.django_db
def test_a_queued_image_runs_to_done(org_a, owner_a, enqueued):
    job = _queue_image(org_a, owner_a)
    assert (job.status, enqueued) == ("queued", [(job.pk, 0)])
    assert JobView(job).label == "Queued" and JobView(job).percent == 0

    assert run_generation_job(job.pk) == "done"

    job.refresh_from_db()
    assert (job.status, job.attempts, job.cost_micros) == ("done", 1, 20_000)
    assert JobView(job).percent == 100 and JobView(job).label == "Done"
    assert holds(org_a.pk)[0].status == BudgetHold.Status.SETTLED
    # A second delivery of the same task finds nothing to do and records nothing.
    assert run_generation_job(job.pk) == "done"
    assert len(get_recent_media_events(org_a.pk)) == 1


@pytest.mark.django_db
def test_a_video_job_reports_clip_k_of_n_while_it_runs(org_a, owner_a, enqueued):
    job = queue_video_generation(
        org_a.pk,
        None,
        provider="veo",
        prompt="Three clips",
        duration_seconds=20,
        aspect_ratio="9:16",
    )
    seen = []

    def look(running_job, *, index):
        current = GenerationJob.objects.get(pk=running_job.pk)
        seen.append((JobView(current).label, current.status_note))

    with hooks.at(hooks.BEFORE_CLIP, look):
        run_generation_job(job.pk)

    assert seen == [
        ("Running — clip 1 of 3", "Generating clip 1 of 3"),
        ("Running — clip 2 of 3", "Generating clip 2 of 3"),
        ("Running — clip 3 of 3", "Generating clip 3 of 3"),
    ]
    job.refresh_from_db()
    assert (job.status, job.clips_done, job.clips_total) == ("done", 3, 3)
    assert job.slowest_clip_ms > 0


@pytest.mark.django_db
def test_a_job_waits_for_a_free_provider_slot(settings, org_a, owner_a, enqueued):
    settings.MEDIA_PROVIDER_CONCURRENCY = {**settings.MEDIA_PROVIDER_CONCURRENCY, "gemini-flash": 1}
    ProviderSlot.objects.create(
        provider="gemini-flash",
        index=0,
        job_id="job_other",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )
    job = _queue_image(org_a, owner_a)

    assert run_generation_job(job.pk) == "queued"
    job.refresh_from_db()
    assert job.status_note == "Waiting for one of 1 gemini-flash slots (all busy)"
    assert enqueued == [(job.pk, 0), (job.pk, 0)]
    assert holds(org_a.pk)[0].status == BudgetHold.Status.ACTIVE

    # The other job's worker died: its slot's lease runs out and this job takes it.
    ProviderSlot.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert run_generation_job(job.pk) == "done"
    assert ProviderSlot.objects.get().job_id == ""


@pytest.mark.django_db(transaction=True)
def test_no_more_jobs_than_slots_call_a_provider_at_once(settings):
    settings.MEDIA_PROVIDER_CONCURRENCY = {**settings.MEDIA_PROVIDER_CONCURRENCY, "veo": 3}
    barrier = threading.Barrier(12)
    taken = []

    def take(number):
        try:
            barrier.wait()
            if jobs.slot_acquire("veo", f"job_{number}", wait_seconds=0):
                taken.append(number)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(taken) == 3
    assert sorted(ProviderSlot.objects.values_list("job_id", flat=True)) == sorted(
        f"job_{n}" for n in taken
    )


@pytest.mark.django_db
def test_a_retryable_failure_is_tried_again_later_and_charged_once(
    org_a, owner_a, enqueued, real_provider, png_bytes
):
    fake = real_provider("gemini-flash")
    unavailable = Reply(503, json=google_error(503, "UNAVAILABLE"))
    fake.on("POST", FLASH_PATH, unavailable, unavailable, unavailable, image_reply(png_bytes))
    job = _queue_image(org_a, owner_a)

    assert run_generation_job(job.pk) == "queued"
    job.refresh_from_db()
    assert (job.retries, job.failures) == (1, 1)
    assert job.status_note.startswith("Retrying in 30 s after: gemini-flash:")
    assert enqueued[-1] == (job.pk, 30)

    assert run_generation_job(job.pk) == "done"
    events = sorted(get_recent_media_events(org_a.pk), key=lambda e: e.id)
    assert [(e.id, e.success, e.cost_micros) for e in events] == [
        (f"{job.pk}:done", True, 20_000),
        (f"{job.pk}:failed:1", False, 0),
    ]
    assert [h.status for h in holds(org_a.pk)] == [BudgetHold.Status.SETTLED]


@pytest.mark.django_db
def test_out_of_tries_the_job_fails_retryably_and_releases_its_hold(
    settings, org_a, owner_a, enqueued, real_provider
):
    settings.MEDIA_JOB_MAX_ATTEMPTS = 2
    fake = real_provider("gemini-flash")
    fake.on("POST", FLASH_PATH, *[Reply(503, json=google_error(503, "UNAVAILABLE"))] * 6)
    job = _queue_image(org_a, owner_a)

    assert run_generation_job(job.pk) == "queued"
    assert run_generation_job(job.pk) == "failed"

    job.refresh_from_db()
    assert (job.status, job.retryable, job.failures) == ("failed", True, 2)
    assert holds(org_a.pk)[0].status == BudgetHold.Status.RELEASED
    assert JobView(job).retryable

    retried = retry_generation_job(org_a.pk, job.pk)
    assert (retried.status, retried.retries, retried.error) == ("queued", 0, "")
    assert [h.status for h in holds(org_a.pk)] == ["released", "active"]


@pytest.mark.django_db
def test_retry_refuses_a_job_that_has_not_failed_or_belongs_to_another_tenant(
    org_a, owner_a, org_b, enqueued
):
    job = _queue_image(org_a, owner_a)
    with pytest.raises(ValueError, match="Only a failed or stalled job"):
        retry_generation_job(org_a.pk, job.pk)
    with pytest.raises(GenerationJob.DoesNotExist):
        retry_generation_job(org_b.pk, job.pk)


@pytest.mark.django_db
def test_a_worker_that_died_after_paying_is_not_charged_twice(
    org_a, owner_a, enqueued, real_provider, png_bytes
):
    fake = real_provider("gemini-flash")
    fake.on("POST", FLASH_PATH, image_reply(png_bytes))
    job = _queue_image(org_a, owner_a)

    def die(running_job, *, event):
        raise Died

    # The success is recorded, then the worker dies before storing the file and settling.
    with hooks.at(hooks.RECORDED, die), pytest.raises(Died):
        run_generation_job(job.pk)
    job.refresh_from_db()
    assert job.status == "running"
    assert run_generation_job(job.pk) == "running"  # its lease still stands: nothing happens

    _expire_lease(job)
    assert run_generation_job(job.pk) == "done"

    assert len(fake.seen("POST", FLASH_PATH)) == 1
    assert ProviderCall.objects.get().status == "succeeded"
    assert [(e.success, e.cost_micros) for e in get_recent_media_events(org_a.pk)] == [
        (True, 20_000)
    ]
    assert [(h.status, h.actual_micros) for h in holds(org_a.pk)] == [("settled", 20_000)]
    assert MediaAsset.objects.filter(status="ready").count() == 1


@pytest.mark.django_db
def test_a_worker_that_died_after_recording_a_failure_keeps_it_apart_from_the_success(
    org_a, owner_a, enqueued, real_provider, png_bytes
):
    fake = real_provider("gemini-flash")
    unavailable = Reply(503, json=google_error(503, "UNAVAILABLE"))
    fake.on("POST", FLASH_PATH, unavailable, unavailable, unavailable, image_reply(png_bytes))
    job = _queue_image(org_a, owner_a)

    def die(running_job, *, event):
        raise Died

    # The failed attempt is recorded, then the worker dies before the job hears of it.
    with hooks.at(hooks.RECORDED, die), pytest.raises(Died):
        run_generation_job(job.pk)
    _expire_lease(job)

    assert run_generation_job(job.pk) == "done"
    events = sorted(get_recent_media_events(org_a.pk), key=lambda e: e.id)
    assert [(e.id, e.success, e.cost_micros) for e in events] == [
        (f"{job.pk}:done", True, 20_000),
        (f"{job.pk}:failed:1", False, 0),
    ]
    job.refresh_from_db()
    assert (job.event_id, job.cost_micros) == (f"{job.pk}:done", 20_000)


@pytest.mark.django_db
def test_media_that_could_not_be_stored_is_stored_by_the_retry_and_charged_once(
    media_root, org_a, owner_a, enqueued, real_provider, png_bytes
):
    fake = real_provider("gemini-flash")
    fake.on("POST", FLASH_PATH, image_reply(png_bytes))
    job = _queue_image(org_a, owner_a)
    media_root.mkdir(parents=True, exist_ok=True)
    blocked = media_root / "generated"
    blocked.write_bytes(b"")  # a file where the folder of generated media should be

    assert run_generation_job(job.pk) == "queued"
    job.refresh_from_db()
    assert job.status_note.startswith("Retrying in 30 s after:")
    [event] = get_recent_media_events(org_a.pk)
    assert (event.id, event.success, event.cost_micros) == (f"{job.pk}:done", True, 20_000)
    assert holds(org_a.pk)[0].status == BudgetHold.Status.ACTIVE

    blocked.unlink()
    assert run_generation_job(job.pk) == "done"
    assert len(fake.seen("POST", FLASH_PATH)) == 1
    assert [e.id for e in get_recent_media_events(org_a.pk)] == [f"{job.pk}:done"]
    assert [(h.status, h.actual_micros) for h in holds(org_a.pk)] == [("settled", 20_000)]
    job.refresh_from_db()
    assert (job.failures, job.cost_micros, job.asset.status) == (0, 20_000, "ready")


@pytest.mark.django_db
def test_a_long_video_is_handed_on_to_new_tasks_and_recorded_once(
    settings, org_a, owner_a, enqueued
):
    # A task so short that only one clip fits in it.
    settings.Q_TIMEOUT = jobs.HANDOVER_MARGIN_SECONDS + 1
    job = queue_video_generation(
        org_a.pk, None, provider="veo", prompt="Long", duration_seconds=22, aspect_ratio="16:9"
    )
    statuses = []
    for _ in range(5):
        statuses.append(run_generation_job(job.pk))
        if statuses[-1] == "done":
            break

    assert statuses == ["queued", "queued", "done"]
    job.refresh_from_db()
    assert (job.attempts, job.clips_done, job.retries, job.failures) == (3, 3, 0, 0)
    assert enqueued == [(job.pk, 0)] * 3
    [event] = get_recent_media_events(org_a.pk)
    assert (event.duration_seconds, event.cost_micros) == (22, 2_125_000)
    with job.asset.file.open("rb") as handle:
        assert video_duration(handle.read()) == pytest.approx(22, abs=0.1)


@pytest.mark.django_db
def test_the_task_timeout_leaves_the_job_to_resume_without_recording_a_failure(
    org_a, owner_a, enqueued
):
    job = queue_video_generation(
        org_a.pk, None, provider="veo", prompt="Cut", duration_seconds=12, aspect_ratio="16:9"
    )

    def timeout(running_job, *, index):
        raise SystemExit("Task exceeded maximum timeout value (3600 seconds)")

    with hooks.at(hooks.BEFORE_CLIP, timeout), pytest.raises(SystemExit):
        run_generation_job(job.pk)
    job.refresh_from_db()
    assert (job.status, job.status_note) == ("queued", "Interrupted by the task timeout; resuming")
    assert get_recent_media_events(org_a.pk) == []
    assert ProviderSlot.objects.filter(job_id=job.pk).count() == 0

    assert run_generation_job(job.pk) == "done"
    assert len(get_recent_media_events(org_a.pk)) == 1


@pytest.mark.django_db
def test_recovery_requeues_a_dead_workers_job_and_fails_it_when_out_of_tries(
    settings, org_a, owner_a, enqueued
):
    settings.MEDIA_JOB_MAX_ATTEMPTS = 2
    job = _queue_image(org_a, owner_a)
    assert jobs.job_claim(job.pk) is not None  # a worker took it, then died
    _expire_lease(job)

    assert recover_stale_generation_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.retries) == ("queued", 1)
    assert enqueued[-1] == (job.pk, 0)

    assert jobs.job_claim(job.pk) is not None
    _expire_lease(job)
    assert recover_stale_generation_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.retryable) == ("failed", True)
    assert job.error == "The worker running this job stopped too many times"
    assert holds(org_a.pk)[0].status == BudgetHold.Status.RELEASED


@pytest.mark.django_db
def test_recovery_resends_a_queued_job_whose_task_was_lost(settings, org_a, owner_a, enqueued):
    job = _queue_image(org_a, owner_a)
    assert recover_stale_generation_jobs() == 0
    GenerationJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timedelta(seconds=settings.Q_RETRY + 60)
    )
    assert recover_stale_generation_jobs() == 1
    assert enqueued == [(job.pk, 0), (job.pk, 0)]


@pytest.mark.django_db
def test_the_providers_idempotency_records_are_purged_after_a_week(
    org_a, owner_a, real_provider, png_bytes
):
    real_provider("gemini-flash").on("POST", FLASH_PATH, image_reply(png_bytes))
    result = generate_image(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="Kept", aspect_ratio="1:1"
    )
    call = ProviderCall.objects.get()
    assert purge_provider_calls() == 0
    ProviderCall.objects.filter(pk=call.pk).update(updated_at=timezone.now() - timedelta(days=8))

    assert purge_provider_calls() == 1
    assert not call.result.storage.exists(call.result.name)
    # The generated media is the service's own copy: it stays.
    asset = MediaAsset.objects.get(pk=result.id)
    assert asset.file.storage.exists(asset.file.name)


@pytest.mark.django_db
@pytest.mark.parametrize("user_ref", ["\u00b2", "\u2460", "\u0661\u0662", str(2**63), "-1", "1,2"])
def test_a_user_ref_that_names_no_user_row_is_kept_as_text(org_a, enqueued, user_ref):
    job = queue_image_generation(
        org_a.pk, user_ref, provider="gemini-flash", prompt="A cat", aspect_ratio="1:1"
    )
    job.refresh_from_db()
    assert (job.created_by, job.user_ref) == (None, user_ref)


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
