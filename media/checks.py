"""System checks (``manage.py check``): the job queue's task timeout must fit one video clip."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_task_timeout_fits_a_clip(app_configs, **kwargs):
    from media.jobs import HANDOVER_MARGIN_SECONDS, clip_worst_case_seconds

    needed = clip_worst_case_seconds() + HANDOVER_MARGIN_SECONDS
    if needed <= settings.Q_TIMEOUT:
        return []
    return [
        Warning(
            f"Q_TIMEOUT ({settings.Q_TIMEOUT} s) is shorter than one video clip may take with the "
            f"MEDIA_* timeouts and retries ({needed:.0f} s): a slow clip would be cut off by the "
            "task timeout and resumed by a later delivery instead of finishing in one task.",
            hint="Raise Q_TIMEOUT (and Q_RETRY above it), or lower MEDIA_POLL_TIMEOUT_SECONDS.",
            id="media.W001",
        )
    ]
