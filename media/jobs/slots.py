"""Provider slots: at most ``MEDIA_PROVIDER_CONCURRENCY`` jobs call one provider at once.

Each slot is a ``ProviderSlot`` row claimed by a conditional UPDATE (free, its lease run out, or
already this job's), which is atomic on SQLite and PostgreSQL alike. A slot's lease is the job's
lease, so a dead worker's slot frees itself when its lease runs out.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from media.jobs.leases import lease_duration
from media.models import ProviderSlot


def provider_concurrency(provider: str) -> int:
    return int(settings.MEDIA_PROVIDER_CONCURRENCY.get(provider, 1))


def slot_acquire(provider: str, job_id: str, *, wait_seconds: float) -> bool:
    """Take one of the provider's slots for the job, waiting up to ``wait_seconds``."""
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
