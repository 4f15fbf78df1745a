"""The operations panel of the super admin's landing page (registered in ``playbooks.apps``):
content waiting for approval and the playbook runs that failed in the last seven days."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from bakedbot.selectors import organisation_names
from media.selectors import get_approval_queue
from playbooks.models import PlaybookRun

FAILED_RUNS_DAYS = 7
FAILED_RUNS_SHOWN = 10


def home_panel_context(request: HttpRequest) -> dict:
    since = timezone.now() - timedelta(days=FAILED_RUNS_DAYS)
    failed = PlaybookRun.objects.filter(
        status=PlaybookRun.Status.FAILED, created_at__gte=since
    ).select_related("playbook")
    runs = list(failed.order_by("-created_at")[:FAILED_RUNS_SHOWN])
    names = organisation_names({run.organisation_id for run in runs})
    return {
        "approvals_waiting": len(get_approval_queue(None).pending),
        "failed_count": failed.count(),
        "failed_runs": [(run, names.get(run.organisation_id, "")) for run in runs],
        "failed_days": FAILED_RUNS_DAYS,
    }
