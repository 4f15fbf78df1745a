"""Recovery of stale jobs (a django-q2 schedule every five minutes, ``ensure_media_schedules``).

A worker that dies leaves its job ``running`` under a lease that runs out, its slot's lease and
its hold expiring. Recovery puts such a job back on the queue, where the next delivery resumes
it: finished clips come back from the ``ProviderCall`` store, a Veo/Sora operation in progress is
polled again instead of started again, and a success already recorded is found, not added again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from media.jobs.finish import fail
from media.jobs.leases import job_claim
from media.jobs.queue import job_enqueue
from media.models import GenerationJob


def recover_stale_jobs(*, now: datetime | None = None) -> int:
    """Put jobs whose worker died back on the queue (or fail them once out of tries), and
    re-send queued jobs whose task was lost. Returns how many jobs it touched."""
    now = now or timezone.now()
    touched = 0
    dead = GenerationJob.objects.filter(
        status=GenerationJob.Status.RUNNING, inline=False, lease_expires_at__lt=now
    )
    for job in dead.only("pk", "lease_token", "retries", "max_attempts"):
        if job.retries + 1 < job.max_attempts:
            requeued = (
                GenerationJob.objects.filter(pk=job.pk, lease_token=job.lease_token)
                .filter(status=GenerationJob.Status.RUNNING, lease_expires_at__lt=now)
                .update(
                    status=GenerationJob.Status.QUEUED,
                    status_note="The worker running this job stopped; resuming",
                    lease_token="",
                    lease_expires_at=None,
                    retries=F("retries") + 1,
                    updated_at=now,
                )
            )
            if requeued:
                touched += 1
                job_enqueue(job.pk)
            continue
        claim = job_claim(job.pk)
        if claim is not None:
            touched += 1
            fail(claim, "The worker running this job stopped too many times", retryable=True)
    lost_before = now - timedelta(seconds=settings.Q_RETRY + settings.MEDIA_SLOT_WAIT_SECONDS)
    lost = GenerationJob.objects.filter(
        status=GenerationJob.Status.QUEUED, inline=False, updated_at__lt=lost_before
    )
    for job_id in lost.values_list("pk", flat=True):
        touched += 1
        job_enqueue(job_id)
    return touched
