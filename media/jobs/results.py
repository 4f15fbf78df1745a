"""What a finished job answers: ``GeneratedMedia``, built from its asset and its cost event."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse

from costs.domain import MediaGenerationEvent
from costs.money import micros_to_decimal
from costs.selectors import get_media_generation_event
from media.models import GenerationJob, MediaAsset


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


def asset_urls(asset: MediaAsset) -> tuple[str, str, str | None]:
    """The asset's view, download and thumbnail URLs (tenant-checked views, not MEDIA_URL)."""
    media_url = reverse("media:asset_file", args=[asset.pk])
    thumbnail = reverse("media:asset_thumbnail", args=[asset.pk]) if asset.thumbnail else None
    return media_url, f"{media_url}?download=1", thumbnail


def generated(job: GenerationJob, asset: MediaAsset, event: MediaGenerationEvent) -> GeneratedMedia:
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
    """A finished job's result, with the event it recorded read back from the cost store."""
    if job.asset is None:
        raise LookupError(f"Generation {job.pk} has no media")
    event = get_media_generation_event(job.event_id)
    if event is None:
        raise LookupError(f"The cost event {job.event_id!r} of generation {job.pk} is missing")
    return generated(job, job.asset, event)
