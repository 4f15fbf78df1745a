"""The scheduler's idea of "now": the real clock, or a stored override when the
``PLAYBOOKS_CLOCK_OVERRIDE`` setting allows it (so a test can drive a real worker process's clock
without sleeping)."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from playbooks.models import SchedulerState


def now() -> datetime:
    if settings.PLAYBOOKS_CLOCK_OVERRIDE:
        override = (
            SchedulerState.objects.filter(pk=1).values_list("clock_override", flat=True).first()
        )
        if override is not None:
            return override
    return timezone.now()


def set_clock_override(value: datetime | None) -> None:
    """Pin (or, with None, release) the scheduler clock. Ignored unless the setting is on."""
    SchedulerState.objects.update_or_create(pk=1, defaults={"clock_override": value})
