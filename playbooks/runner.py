"""Executing a run, step by step, in the worker.

A run is claimed once (queued → running in one conditional UPDATE), so a task the broker hands
out twice runs once. Each step's row moves pending → running → succeeded | failed; a failed step
stops the run, marks the later steps skipped and keeps everything earlier (results, media, cost).
"""

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F
from django.urls import reverse

from bakedbot.notices import notice_post
from playbooks import clock
from playbooks.executor import (
    STEP_TYPES,
    PlaybookExecutionContext,
    StepError,
    StepRuntime,
    validate_step,
)
from playbooks.models import PlaybookRun, PlaybookStepResult

logger = logging.getLogger(__name__)

Status = PlaybookStepResult.Status
# A run still "running" this long after it started lost its worker (django-q2's timeout kills a
# task after Q_TIMEOUT seconds).
STALE_AFTER = timedelta(seconds=settings.Q_TIMEOUT + 120)


def _json_safe(value: dict) -> dict:
    # What the next steps read must be exactly what is stored.
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def execute_playbook_run(run_id: str) -> PlaybookRun:
    """Run a queued run to its end, its steps calling the media generation service
    (``media.services``) and the caption text adapter."""
    started = clock.now()
    claimed = PlaybookRun.objects.filter(pk=run_id, status=PlaybookRun.Status.QUEUED).update(
        status=PlaybookRun.Status.RUNNING, started_at=started
    )
    run = PlaybookRun.objects.select_related("playbook", "organisation", "user").get(pk=run_id)
    if not claimed:
        logger.info("playbook run %s is %s already; not running it again", run_id, run.status)
        return run
    user_id = run.user_id or run.playbook.installed_by_id
    context = PlaybookExecutionContext(
        playbook_id=run.playbook_id,
        run_id=run.pk,
        tenant_id=run.organisation_id,
        user_id=str(user_id) if user_id else None,
        triggered_by=run.triggered_by,
        variables=dict(run.variables),
        step_results={},
        start_time=started,
    )
    runtime = StepRuntime(
        organisation=run.organisation,
        playbook_name=run.playbook.name,
        steps=[{"id": str(s.get("id")), "type": s.get("type")} for s in run.steps],
        dry_run=run.dry_run,
        now=started,
        rerun=run.rerun_of_id is not None,
    )
    rows = {row.step_id: row for row in run.step_results.all()}
    for position, step in enumerate(run.steps):
        row = rows[str(step.get("id"))]
        if row.status == Status.REUSED:
            context.step_results[row.step_id] = row.result
            continue
        if not _run_step(run, row, step, position, context, runtime):
            later = [s.get("id") for s in run.steps[position + 1 :]]
            run.step_results.filter(step_id__in=later).update(status=Status.SKIPPED)
            run.status = PlaybookRun.Status.FAILED
            run.error = f"{row.step_id} ({row.step_type}): {row.error}"
            break
    else:
        run.status = PlaybookRun.Status.SUCCEEDED
    run.finished_at = clock.now()
    run.save(update_fields=["status", "error", "finished_at"])
    run.refresh_from_db(fields=["total_cost_micros"])
    if run.status == PlaybookRun.Status.FAILED and not run.dry_run:
        notice_post(
            organisation_id=run.organisation_id,
            key=f"run-failed:{run.pk}",
            kind="run",
            title=f"Playbook “{run.playbook.name}” failed",
            body=run.error,
            link=reverse("playbooks:run_detail", args=[run.pk]),
        )
    return run


def _run_step(run, row, step, position, context, runtime) -> bool:
    row.status = Status.RUNNING
    row.started_at = clock.now()
    row.save(update_fields=["status", "started_at"])
    began = time.monotonic()
    runtime.now, runtime.step_id = row.started_at, row.step_id
    try:
        checked = validate_step(step, position)
        outcome = STEP_TYPES.get(checked["type"]).execute(checked["params"], context, runtime)
    except StepError as exc:
        row.status, row.error, row.result = Status.FAILED, exc.message, _json_safe(exc.result)
    except Exception as exc:
        # Provider failures, budget blocks and the like: the service's own message is the reason.
        logger.exception("playbook run %s step %s failed", run.pk, row.step_id)
        row.status, row.error = Status.FAILED, str(exc) or exc.__class__.__name__
    else:
        row.status = Status.SUCCEEDED
        row.result = _json_safe(outcome.result)
        row.cost_micros = outcome.cost_micros
        context.step_results[row.step_id] = row.result
    row.duration_ms = int((time.monotonic() - began) * 1000)
    row.finished_at = clock.now()
    row.save(
        update_fields=["status", "result", "error", "cost_micros", "duration_ms", "finished_at"]
    )
    if row.cost_micros:
        PlaybookRun.objects.filter(pk=run.pk).update(
            total_cost_micros=F("total_cost_micros") + row.cost_micros
        )
    return row.status == Status.SUCCEEDED


def fail_stale_runs(now) -> int:
    """Runs whose worker died: failed, with the step that was running, so they can be re-run."""
    stale = PlaybookRun.objects.filter(
        status=PlaybookRun.Status.RUNNING, started_at__lt=now - STALE_AFTER
    )
    count = 0
    for run in stale:
        run.step_results.filter(status=Status.RUNNING).update(
            status=Status.FAILED, error="The worker running this step stopped.", finished_at=now
        )
        run.step_results.filter(status=Status.PENDING).update(status=Status.SKIPPED)
        count += PlaybookRun.objects.filter(pk=run.pk, status=PlaybookRun.Status.RUNNING).update(
            status=PlaybookRun.Status.FAILED,
            error="The worker running this playbook stopped; re-run it from the failed step.",
            finished_at=now,
        )
    return count
