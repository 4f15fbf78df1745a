"""Running a claimed job: answer it from the cache, or hold, take a slot, produce, record, finish.

The order is the write path of a generation: the media is produced first (``produce``), then
exactly one event says what happened (``events``), then the job, its hold and its asset follow
(``finish``). A worker that dies between any two steps leaves the job to the next delivery, which
repeats production from the providers' stored results and finds an event already recorded under
its id instead of adding another.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from costs.budgets import BudgetExceeded
from media.errors import GenerationBusy, GenerationJobFailed
from media.jobs import hooks
from media.jobs.cache import cache_lookup, finish_cache_hit
from media.jobs.events import record_failure, record_success
from media.jobs.finish import fail, failed_attempt, finish_success
from media.jobs.holds import ensure_hold
from media.jobs.leases import Claim, job_claim, release_lease
from media.jobs.produce import HandOver, job_adapter, produce
from media.jobs.queue import job_enqueue
from media.jobs.results import GeneratedMedia, generated_media
from media.jobs.slots import provider_concurrency, slot_acquire, slot_release
from media.models import GenerationJob

logger = logging.getLogger(__name__)


def run_job(job_id: str) -> GeneratedMedia | None:
    """A queue worker's entry point: run the job if it can be claimed (else do nothing).

    Returns the media when the job finished now; None when there was nothing to do, the job went
    back to the queue (no free slot, handed over, retry later) or failed for good."""
    claim = job_claim(job_id)
    if claim is None:
        return None
    try:
        return _run_claimed(claim)
    except Exception:
        logger.exception("Generation job %s failed", job_id)
        return None


def run_inline(job: GenerationJob) -> GeneratedMedia:
    """Run the job in the caller (a playbook step): its result, or the reason it failed raised.

    A job that already finished (the same playbook step delivered again) answers from what it
    stored; one that failed in a way a retry can fix runs again."""
    claim = job_claim(job.pk)
    if claim is None:
        job.refresh_from_db()
        if job.status == GenerationJob.Status.DONE:
            return generated_media(job)
        if job.status == GenerationJob.Status.FAILED and job.retryable:
            # ``attempts`` keeps counting: each attempt's failure has its own event id.
            GenerationJob.objects.filter(pk=job.pk, status=job.status).update(
                status=GenerationJob.Status.QUEUED, error="", retryable=False
            )
            claim = job_claim(job.pk)
        if claim is None:
            if job.status == GenerationJob.Status.FAILED:
                raise GenerationJobFailed(job.error)
            raise GenerationBusy(f"Generation {job.pk} is being run by another worker")
    result = _run_claimed(claim, inline=True)
    assert result is not None
    return result


def _run_claimed(claim: Claim, *, inline: bool = False) -> GeneratedMedia | None:
    job = claim.job
    if job.use_cache:
        cached = cache_lookup(job.tenant_id, job.cache_key)
        if cached is not None:
            return finish_cache_hit(claim, cached)
    try:
        ensure_hold(claim)
    except BudgetExceeded as exc:
        # The budget may allow it later (a new day, a hold running out): retryable by hand.
        fail(claim, str(exc), retryable=True)
        if inline:
            raise
        return None
    try:
        adapter = job_adapter(job)
    except Exception as exc:
        # Nothing was asked of a provider: a failed attempt, but nothing to record.
        return _after_failure(claim, exc, inline=inline)
    if not slot_acquire(job.provider, job.id, wait_seconds=settings.MEDIA_SLOT_WAIT_SECONDS):
        note = (
            f"Waiting for one of {provider_concurrency(job.provider)} {job.provider} slots"
            " (all busy)"
        )
        if inline:
            fail(claim, note, retryable=True)
            raise GenerationBusy(note)
        _requeue(claim, note)
        return None
    started_at, began = timezone.now(), time.monotonic()
    try:
        produced = produce(claim, adapter, inline=inline)
    except HandOver as handover:
        _requeue(claim, f"Continuing in a new task from clip {handover.next_clip + 1}")
        return None
    except SystemExit:
        # django-q2's task timeout: leave the job to be resumed, then let the worker die.
        _requeue(claim, "Interrupted by the task timeout; resuming")
        raise
    except Exception as exc:
        return _failed_production(claim, exc, inline=inline, started_at=started_at, began=began)
    finally:
        slot_release(job.provider, job.id)
    event = None
    try:
        event = record_success(job, started_at=started_at, began=began)
        hooks.reach(hooks.RECORDED, job, event=event)
        return finish_success(claim, produced, event)
    except Exception as exc:
        # Recording or storing failed: a retry reuses the providers' results and finds the event
        # if it was recorded, so it is neither paid for nor charged again.
        return _after_failure(claim, exc, inline=inline, charged=event)


def _failed_production(
    claim: Claim, exc: Exception, *, inline: bool, started_at: datetime, began: float
) -> None:
    try:
        event = record_failure(claim.job, exc, started_at=started_at, began=began)
    except Exception:
        # The cost store refused even the $0 failure: the attempt still fails (or is retried).
        logger.exception("Could not record the failure of generation job %s", claim.job.pk)
        return _after_failure(claim, exc, inline=inline)
    hooks.reach(hooks.RECORDED, claim.job, event=event)
    return _after_failure(claim, exc, inline=inline, recorded=True)


def _after_failure(claim: Claim, exc: Exception, *, inline: bool, **outcome) -> None:
    failed_attempt(claim, exc, inline=inline, **outcome)
    if inline:
        raise exc


def _requeue(claim: Claim, note: str) -> None:
    if release_lease(claim, status=GenerationJob.Status.QUEUED, note=note):
        job_enqueue(claim.job.pk)
