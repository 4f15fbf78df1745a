"""The duplicate-prompt cache: a job whose exact request made a ready asset lately answers with
that asset at once, recorded as a cache hit at $0 with what it saved.

The key is the SHA-256 of provider, model, normalised prompt, negative prompt, parameters and the
simulated flag (``media/validation.py``); hits count only the tenant's own assets younger than
``MEDIA_CACHE_TTL_SECONDS`` whose file still exists.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from media.jobs.events import record_cache_hit
from media.jobs.holds import close_hold
from media.jobs.leases import Claim, job_claim, release_finished
from media.jobs.results import GeneratedMedia, generated
from media.models import GenerationJob, MediaAsset


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


def job_answer_from_cache(job: GenerationJob, asset: MediaAsset) -> GeneratedMedia | None:
    """Finish a job that was just created from ``asset`` (a cache hit found when queueing)."""
    claim = job_claim(job.pk)
    return finish_cache_hit(claim, asset) if claim is not None else None


def finish_cache_hit(claim: Claim, asset: MediaAsset) -> GeneratedMedia | None:
    """Record the hit, release the hold, and finish the job with ``asset`` (None: taken over)."""
    job = claim.job
    event = record_cache_hit(job, cached_from=asset.id, simulated=asset.simulated)
    close_hold(job, 0)
    finished = release_finished(
        claim,
        status=GenerationJob.Status.DONE,
        note="Answered from the duplicate-prompt cache",
        asset=asset,
        event_id=event.id,
        cost_micros=0,
        cache_hit=True,
        saved_micros=event.saved_micros,
        clips_done=job.clips_total,
    )
    if not finished:
        return None
    MediaAsset.objects.filter(pk=asset.pk).update(cache_hits=F("cache_hits") + 1)
    return generated(job, asset, event)
