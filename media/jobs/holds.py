"""A job's budget hold: placed for the estimate, kept alive across tasks, closed once.

The hold is placed when the job is queued (or when an inline job starts), with a TTL covering
one task per clip plus queue waits. It is settled to what was recorded as charged, or released
when nothing was. A dead job's hold expires; the next delivery replaces it if it would expire
before that delivery's lease does.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.utils import timezone

from costs.budgets import place_budget_hold, release_budget_hold, settle_budget_hold
from costs.money import micros_to_decimal
from media.jobs.leases import Claim, fenced, lease_duration
from media.models import GenerationJob

logger = logging.getLogger(__name__)

# Queue waits between the tasks of a job, on top of one task per clip, in a hold's TTL.
HOLD_QUEUE_SLACK = timedelta(hours=1)


def hold_ttl(clips: int) -> timedelta:
    """Worst case one task per clip, plus queue waits."""
    return lease_duration() * max(clips, 1) + HOLD_QUEUE_SLACK


def ensure_hold(claim: Claim) -> None:
    """Keep the job's hold if it outlives this task; otherwise replace it (``BudgetExceeded``)."""
    job = claim.job
    remaining = max(job.clips_total - job.clips_done, 1)
    needed_until = timezone.now() + lease_duration()
    if job.hold_id and job.hold_expires_at and job.hold_expires_at >= needed_until:
        return
    if job.hold_id:
        with contextlib.suppress(LookupError):
            release_budget_hold(hold=job.hold_id)
    hold = place_budget_hold(
        tenant_id=job.tenant_id,
        estimated_cost=micros_to_decimal(job.estimate_micros),
        reason=f"{job.kind} {job.provider} {job.id}",
        ttl=hold_ttl(remaining),
    )
    fenced(claim, hold_id=hold.id, hold_expires_at=hold.expires_at)


def close_hold(job: GenerationJob, charged_micros: int) -> None:
    """Settle the job's hold to what was charged, or release it when nothing was."""
    if not job.hold_id:
        return
    try:
        if charged_micros > 0:
            settle_budget_hold(hold=job.hold_id, actual_cost=micros_to_decimal(charged_micros))
        else:
            release_budget_hold(hold=job.hold_id)
    except LookupError:
        logger.warning("Budget hold %s of job %s is gone", job.hold_id, job.id)
