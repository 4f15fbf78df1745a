"""The cost events of a job: each outcome recorded once, through ``track_media_generation``.

A job first produces its media (or fails to), then records what happened; nothing records on its
behalf. Event ids are fixed by what they record, so recording is idempotent across deliveries:

- ``{job}:done`` — the success, priced by the price book. A worker that recorded it and died
  before finishing leaves it for the next delivery, which makes the media again from the
  providers' stored results and finds this event instead of adding one: never charged twice.
- ``{job}:failed:{attempt}`` — a failed attempt (delivery) at $0 with the error.
- ``{job}:partial`` — the clips a video made before a failure no retry can fix (they were paid).
- ``{job}:cache`` — a duplicate-prompt cache hit at $0, with what it saved.

Every outcome goes through ``costs.outbox.track_paid_generation``: when the cost store does not
answer, the event waits in the outbox (and a paid one's hold is settled in that same
transaction), so the job still finishes and nothing it paid for is lost.
"""

from __future__ import annotations

import time
from datetime import datetime

from costs.domain import MediaGenerationEvent
from costs.outbox import track_paid_generation
from costs.pricing import VIDEO, estimate_media_cost
from media.models import GenerationJob


def event_params(job: GenerationJob) -> dict:
    return {**job.params, "job_id": job.id}


def _event(job: GenerationJob, *, event_id: str, **values) -> MediaGenerationEvent:
    values.setdefault("params", event_params(job))
    values.setdefault("duration_seconds", job.params.get("duration_seconds"))
    values.setdefault("simulated", job.simulated)
    values.setdefault("image_size", job.params.get("image_size") or "")
    values.setdefault("resolution", job.params.get("resolution") or "")
    return MediaGenerationEvent(
        id=event_id,
        tenant_id=job.tenant_id,
        user_id=job.user_ref,
        type=job.kind,
        provider=job.provider,
        model=job.model,
        prompt=job.composed_prompt,
        content_id=job.content_id or None,
        playbook_run_id=job.playbook_run_id or None,
        **values,
    )


def check_priced(job: GenerationJob) -> None:
    """Refuse (``ValueError``) a job whose provider the price book no longer prices, before
    anything is paid for: an unpriced provider is an error, never a silent $0."""
    estimate_media_cost(job.kind, job.provider, job_pricing_options(job))


def job_pricing_options(job: GenerationJob, **overrides) -> dict:
    """The price book options of a job: its model and billed dimensions."""
    options = {"model": job.model, "image_size": job.params.get("image_size")}
    if job.kind == VIDEO:
        options["duration_seconds"] = job.params["duration_seconds"]
        options["resolution"] = job.params.get("resolution")
    return {**options, **overrides}


def _elapsed_ms(began: float) -> int:
    return int((time.monotonic() - began) * 1000)


def record_success(
    job: GenerationJob, *, started_at: datetime, began: float
) -> MediaGenerationEvent:
    """Record the job's success at the price book's price (or find it recorded already). With
    the cost store down it waits in the outbox and the job's hold is settled to it now."""
    return track_paid_generation(
        _event(
            job,
            event_id=f"{job.id}:done",
            success=True,
            created_at=started_at,
            generation_ms=_elapsed_ms(began),
        ),
        hold=job.hold_id or None,
    ).event


def record_failure(
    job: GenerationJob, exc: Exception, *, started_at: datetime, began: float
) -> MediaGenerationEvent:
    """Record this attempt's failure at $0 with the error."""
    return track_paid_generation(
        _event(
            job,
            event_id=f"{job.id}:failed:{job.attempts}",
            success=False,
            cost_micros=0,
            error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
            created_at=started_at,
            generation_ms=_elapsed_ms(began),
        )
    ).event


def partial_cost_micros(job: GenerationJob) -> int:
    """What the clips made before a video failed cost: each was a paid provider call."""
    if job.kind != VIDEO or not job.clips_done:
        return 0
    plan = [int(s) for s in job.params.get("clip_plan", [])][: job.clips_done]
    return sum(
        estimate_media_cost(
            VIDEO, job.provider, job_pricing_options(job, duration_seconds=s)
        ).cost_micros
        for s in plan
    )


def record_partial(job: GenerationJob, *, charged_micros: int, message: str) -> None:
    """Charge the clips a failed video made (a failure no retry can fix). With the cost store
    down it waits in the outbox and the job's hold is settled to it now."""
    plan = job.params.get("clip_plan", [])
    track_paid_generation(
        _event(
            job,
            event_id=f"{job.id}:partial",
            params={**event_params(job), "clips_made": job.clips_done},
            duration_seconds=sum(int(s) for s in plan[: job.clips_done]),
            cost_micros=charged_micros,
            success=False,
            error=(
                f"{job.clips_done} of {len(plan)} clips were made before the video failed: "
                f"{message}"
            ),
        ),
        hold=job.hold_id or None,
    )


def record_cache_hit(
    job: GenerationJob, *, cached_from: str, simulated: bool
) -> MediaGenerationEvent:
    """Record a duplicate-prompt cache hit: $0, saving what the generation would have cost."""
    return track_paid_generation(
        _event(
            job,
            event_id=f"{job.id}:cache",
            params={**event_params(job), "cached_from": cached_from},
            cost_micros=0,
            success=True,
            cache_hit=True,
            simulated=simulated,
        )
    ).event
