"""Running a generation job: claim it, answer it from the duplicate-prompt cache or hold its
budget, take a provider slot, call the provider through the cost-tracking wrapper, store the
media, settle the hold.

Who runs a job: a django-q2 worker (``media.tasks.run_generation_job``) for the Creative Center's
queue, or the caller itself (``inline``: a playbook step). Either way the rules are the same:

- **One runner at a time.** A runner claims the job with a lease token (a conditional UPDATE);
  its writes are fenced by that token. The lease lasts ``Q_TIMEOUT`` + a minute: django-q2 kills
  a task at ``Q_TIMEOUT`` and re-delivers it only after ``Q_RETRY`` (longer), so a re-delivery
  finds the lease of the dead delivery expired and takes over.
- **Nothing paid or charged twice.** Every paid call has an idempotency key (``{job}:image``,
  ``{job}:clip:{k}``) in the providers' ``ProviderCall`` store, so a second delivery reuses the
  first one's result or resumes its operation. The cost event id is ``{job}:{failures}``: it
  moves on only after a failure was recorded under it, so a success recorded by a worker that
  died before it could finish is found again (and not added again) by the next delivery.
- **Long videos span tasks.** Before each clip after the first of a task the runner checks that
  the clip's worst case still fits in the task's ``Q_TIMEOUT``; if not it hands the job on to a
  new task (``HandOver``), which reuses the clips already made.
- **Holds.** Placed when the job is queued (or when an inline job starts) for the estimate,
  with a TTL covering every clip; settled to the recorded cost after the event is recorded;
  released (or settled to what the clips made before a failure cost) on failure. A dead job's
  hold expires; the next delivery replaces it if it would expire too soon.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import mimetypes
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from costs.budgets import (
    BudgetExceeded,
    Hold,
    place_budget_hold,
    release_budget_hold,
    settle_budget_hold,
)
from costs.domain import MediaGenerationEvent
from costs.money import micros_to_decimal
from costs.pricing import IMAGE, VIDEO, estimate_media_cost
from costs.services import track_media_generation, with_image_tracking, with_video_tracking
from media.errors import GenerationBusy, GenerationJobFailed
from media.models import GenerationJob, MediaAsset, ProviderSlot
from media.providers import (
    ImageProvider,
    MediaToolError,
    ProviderError,
    VideoProvider,
    image_provider,
    join_clips,
    provider_config,
    video_duration,
    video_provider,
)
from media.providers.video_tools import crop_to_square, extract_thumbnail, trim_video, video_size
from media.validation import SQUARE_VIDEO_FRAMING, GenerationRequest, provider_prompt
from presets.domain import PresetNotFound
from presets.services import track_preset_usage

logger = logging.getLogger(__name__)

TASK = "media.tasks.run_generation_job"
LEASE_MARGIN = timedelta(seconds=60)
# Room left in a task after its last clip for joining, trimming and storing the video.
HANDOVER_MARGIN_SECONDS = 120
# A simulated clip is rendered locally: its worst case is a multiple of what one took.
SIMULATED_CLIP_FLOOR_SECONDS = 5.0
# Queue waits between the tasks of a job, on top of one task per clip, in a hold's TTL.
HOLD_QUEUE_SLACK = timedelta(hours=1)
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 900
PROGRESS_WRITE_INTERVAL = 1.0
ERROR_MAX_CHARS = 1000


class HandOver(BaseException):
    """The task's time is nearly up: continue the job in a new task.

    A ``BaseException`` (like django-q2's own task timeout) on purpose: the cost-tracking
    wrapper records ``Exception``s as failed generations, and handing over is not a failure.
    """

    def __init__(self, next_clip: int) -> None:
        super().__init__(next_clip)
        self.next_clip = next_clip


@dataclass(frozen=True)
class GeneratedMedia:
    """What ``generate_image`` / ``generate_video`` return (the playbooks read these names)."""

    id: str  # the MediaAsset id
    job_id: str
    kind: str
    provider: str
    model: str
    media_url: str
    download_url: str
    thumbnail_url: str | None
    duration_seconds: int | None
    cost_micros: int
    saved_micros: int
    cache_hit: bool
    simulated: bool
    tracking_event: MediaGenerationEvent

    @property
    def media_id(self) -> str:
        return self.id

    @property
    def cost(self) -> Decimal:
        return micros_to_decimal(self.cost_micros)


@dataclass(frozen=True)
class Produced:
    """What the provider calls made, before it is stored."""

    data: bytes
    mime_type: str
    thumbnail: bytes = b""
    thumbnail_mime_type: str = ""
    duration_seconds: int | None = None
    request_ids: tuple[str, ...] = ()


@dataclass
class Claim:
    job: GenerationJob
    token: str
    started: float = field(default_factory=time.monotonic)
    last_progress_write: float = 0.0


# --- settings-derived figures ------------------------------------------------------------------


def clip_worst_case_seconds(options: dict | None = None) -> float:
    """The longest one real video clip may take: a create and a download each with every retry
    and the longest allowed wait between attempts, plus the whole poll timeout."""
    o = options or settings.MEDIA_PROVIDER_OPTIONS
    request = o["connect_timeout"] + o["read_timeout"]
    waits = max(o["backoff_cap_seconds"], o["max_retry_after_seconds"])
    call = o["max_attempts"] * request + (o["max_attempts"] - 1) * waits
    return 2 * call + o["poll_timeout_seconds"]


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.Q_TIMEOUT) + LEASE_MARGIN


def hold_ttl(clips: int) -> timedelta:
    """Worst case one task per clip, plus queue waits."""
    return lease_duration() * max(clips, 1) + HOLD_QUEUE_SLACK


def provider_concurrency(provider: str) -> int:
    return int(settings.MEDIA_PROVIDER_CONCURRENCY.get(provider, 1))


# --- creating and queueing ---------------------------------------------------------------------


def _user(user_id: str | None):
    if user_id and user_id.isdigit():
        return get_user_model().objects.filter(pk=int(user_id)).first()
    return None


def job_create(
    request: GenerationRequest,
    *,
    inline: bool,
    job_id: str | None = None,
    hold: Hold | None = None,
) -> GenerationJob:
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


RECOVERY_SCHEDULE = "media: recover stale generation jobs"
PURGE_SCHEDULE = "media: purge old provider calls"
# How long a paid call's result is kept for a retry to reuse: far longer than any job runs.
PROVIDER_CALLS_KEPT = timedelta(days=7)


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


# --- the duplicate-prompt cache ----------------------------------------------------------------


def cache_lookup(tenant_id: str, key: str, *, now: datetime | None = None) -> MediaAsset | None:
    """The newest ready asset of this tenant with this cache key, younger than the TTL."""
    ttl = settings.MEDIA_CACHE_TTL_SECONDS
    if ttl <= 0:
        return None
    now = now or timezone.now()
    candidates = MediaAsset.objects.filter(
        tenant_id=tenant_id,
        cache_key=key,
        status=MediaAsset.Status.READY,
        created_at__gte=now - timedelta(seconds=ttl),
    ).exclude(file="")
    for asset in candidates.order_by("-created_at")[:3]:
        if asset.file.storage.exists(asset.file.name):
            return asset
    return None


# --- claiming ----------------------------------------------------------------------------------


def job_claim(job_id: str) -> Claim | None:
    """Take the job if it is queued, or running under a lease that ran out (a dead worker)."""
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


def _fenced(claim: Claim, **values) -> bool:
    """Write to the job only while this runner still holds its lease."""
    values.setdefault("updated_at", timezone.now())
    updated = GenerationJob.objects.filter(pk=claim.job.pk, lease_token=claim.token).update(
        **values
    )
    for name, value in values.items():
        if not hasattr(value, "resolve_expression"):
            setattr(claim.job, name, value)
    return bool(updated)


def _release_lease(claim: Claim, *, status: str, note: str, **values) -> bool:
    return _fenced(
        claim,
        status=status,
        status_note=note[:300],
        lease_token="",
        lease_expires_at=None,
        **values,
    )


# --- provider slots ----------------------------------------------------------------------------


def slot_acquire(provider: str, job_id: str, *, wait_seconds: float) -> bool:
    """Take one of the provider's concurrency slots for the job, waiting up to ``wait_seconds``.

    Each slot is a row claimed by a conditional UPDATE (free, its lease run out, or already
    this job's), which is atomic on SQLite and PostgreSQL alike."""
    deadline = time.monotonic() + wait_seconds
    while True:
        now = timezone.now()
        expires = now + lease_duration()
        mine = ProviderSlot.objects.filter(provider=provider, job_id=job_id)
        if mine.update(lease_expires_at=expires):
            return True
        for index in range(provider_concurrency(provider)):
            ProviderSlot.objects.get_or_create(provider=provider, index=index)
            free = Q(job_id="") | Q(lease_expires_at__lt=now)
            taken = (
                ProviderSlot.objects.filter(provider=provider, index=index)
                .filter(free)
                .update(job_id=job_id, lease_expires_at=expires)
            )
            if taken:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(0.5, max(deadline - time.monotonic(), 0.05)))


def slot_release(provider: str, job_id: str) -> None:
    ProviderSlot.objects.filter(provider=provider, job_id=job_id).update(
        job_id="", lease_expires_at=None
    )


# --- holds -------------------------------------------------------------------------------------


def _ensure_hold(claim: Claim) -> None:
    """Keep the job's hold if it outlives this task; otherwise replace it (BudgetExceeded)."""
    job = claim.job
    remaining = max(job.clips_total - job.clips_done, 1)
    needed_until = timezone.now() + lease_duration()
    if job.hold_id and job.hold_expires_at and job.hold_expires_at >= needed_until:
        return
    if job.hold_id:
        with contextlib.suppress(LookupError):
            release_budget_hold(job.hold_id)
    hold = place_budget_hold(
        job.tenant_id,
        micros_to_decimal(job.estimate_micros),
        reason=f"{job.kind} {job.provider} {job.id}",
        ttl=hold_ttl(remaining),
    )
    _fenced(claim, hold_id=hold.id, hold_expires_at=hold.expires_at)


def _close_hold(job: GenerationJob, charged_micros: int) -> None:
    if not job.hold_id:
        return
    try:
        if charged_micros > 0:
            settle_budget_hold(job.hold_id, micros_to_decimal(charged_micros))
        else:
            release_budget_hold(job.hold_id)
    except LookupError:
        logger.warning("Budget hold %s of job %s is gone", job.hold_id, job.id)


# --- running -----------------------------------------------------------------------------------


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
            GenerationJob.objects.filter(pk=job.pk, status=job.status).update(
                status=GenerationJob.Status.QUEUED, attempts=0, error="", retryable=False
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
            return _finish_cache_hit(claim, cached)
    try:
        _ensure_hold(claim)
    except BudgetExceeded as exc:
        # The budget may allow it later (a new day, a hold running out): retryable by hand.
        _fail(claim, str(exc), retryable=True)
        if inline:
            raise
        return None
    if not slot_acquire(job.provider, job.id, wait_seconds=settings.MEDIA_SLOT_WAIT_SECONDS):
        note = (
            f"Waiting for one of {provider_concurrency(job.provider)} {job.provider} slots"
            " (all busy)"
        )
        if inline:
            _fail(claim, note, retryable=True)
            raise GenerationBusy(note)
        _requeue(claim, note)
        return None
    try:
        tracked = _tracked_generation(claim, inline=inline)
    except HandOver as handover:
        _requeue(claim, f"Continuing in a new task from clip {handover.next_clip + 1}")
        return None
    except SystemExit:
        # django-q2's task timeout: leave the job to be resumed, then let the worker die.
        _requeue(claim, "Interrupted by the task timeout; resuming")
        raise
    except Exception as exc:
        _failed_attempt(claim, exc, recorded=True, inline=inline)
        if inline:
            raise
        return None
    finally:
        slot_release(job.provider, job.id)
    try:
        return _finish_success(claim, tracked.result, tracked.tracking_event)
    except Exception as exc:
        # Storing failed after the event was recorded: a retry reuses the provider's result and
        # finds the same event, so it is neither paid nor charged again.
        _failed_attempt(claim, exc, recorded=False, inline=inline, event=tracked.tracking_event)
        if inline:
            raise
        return None


def _requeue(claim: Claim, note: str, *, delay_seconds: float = 0) -> None:
    if _release_lease(claim, status=GenerationJob.Status.QUEUED, note=note):
        job_enqueue(claim.job.pk, delay_seconds=delay_seconds)


def _event_params(job: GenerationJob) -> dict:
    return {**job.params, "job_id": job.id}


def _tracked_generation(claim: Claim, *, inline: bool):
    job = claim.job
    config = provider_config(job.provider)
    if job.simulated:
        config = dataclasses.replace(config, api_key="")
    elif config.simulated:
        raise ProviderError(
            f"{job.provider} was queued for a real call but has no API key any more",
            provider=job.provider,
        )
    common = {
        "content_id": job.content_id or None,
        "playbook_run_id": job.playbook_run_id or None,
        "model": job.model,
        "params": _event_params(job),
        "event_id": f"{job.id}:{job.failures}",
        "simulated": job.simulated,
    }
    if job.kind == IMAGE:
        adapter = image_provider(job.provider, config=config)
        return with_image_tracking(
            job.tenant_id,
            job.user_ref,
            job.provider,
            job.composed_prompt,
            lambda: _produce_image(claim, adapter),
            **common,
        )
    adapter = video_provider(job.provider, config=config)
    return with_video_tracking(
        job.tenant_id,
        job.user_ref,
        job.provider,
        job.composed_prompt,
        job.params["duration_seconds"],
        lambda: _produce_video(claim, adapter, inline=inline),
        **common,
    )


def _produce_image(claim: Claim, adapter: ImageProvider) -> Produced:
    job = claim.job
    prompt, _negative = provider_prompt(job.provider, job.composed_prompt, job.negative_prompt)
    _fenced(claim, status_note="Generating the image")
    result = adapter.generate_image(
        prompt=prompt,
        aspect_ratio=job.params["aspect_ratio"],
        idempotency_key=f"{job.id}:image",
        image_size=job.params.get("image_size"),
        palette=tuple(job.params.get("palette") or ()),
    )
    return Produced(
        data=result.data,
        mime_type=result.mime_type,
        request_ids=(result.provider_request_id or "",),
    )


def _clip_budget_seconds(job: GenerationJob, slowest_in_task: float) -> float:
    if job.simulated:
        return max(slowest_in_task * 2, SIMULATED_CLIP_FLOOR_SECONDS)
    return clip_worst_case_seconds()


def _produce_video(claim: Claim, adapter: VideoProvider, *, inline: bool) -> Produced:
    job = claim.job
    plan = [int(seconds) for seconds in job.params["clip_plan"]]
    duration = int(job.params["duration_seconds"])
    prompt, negative = provider_prompt(job.provider, job.composed_prompt, job.negative_prompt)
    crop = job.params.get("crop") == "centre square"
    if crop:
        prompt = f"{prompt}\n\n{SQUARE_VIDEO_FRAMING}"
    aspect_ratio = job.params.get("provider_aspect_ratio") or job.params["aspect_ratio"]
    first_new = job.clips_done
    slowest_in_task = 0.0
    clips = []
    for index, seconds in enumerate(plan):
        if not inline and index > first_new:
            elapsed = time.monotonic() - claim.started
            budget = settings.Q_TIMEOUT - HANDOVER_MARGIN_SECONDS
            if elapsed + _clip_budget_seconds(job, slowest_in_task) > budget:
                raise HandOver(index)
        if index >= first_new:
            _fenced(
                claim,
                status_note=f"Generating clip {index + 1} of {len(plan)}",
                clip_percent=0,
            )
        began = time.monotonic()
        result = adapter.generate_video(
            prompt=prompt,
            duration_seconds=seconds,
            aspect_ratio=aspect_ratio,
            idempotency_key=f"{job.id}:clip:{index}",
            resolution=job.params.get("resolution"),
            negative_prompt=negative,
            palette=tuple(job.params.get("palette") or ()),
            on_progress=(lambda percent: _progress(claim, percent)) if index >= first_new else None,
        )
        clips.append(result)
        took = time.monotonic() - began
        if index >= first_new:
            slowest_in_task = max(slowest_in_task, took)
            slowest_ms = max(job.slowest_clip_ms or 0, int(took * 1000))
            _fenced(claim, clips_done=index + 1, clip_percent=None, slowest_clip_ms=slowest_ms)
    _fenced(claim, status_note=f"Joining {len(plan)} clips" if len(plan) > 1 else "Finishing")
    data = join_clips([clip.data for clip in clips])
    if sum(plan) > duration:
        data = trim_video(data, duration)
    thumbnail, thumbnail_mime_type = clips[0].thumbnail, clips[0].thumbnail_mime_type
    if crop:
        _fenced(claim, status_note="Cropping to a square")
        data = crop_to_square(data)
        width, height = video_size(data)
        if width != height:
            raise MediaToolError(f"the cropped video is {width}x{height}, not square")
        # The provider's still shows the uncropped frame.
        thumbnail, thumbnail_mime_type = extract_thumbnail(data), "image/png"
    measured = round(video_duration(data))
    if measured != duration:
        raise MediaToolError(f"the joined video lasts {measured} s, not {duration} s")
    return Produced(
        data=data,
        mime_type="video/mp4",
        thumbnail=thumbnail,
        thumbnail_mime_type=thumbnail_mime_type,
        duration_seconds=measured,
        request_ids=tuple(clip.provider_request_id or "" for clip in clips),
    )


def _progress(claim: Claim, percent: int | None) -> None:
    now = time.monotonic()
    if percent != 100 and now - claim.last_progress_write < PROGRESS_WRITE_INTERVAL:
        return
    claim.last_progress_write = now
    if percent is not None:
        _fenced(claim, clip_percent=max(0, min(int(percent), 100)))


# --- finishing ---------------------------------------------------------------------------------


def _suffix(mime_type: str) -> str:
    return {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}.get(
        mime_type, mimetypes.guess_extension(mime_type) or ".bin"
    )


def _asset_for(job: GenerationJob) -> MediaAsset:
    """The job's asset row (a failed one from an earlier attempt), or a new one."""
    asset = job.asset if job.asset_id and job.asset.tenant_id == job.tenant_id else None
    if asset is not None and not asset.jobs.exclude(pk=job.pk).exists():
        return asset
    return MediaAsset(tenant_id=job.tenant_id, created_at=timezone.now())


def _describe(asset: MediaAsset, job: GenerationJob) -> None:
    """Copy what the job asked for onto its asset (the asset keeps its own creation time)."""
    for name in GenerationJob.request_field_names():
        if name != "created_at":
            setattr(asset, name, getattr(job, name))


def _finish_success(
    claim: Claim, produced: Produced, event: MediaGenerationEvent
) -> GeneratedMedia | None:
    job = claim.job
    if not event.success:
        # A failure was recorded under this id by a worker that died before moving the id on.
        job.failures += 1
        _fenced(claim, failures=job.failures)
        event = track_media_generation(
            dataclasses.replace(
                event,
                id=f"{job.id}:{job.failures}",
                success=True,
                error="",
                cost_micros=None,
                price_version="",
                created_at=timezone.now(),
            )
        )
    asset = _asset_for(job)
    _describe(asset, job)
    asset.status = MediaAsset.Status.READY
    asset.error = ""
    asset.mime_type = produced.mime_type
    asset.thumbnail_mime_type = produced.thumbnail_mime_type
    asset.size_bytes = len(produced.data)
    asset.duration_seconds = produced.duration_seconds
    asset.cost_micros = event.cost_micros or 0
    asset.event_id = event.id
    asset.generation_ms = event.generation_ms
    asset.file.save(f"{asset.id}{_suffix(produced.mime_type)}", ContentFile(produced.data), False)
    if produced.thumbnail:
        asset.thumbnail.save(
            f"{asset.id}-thumb{_suffix(produced.thumbnail_mime_type)}",
            ContentFile(produced.thumbnail),
            save=False,
        )
    _close_hold(job, event.cost_micros or 0)
    with transaction.atomic():
        asset.save()
        finished = _release_lease(
            claim,
            status=GenerationJob.Status.DONE,
            note="Done",
            asset=asset,
            event_id=event.id,
            cost_micros=event.cost_micros or 0,
            clips_done=job.clips_total,
            clip_percent=None,
            error="",
            retryable=False,
            hold_id="",
            hold_expires_at=None,
            finished_at=timezone.now(),
        )
        if not finished:
            transaction.set_rollback(True)
    if not finished:
        # Another runner took the job over meanwhile; it stores its own copy.
        for stored in (asset.file, asset.thumbnail):
            if stored:
                stored.storage.delete(stored.name)
        return None
    if job.preset_id:
        with contextlib.suppress(PresetNotFound):  # deleted since the job was queued
            track_preset_usage(job.tenant_id, job.preset_id)
    return _generated(job, asset, event)


def job_answer_from_cache(job: GenerationJob, asset: MediaAsset) -> GeneratedMedia | None:
    """Finish a job that was just created from ``asset`` (a cache hit found when queueing)."""
    claim = job_claim(job.pk)
    return _finish_cache_hit(claim, asset) if claim is not None else None


def _finish_cache_hit(claim: Claim, asset: MediaAsset) -> GeneratedMedia | None:
    job = claim.job
    event = track_media_generation(
        MediaGenerationEvent(
            id=f"{job.id}:cache",
            tenant_id=job.tenant_id,
            user_id=job.user_ref,
            type=job.kind,
            provider=job.provider,
            model=job.model,
            prompt=job.composed_prompt,
            params={**_event_params(job), "cached_from": asset.id},
            duration_seconds=job.params.get("duration_seconds"),
            cost_micros=0,
            success=True,
            cache_hit=True,
            simulated=asset.simulated,
            content_id=job.content_id or None,
            playbook_run_id=job.playbook_run_id or None,
        )
    )
    _close_hold(job, 0)
    finished = _release_lease(
        claim,
        status=GenerationJob.Status.DONE,
        note="Answered from the duplicate-prompt cache",
        asset=asset,
        event_id=event.id,
        cost_micros=0,
        cache_hit=True,
        saved_micros=event.saved_micros,
        clips_done=job.clips_total,
        hold_id="",
        hold_expires_at=None,
        finished_at=timezone.now(),
    )
    if not finished:
        return None
    MediaAsset.objects.filter(pk=asset.pk).update(cache_hits=F("cache_hits") + 1)
    return _generated(job, asset, event)


def _retry_delay(job: GenerationJob, exc: BaseException) -> float:
    hinted = getattr(exc, "retry_after", None) or 0
    backoff = RETRY_BASE_SECONDS * 2**job.retries
    return min(max(float(hinted), backoff), RETRY_CAP_SECONDS)


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:ERROR_MAX_CHARS]


def _failed_attempt(
    claim: Claim,
    exc: Exception,
    *,
    recorded: bool,
    inline: bool,
    event: MediaGenerationEvent | None = None,
) -> None:
    """After a failed attempt: move the event id on if a failure was recorded under it, then
    try again later (a retryable error, attempts left, a queued job) or fail for good."""
    job = claim.job
    if recorded:
        _fenced(claim, failures=job.failures + 1)
    retryable = bool(getattr(exc, "retryable", False)) or isinstance(exc, OSError)
    if retryable and not inline and job.retries + 1 < job.max_attempts:
        delay = _retry_delay(job, exc)
        note = f"Retrying in {delay:.0f} s after: {_error_text(exc)}"
        if _release_lease(
            claim, status=GenerationJob.Status.QUEUED, note=note, retries=job.retries + 1
        ):
            job_enqueue(job.pk, delay_seconds=delay)
        return
    _fail(claim, _error_text(exc), retryable=retryable, success_event=event)


def _partial_cost_micros(job: GenerationJob) -> int:
    """What the clips made before a video failed cost: each was a paid provider call."""
    if job.kind != VIDEO or not job.clips_done:
        return 0
    plan = [int(s) for s in job.params.get("clip_plan", [])][: job.clips_done]
    return sum(
        estimate_media_cost(VIDEO, job.provider, {"duration_seconds": s}).cost_micros for s in plan
    )


def _fail(
    claim: Claim,
    message: str,
    *,
    retryable: bool,
    success_event: MediaGenerationEvent | None = None,
) -> None:
    """Fail the job: charge what was spent, close the hold, show the failure in the gallery.

    What was spent: the recorded success (storing failed after it), or — when no retry can help —
    the clips a video made before it failed. A job that may be retried keeps its clips instead:
    the retry reuses them and the finished video is charged once, whole."""
    job = claim.job
    charged = 0
    if success_event is not None:
        charged = success_event.cost_micros or 0
    elif not retryable:
        charged = _partial_cost_micros(job)
        if charged:
            plan = job.params.get("clip_plan", [])
            track_media_generation(
                MediaGenerationEvent(
                    id=f"{job.id}:partial",
                    tenant_id=job.tenant_id,
                    user_id=job.user_ref,
                    type=VIDEO,
                    provider=job.provider,
                    model=job.model,
                    prompt=job.composed_prompt,
                    params={**_event_params(job), "clips_made": job.clips_done},
                    duration_seconds=sum(int(s) for s in plan[: job.clips_done]),
                    cost_micros=charged,
                    success=False,
                    error=(
                        f"{job.clips_done} of {len(plan)} clips were made before the video "
                        f"failed: {message}"
                    ),
                    simulated=job.simulated,
                    content_id=job.content_id or None,
                    playbook_run_id=job.playbook_run_id or None,
                )
            )
    _close_hold(job, charged)
    asset = _asset_for(job)
    _describe(asset, job)
    asset.status = MediaAsset.Status.FAILED
    asset.error = message
    asset.cost_micros = charged
    asset.duration_seconds = None
    with transaction.atomic():
        asset.save()
        _release_lease(
            claim,
            status=GenerationJob.Status.FAILED,
            note="Failed",
            asset=asset,
            error=message,
            retryable=retryable,
            cost_micros=charged,
            hold_id="",
            hold_expires_at=None,
            clip_percent=None,
            finished_at=timezone.now(),
        )


# --- results -----------------------------------------------------------------------------------


def asset_urls(asset: MediaAsset) -> tuple[str, str, str | None]:
    """The asset's view, download and thumbnail URLs (tenant-checked views, not MEDIA_URL)."""
    media_url = reverse("media:asset_file", args=[asset.pk])
    thumbnail = reverse("media:asset_thumbnail", args=[asset.pk]) if asset.thumbnail else None
    return media_url, f"{media_url}?download=1", thumbnail


def _generated(
    job: GenerationJob, asset: MediaAsset, event: MediaGenerationEvent
) -> GeneratedMedia:
    media_url, download_url, thumbnail_url = asset_urls(asset)
    return GeneratedMedia(
        id=asset.pk,
        job_id=job.pk,
        kind=asset.kind,
        provider=job.provider,
        model=job.model,
        media_url=media_url,
        download_url=download_url,
        thumbnail_url=thumbnail_url,
        duration_seconds=asset.duration_seconds,
        cost_micros=event.cost_micros or 0,
        saved_micros=event.saved_micros,
        cache_hit=event.cache_hit,
        simulated=asset.simulated,
        tracking_event=event,
    )


def generated_media(job: GenerationJob) -> GeneratedMedia:
    """A finished job's result. Its event is looked up by recording it again, which changes
    nothing for an id already stored and returns the stored event."""
    assert job.asset is not None
    event = track_media_generation(
        MediaGenerationEvent(
            id=job.event_id,
            tenant_id=job.tenant_id,
            user_id=job.user_ref,
            type=job.kind,
            provider=job.provider,
            model=job.model,
            prompt=job.composed_prompt,
            params=_event_params(job),
            duration_seconds=job.params.get("duration_seconds"),
            cost_micros=job.cost_micros,
            cache_hit=job.cache_hit,
            saved_micros=job.saved_micros,
            simulated=job.simulated,
            created_at=job.finished_at or timezone.now(),
        )
    )
    return _generated(job, job.asset, event)


# --- recovery ----------------------------------------------------------------------------------


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
            _fail(claim, "The worker running this job stopped too many times", retryable=True)
    lost_before = now - timedelta(seconds=settings.Q_RETRY + settings.MEDIA_SLOT_WAIT_SECONDS)
    lost = GenerationJob.objects.filter(
        status=GenerationJob.Status.QUEUED, inline=False, updated_at__lt=lost_before
    )
    for job_id in lost.values_list("pk", flat=True):
        touched += 1
        job_enqueue(job_id)
    return touched
