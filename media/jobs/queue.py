"""Creating jobs and handing them to django-q2, and the schedules that keep the queue healthy."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bakedbot.validation import clean_whole_number, is_ascii_digits
from costs.budgets import Hold
from media.jobs import hooks
from media.models import GenerationJob
from media.validation import GenerationRequest

TASK = "media.tasks.run_generation_job"
RECOVERY_SCHEDULE = "media: recover stale generation jobs"
PURGE_SCHEDULE = "media: purge old provider calls"
# How long a paid call's result is kept for a retry to reuse: far longer than any job runs.
PROVIDER_CALLS_KEPT = timedelta(days=7)


def _user(user_id: str | None):
    # ``user_ref`` keeps any caller's id ("system", an API client's); only plain ASCII digits name
    # a user row (``²`` passes ``str.isdigit`` but not ``int``, and past 64 bits the lookup fails).
    if not (user_id and is_ascii_digits(user_id)):
        return None
    try:
        pk = clean_whole_number(user_id, minimum=1)
    except ValueError:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def job_create(
    request: GenerationRequest,
    *,
    inline: bool,
    job_id: str | None = None,
    hold: Hold | None = None,
) -> GenerationJob:
    """The job row for a checked request (``inline``: run by the caller, not a queue worker)."""
    values = {
        "tenant_id": request.tenant_id,
        "created_by": _user(request.user_id),
        "user_ref": request.user_id or "system",
        "kind": request.kind,
        "provider": request.provider,
        "model": request.model,
        "prompt": request.prompt,
        "composed_prompt": request.composed_prompt,
        "negative_prompt": request.negative_prompt,
        "preset_id": request.preset.id if request.preset else "",
        "preset_name": request.preset.name if request.preset else "",
        "params": request.params,
        "simulated": request.simulated,
        "use_cache": request.use_cache,
        "cache_key": request.cache_key,
        "estimate_micros": request.estimate.cost_micros,
        "playbook_run_id": request.playbook_run_id,
        "content_id": request.content_id,
        "inline": inline,
        "clips_total": len(request.clip_plan) or 1,
        "max_attempts": settings.MEDIA_JOB_MAX_ATTEMPTS,
        "hold_id": hold.id if hold else "",
        "hold_expires_at": hold.expires_at if hold else None,
    }
    if job_id:
        values["id"] = job_id
    return GenerationJob.objects.create(**values)


def job_enqueue(job_id: str, *, delay_seconds: float = 0) -> None:
    """Hand the job to django-q2 once the caller's transaction commits; later when delayed."""
    from django_q.models import Schedule
    from django_q.tasks import async_task, schedule

    if hooks.kept_delivery(job_id, delay_seconds):
        return

    def send() -> None:
        if delay_seconds <= 0:
            async_task(TASK, job_id, task_name=f"media job {job_id}")
            return
        schedule(
            TASK,
            job_id,
            name=f"media job {job_id} retry {secrets.token_hex(4)}",
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + timedelta(seconds=delay_seconds),
        )

    transaction.on_commit(send)


def ensure_media_schedules() -> None:
    """The django-q2 schedules of the generation service: re-queue jobs whose worker died every
    five minutes (``recover_stale_jobs``), and daily drop the providers' idempotency records
    (and their copies of the media) once no retry can need them."""
    from django_q.models import Schedule

    wanted = {
        RECOVERY_SCHEDULE: ("media.tasks.recover_stale_generation_jobs", Schedule.MINUTES, 5),
        PURGE_SCHEDULE: ("media.tasks.purge_provider_calls", Schedule.DAILY, None),
    }
    existing = set(Schedule.objects.filter(name__in=wanted).values_list("name", flat=True))
    for name, (func, schedule_type, minutes) in wanted.items():
        if name not in existing:
            Schedule.objects.create(
                name=name, func=func, schedule_type=schedule_type, minutes=minutes, repeats=-1
            )
