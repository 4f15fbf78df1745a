"""Finishing a job once its outcome is recorded: store the media and settle the hold, or try
again later, or fail for good — charging exactly what was recorded.

Files are stored with Django's storage under ``generated/<tenant>/<yyyy>/<mm>/`` and served by
the tenant-checked ``/dashboard/creative/media/<id>``, never from ``MEDIA_URL``. A failed job's
asset row keeps the failure and its reason for the gallery; a later success reuses it.
"""

from __future__ import annotations

import contextlib
import mimetypes

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from costs.domain import MediaGenerationEvent
from media.jobs.events import partial_cost_micros, record_partial
from media.jobs.holds import close_hold
from media.jobs.leases import Claim, fenced, release_finished, release_lease
from media.jobs.produce import Produced
from media.jobs.queue import job_enqueue
from media.jobs.results import GeneratedMedia, generated
from media.models import GenerationJob, MediaAsset
from presets.domain import PresetNotFound
from presets.services import track_preset_usage

RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 900
ERROR_MAX_CHARS = 1000


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


def finish_success(
    claim: Claim, produced: Produced, event: MediaGenerationEvent
) -> GeneratedMedia | None:
    """Store the media, settle the hold to the recorded cost and mark the job done (None: another
    runner took the job over meanwhile and stores its own copy)."""
    job = claim.job
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
    close_hold(job, event.cost_micros or 0)
    with transaction.atomic():
        asset.save()
        finished = release_finished(
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
        )
        if not finished:
            transaction.set_rollback(True)
    if not finished:
        for stored in (asset.file, asset.thumbnail):
            if stored:
                stored.storage.delete(stored.name)
        return None
    if job.preset_id:
        with contextlib.suppress(PresetNotFound):  # deleted since the job was queued
            track_preset_usage(tenant_id=job.tenant_id, preset_id=job.preset_id)
    return generated(job, asset, event)


def _retry_delay(job: GenerationJob, exc: BaseException) -> float:
    hinted = getattr(exc, "retry_after", None) or 0
    backoff = RETRY_BASE_SECONDS * 2**job.retries
    return min(max(float(hinted), backoff), RETRY_CAP_SECONDS)


def error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:ERROR_MAX_CHARS]


def failed_attempt(
    claim: Claim,
    exc: Exception,
    *,
    inline: bool,
    recorded: bool = False,
    charged: MediaGenerationEvent | None = None,
) -> None:
    """After a failed attempt: count it if its failure was recorded, then try again later (a
    retryable error, attempts left, a queued job) or fail for good.

    ``charged``: the success recorded before storing it failed — what failing for good charges."""
    job = claim.job
    if recorded:
        fenced(claim, failures=job.failures + 1)
    retryable = bool(getattr(exc, "retryable", False)) or isinstance(exc, OSError)
    if retryable and not inline and job.retries + 1 < job.max_attempts:
        delay = _retry_delay(job, exc)
        note = f"Retrying in {delay:.0f} s after: {error_text(exc)}"
        if release_lease(
            claim, status=GenerationJob.Status.QUEUED, note=note, retries=job.retries + 1
        ):
            job_enqueue(job.pk, delay_seconds=delay)
        return
    fail(claim, error_text(exc), retryable=retryable, charged=charged)


def fail(
    claim: Claim,
    message: str,
    *,
    retryable: bool,
    charged: MediaGenerationEvent | None = None,
) -> None:
    """Fail the job: charge what was spent, close the hold, show the failure in the gallery.

    What was spent: the recorded success (storing failed after it), or — when no retry can help —
    the clips a video made before it failed. A job that may be retried keeps its clips instead:
    the retry reuses them and the finished video is charged once, whole."""
    job = claim.job
    charged_micros = 0
    if charged is not None:
        charged_micros = charged.cost_micros or 0
    elif not retryable:
        charged_micros = partial_cost_micros(job)
        if charged_micros:
            record_partial(job, charged_micros=charged_micros, message=message)
    close_hold(job, charged_micros)
    asset = _asset_for(job)
    _describe(asset, job)
    asset.status = MediaAsset.Status.FAILED
    asset.error = message
    asset.cost_micros = charged_micros
    asset.duration_seconds = None
    with transaction.atomic():
        asset.save()
        release_finished(
            claim,
            status=GenerationJob.Status.FAILED,
            note="Failed",
            asset=asset,
            error=message,
            retryable=retryable,
            cost_micros=charged_micros,
            clip_percent=None,
        )
