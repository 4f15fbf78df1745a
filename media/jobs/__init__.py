"""Generation jobs: claim a job, answer it from the duplicate-prompt cache or hold its budget,
take a provider slot, produce the media, record one cost event, store the media, settle the hold.

Who runs a job: a django-q2 worker (``media.tasks.run_generation_job``) for the Creative Center's
queue, or the caller itself (``inline``: a playbook step). Either way the rules are the same, one
module each:

- ``leases`` — **one runner at a time**: a claim under a lease token fences every write.
- ``slots`` — at most ``MEDIA_PROVIDER_CONCURRENCY`` jobs call a provider at once.
- ``holds`` — the budget hold: placed for the estimate, settled to what was recorded, released
  when nothing was charged; a dead job's hold expires and the next delivery replaces it.
- ``produce`` — the provider calls, each idempotent (``ProviderCall`` store), so a later delivery
  reuses what an earlier one paid for; long videos **hand over** to a new task between clips.
- ``events`` — **nothing charged twice**: the job records its outcome itself, after producing,
  through ``costs.services.track_media_generation``, under ids fixed by the outcome
  (``{job}:done``, ``{job}:failed:{attempt}``, ``{job}:partial``, ``{job}:cache``).
- ``finish`` — storing the media and closing the job, or retrying later, or failing for good.
- ``cache`` — the duplicate-prompt cache; ``recovery`` — jobs whose worker died;
  ``queue`` — creating jobs, handing them to django-q2, the schedules; ``results`` —
  ``GeneratedMedia``; ``run`` — the order of it all; ``hooks`` — named points where tests stop
  or fail a job.
"""

from media.jobs.cache import cache_lookup, job_answer_from_cache
from media.jobs.holds import hold_ttl
from media.jobs.leases import Claim, job_claim, lease_duration
from media.jobs.produce import HANDOVER_MARGIN_SECONDS, Produced, clip_worst_case_seconds
from media.jobs.queue import (
    PROVIDER_CALLS_KEPT,
    PURGE_SCHEDULE,
    RECOVERY_SCHEDULE,
    ensure_media_schedules,
    job_create,
    job_enqueue,
)
from media.jobs.recovery import recover_stale_jobs
from media.jobs.results import GeneratedMedia, asset_urls, generated_media
from media.jobs.run import run_inline, run_job
from media.jobs.slots import provider_concurrency, slot_acquire, slot_release

__all__ = [
    "HANDOVER_MARGIN_SECONDS",
    "PROVIDER_CALLS_KEPT",
    "PURGE_SCHEDULE",
    "RECOVERY_SCHEDULE",
    "Claim",
    "GeneratedMedia",
    "Produced",
    "asset_urls",
    "cache_lookup",
    "clip_worst_case_seconds",
    "ensure_media_schedules",
    "generated_media",
    "hold_ttl",
    "job_answer_from_cache",
    "job_claim",
    "job_create",
    "job_enqueue",
    "lease_duration",
    "provider_concurrency",
    "recover_stale_jobs",
    "run_inline",
    "run_job",
    "slot_acquire",
    "slot_release",
]
