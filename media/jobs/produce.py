"""Producing the media: the provider calls of one job, returning a ``Produced`` or raising.

Production records nothing (``media/jobs/events.py`` does, afterwards) and pays nothing twice:
every paid call has an idempotency key (``{job}:image``, ``{job}:clip:{k}``) in the providers'
``ProviderCall`` store, so a later delivery reuses a finished call's result or resumes its
operation.

**Long videos span tasks.** A video is made clip by clip (the price book's plan), joined and
trimmed to exactly the duration asked for, and measured before it is accepted. Before each clip
after the first of a task the runner checks that the clip's worst case still fits in the task's
``Q_TIMEOUT``; if not it raises ``HandOver`` and the job continues in a new task, which reuses
the clips already made.

**Square video:** no video provider makes 1:1, so it is made at 16:9 (the prompt asks to keep
the subject in the centre square) and the centre square is cropped out; it must measure square,
and its thumbnail is taken from the cropped video.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from django.conf import settings

from costs.pricing import IMAGE
from media.jobs import hooks
from media.jobs.events import check_priced
from media.jobs.leases import Claim, fenced
from media.models import GenerationJob
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
from media.validation import SQUARE_VIDEO_FRAMING, provider_prompt

# Room left in a task after its last clip for joining, trimming and storing the video.
HANDOVER_MARGIN_SECONDS = 120
# A simulated clip is rendered locally: its worst case is a multiple of what one took.
SIMULATED_CLIP_FLOOR_SECONDS = 5.0
PROGRESS_WRITE_INTERVAL = 1.0


class HandOver(Exception):
    """The task's time is nearly up: continue the job in a new task from clip ``next_clip``."""

    def __init__(self, next_clip: int) -> None:
        super().__init__(next_clip)
        self.next_clip = next_clip


@dataclass(frozen=True)
class Produced:
    """What the provider calls made, before it is stored."""

    data: bytes
    mime_type: str
    thumbnail: bytes = b""
    thumbnail_mime_type: str = ""
    duration_seconds: int | None = None
    request_ids: tuple[str, ...] = ()


def clip_worst_case_seconds(options: dict | None = None) -> float:
    """The longest one real video clip may take: a create and a download each with every retry
    and the longest allowed wait between attempts, plus the whole poll timeout."""
    o = options or settings.MEDIA_PROVIDER_OPTIONS
    request = o["connect_timeout"] + o["read_timeout"]
    waits = max(o["backoff_cap_seconds"], o["max_retry_after_seconds"])
    call = o["max_attempts"] * request + (o["max_attempts"] - 1) * waits
    return 2 * call + o["poll_timeout_seconds"]


def job_adapter(job: GenerationJob) -> ImageProvider | VideoProvider:
    """The provider adapter the job was queued for, before anything is paid for.

    Raises ``ProviderError`` when a job queued for a real call finds its provider without an API
    key, ``ValueError`` when the price book no longer prices the provider."""
    check_priced(job)
    config = provider_config(job.provider)
    if job.simulated:
        config = dataclasses.replace(config, api_key="")
    elif config.simulated:
        raise ProviderError(
            f"{job.provider} was queued for a real call but has no API key any more",
            provider=job.provider,
        )
    if job.kind == IMAGE:
        return image_provider(job.provider, config=config)
    return video_provider(job.provider, config=config)


def produce(claim: Claim, adapter: ImageProvider | VideoProvider, *, inline: bool) -> Produced:
    """Make the job's media (``HandOver`` when a queued video must continue in a new task)."""
    if claim.job.kind == IMAGE:
        return _produce_image(claim, adapter)
    return _produce_video(claim, adapter, inline=inline)


def _produce_image(claim: Claim, adapter: ImageProvider) -> Produced:
    job = claim.job
    prompt, _negative = provider_prompt(job.provider, job.composed_prompt, job.negative_prompt)
    fenced(claim, status_note="Generating the image")
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
            fenced(
                claim,
                status_note=f"Generating clip {index + 1} of {len(plan)}",
                clip_percent=0,
            )
        hooks.reach(hooks.BEFORE_CLIP, job, index=index)
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
            fenced(claim, clips_done=index + 1, clip_percent=None, slowest_clip_ms=slowest_ms)
    fenced(claim, status_note=f"Joining {len(plan)} clips" if len(plan) > 1 else "Finishing")
    data = join_clips([clip.data for clip in clips])
    if sum(plan) > duration:
        data = trim_video(data, duration)
    thumbnail, thumbnail_mime_type = clips[0].thumbnail, clips[0].thumbnail_mime_type
    if crop:
        fenced(claim, status_note="Cropping to a square")
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
        fenced(claim, clip_percent=max(0, min(int(percent), 100)))
