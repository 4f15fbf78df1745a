"""django-q2 entry points: fetch ids, call a service."""

from media.services import (
    purge_provider_calls,
    recover_stale_generation_jobs,
    run_generation_job,
)

__all__ = ["purge_provider_calls", "recover_stale_generation_jobs", "run_generation_job"]
