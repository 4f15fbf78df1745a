"""One runner at a time: a job is claimed under a lease token, and its runner writes through it.

A runner claims the job with a conditional UPDATE that hands it a fresh token; every later write
to the job is fenced by that token (``fenced``), so a runner whose lease was taken over writes
nothing. The lease lasts ``Q_TIMEOUT`` + a minute: django-q2 kills a task at ``Q_TIMEOUT`` and
re-delivers it only after ``Q_RETRY`` (longer), so a re-delivery never runs beside a live one and
finds the dead delivery's lease expired.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from media.models import GenerationJob

LEASE_MARGIN = timedelta(seconds=60)


@dataclass
class Claim:
    """A runner's hold on a job: the job as this runner sees it and its lease token."""

    job: GenerationJob
    token: str
    started: float = field(default_factory=time.monotonic)
    last_progress_write: float = 0.0


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.Q_TIMEOUT) + LEASE_MARGIN


def job_claim(job_id: str) -> Claim | None:
    """Take the job if it is queued, or running under a lease that ran out (a dead worker).

    Every claim counts as an attempt (``attempts``): the number of the delivery running it."""
    now = timezone.now()
    token = secrets.token_hex(8)
    claimable = Q(status=GenerationJob.Status.QUEUED) | Q(
        status=GenerationJob.Status.RUNNING, lease_expires_at__lt=now
    )
    claimed = (
        GenerationJob.objects.filter(pk=job_id)
        .filter(claimable)
        .update(
            status=GenerationJob.Status.RUNNING,
            lease_token=token,
            lease_expires_at=now + lease_duration(),
            attempts=F("attempts") + 1,
            status_note="Starting",
            updated_at=now,
        )
    )
    if not claimed:
        return None
    job = GenerationJob.objects.get(pk=job_id)
    if job.started_at is None:
        job.started_at = now
        GenerationJob.objects.filter(pk=job_id).update(started_at=now)
    return Claim(job=job, token=token)


def fenced(claim: Claim, **values) -> bool:
    """Write to the job only while this runner still holds its lease."""
    values.setdefault("updated_at", timezone.now())
    updated = GenerationJob.objects.filter(pk=claim.job.pk, lease_token=claim.token).update(
        **values
    )
    for name, value in values.items():
        if not hasattr(value, "resolve_expression"):
            setattr(claim.job, name, value)
    return bool(updated)


def release_lease(claim: Claim, *, status: str, note: str, **values) -> bool:
    """Leave the job in ``status`` and give up the lease (fenced: False if it was taken over)."""
    return fenced(
        claim,
        status=status,
        status_note=note[:300],
        lease_token="",
        lease_expires_at=None,
        **values,
    )


def release_finished(claim: Claim, *, status: str, note: str, **values) -> bool:
    """Leave the job finished (done or failed for good): its lease given up, its hold (closed
    by the caller) forgotten and its finishing time set; fenced like ``release_lease``."""
    return release_lease(
        claim,
        status=status,
        note=note,
        hold_id="",
        hold_expires_at=None,
        finished_at=timezone.now(),
        **values,
    )
