"""Real django-q2 worker processes (``manage.py qcluster``) on the test database run queued
generations to completion — and a worker killed in the middle of a Veo job leaves it to be
resumed by the next worker, which follows the same operation instead of paying for a new one."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.models import Task

from costs.models import BudgetHold
from costs.selectors import get_recent_media_events
from media.models import GenerationJob, ProviderCall, ProviderSlot
from media.providers import video_duration
from media.services import (
    queue_image_generation,
    queue_video_generation,
    recover_stale_generation_jobs,
)
from tests.media.providers.fakes import Reply
from tests.media.qcluster import Workers, wait_for
from tests.media.services.conftest import VEO_START

pytestmark = pytest.mark.django_db(transaction=True)

OPERATION = "models/veo-3.1-generate-preview/operations/op-worker"
DOWNLOAD = "/v1beta/files/worker:download?alt=media"


@pytest.fixture
def workers(media_root):
    pool = Workers(media_root=media_root)
    yield pool
    pool.stop_all()


def test_a_real_worker_runs_queued_generations_to_completion(org_a, owner_a, workers):
    workers.start()
    image = queue_image_generation(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="Worker cat", aspect_ratio="1:1"
    )
    video = queue_video_generation(
        org_a.pk,
        str(owner_a.pk),
        provider="veo",
        prompt="Worker drone shot",
        duration_seconds=12,
        aspect_ratio="16:9",
    )
    assert {h.status for h in BudgetHold.objects.all()} == {"active"}

    done = wait_for(
        lambda: (
            set(GenerationJob.objects.values_list("status", flat=True)) <= {"done", "failed"}
            and GenerationJob.objects.filter(status="done").count() == 2
        ),
        "both jobs to finish",
    )
    assert done
    image.refresh_from_db()
    video.refresh_from_db()
    assert (image.cost_micros, image.attempts) == (39_000, 1)
    assert (video.cost_micros, video.clips_done, video.clips_total) == (4_800_000, 2, 2)
    with video.asset.file.open("rb") as handle:
        assert video_duration(handle.read()) == pytest.approx(12, abs=0.1)
    assert sorted(e.cost_micros for e in get_recent_media_events(org_a.pk)) == [39_000, 4_800_000]
    assert sorted(BudgetHold.objects.values_list("status", "actual_micros")) == [
        ("settled", 39_000),
        ("settled", 4_800_000),
    ]
    assert Task.objects.filter(func="media.tasks.run_generation_job", success=True).count() == 2
    assert ProviderSlot.objects.exclude(job_id="").count() == 0


def test_a_worker_killed_mid_job_leaves_it_to_the_next_worker_without_paying_twice(
    settings, org_a, owner_a, workers, fake, clip_bytes
):
    finished = threading.Event()

    def poll(seen):
        if not finished.is_set():
            return Reply(json={"name": OPERATION, "done": False})
        return Reply(
            json={
                "name": OPERATION,
                "done": True,
                "response": {
                    "generateVideoResponse": {
                        "generatedSamples": [{"video": {"uri": fake.url + DOWNLOAD}}]
                    }
                },
            }
        )

    fake.on("POST", VEO_START, Reply(json={"name": OPERATION}))
    fake.on("GET", f"/v1beta/{OPERATION}", *[poll] * 500)
    fake.on("GET", DOWNLOAD, Reply(body=clip_bytes[8], content_type="video/mp4"))
    real_veo = {"GEMINI_API_KEY": "test-key", "GEMINI_BASE_URL": fake.url + "/v1beta"}
    # This process queues the job with the same configuration as the workers: a real call.
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "veo": {
            **settings.MEDIA_PROVIDERS["veo"],
            "api_key": "test-key",
            "base_url": fake.url + "/v1beta",
        },
    }
    first = workers.start(**real_veo)
    job = queue_video_generation(
        org_a.pk,
        str(owner_a.pk),
        provider="veo",
        prompt="A worker dies",
        duration_seconds=8,
        aspect_ratio="16:9",
    )
    wait_for(
        lambda: (
            ProviderCall.objects.filter(
                idempotency_key=f"{job.pk}:clip:0", status="submitted"
            ).exists()
            and len(fake.seen("GET", f"/v1beta/{OPERATION}")) >= 2
        ),
        "the worker to start the Veo operation and poll it",
    )
    workers.kill(first)

    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)
    assert BudgetHold.objects.get().status == "active"

    # Time passes: the dead worker's job and slot leases run out; the operation finishes; the
    # recovery schedule puts the job back on the queue for the next worker.
    expired = timezone.now() - timedelta(seconds=1)
    GenerationJob.objects.filter(pk=job.pk).update(lease_expires_at=expired)
    ProviderSlot.objects.filter(job_id=job.pk).update(lease_expires_at=expired)
    finished.set()
    assert recover_stale_generation_jobs() == 1
    workers.start(**real_veo)
    wait_for(
        lambda: GenerationJob.objects.filter(pk=job.pk, status="done").exists(),
        "the next worker to finish the job",
    )

    assert len(fake.seen("POST", VEO_START)) == 1
    job.refresh_from_db()
    assert (job.attempts, job.retries, job.failures, job.cost_micros) == (2, 1, 0, 3_200_000)
    [event] = get_recent_media_events(org_a.pk)
    assert (event.success, event.cost_micros, event.simulated) == (True, 3_200_000, False)
    holds = list(BudgetHold.objects.values_list("status", "actual_micros"))
    assert holds == [("settled", 3_200_000)]
    with job.asset.file.open("rb") as handle:
        assert video_duration(handle.read()) == pytest.approx(8, abs=0.1)
