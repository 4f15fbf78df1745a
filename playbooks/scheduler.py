"""Finding due playbooks and starting their runs — once per slot, whatever the number of workers.

django-q2 calls ``schedule_due_playbooks`` every minute (a ``Schedule`` row created by
``ensure_scheduler_schedule``). django-q2's own cron schedules would evaluate in the server's
``TIME_ZONE``; each playbook's next slot is computed here in its tenant's zone and stored (UTC) on
the playbook, so finding due playbooks is one indexed query.

Two guards keep a slot from running twice: the stored slot moves on with a compare-and-swap
UPDATE (only the scheduler that moved it starts the run), and the run key
``schedule:<playbook>:<slot>`` is unique. A slot missed while no worker was up runs once, late;
the slots missed after it are counted on the run, not run.
"""

import logging

from django.db import IntegrityError, transaction
from django.db.models import F

from playbooks import clock
from playbooks.cron import count_slots, next_slot
from playbooks.models import Playbook, PlaybookRun, SchedulerState
from playbooks.runner import fail_stale_runs
from playbooks.services import start_playbook_run

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "playbooks: start due playbook runs"
SCHEDULE_FUNC = "playbooks.tasks.schedule_due_playbooks"
MISSED_SLOTS_CAP = 1000


def scheduled_run_key(playbook_id: str, slot) -> str:
    return f"schedule:{playbook_id}:{slot.isoformat()}"


def _heartbeat(now) -> None:
    updated = SchedulerState.objects.filter(pk=1).update(last_tick_at=now, ticks=F("ticks") + 1)
    if not updated:
        SchedulerState.objects.get_or_create(pk=1, defaults={"last_tick_at": now, "ticks": 1})


def schedule_due_playbooks(now=None) -> list[str]:
    """Start a run for every enabled playbook whose slot has come; the started runs' ids."""
    now = now or clock.now()
    _heartbeat(now)
    fail_stale_runs(now)
    started = []
    due = Playbook.objects.filter(enabled=True, next_run_at__lte=now).select_related(
        "organisation", "template"
    )
    for playbook in due:
        try:
            run_id = _start_due(playbook, now)
        except Exception:
            # One broken playbook must not keep the others from running.
            logger.exception("scheduling playbook %s failed", playbook.pk)
            continue
        if run_id:
            started.append(run_id)
    return started


def _start_due(playbook: Playbook, now) -> str | None:
    slot = playbook.next_run_at
    zone = playbook.organisation.tz
    following, missed = None, 0
    if playbook.schedule:
        following = next_slot(playbook.schedule, zone, now)
        missed = count_slots(playbook.schedule, zone, slot, now, MISSED_SLOTS_CAP) - 1
    with transaction.atomic():
        won = Playbook.objects.filter(pk=playbook.pk, enabled=True, next_run_at=slot).update(
            next_run_at=following
        )
        if not won:
            return None
        try:
            with transaction.atomic():
                run = start_playbook_run(
                    playbook=playbook,
                    triggered_by=PlaybookRun.Trigger.SCHEDULE,
                    run_key=scheduled_run_key(playbook.pk, slot),
                    scheduled_for=slot,
                    missed_slots=max(missed, 0),
                )
        except IntegrityError:
            logger.info("slot %s of playbook %s has a run already", slot, playbook.pk)
            return None
    return run.pk


def ensure_scheduler_schedule() -> None:
    """The django-q2 ``Schedule`` that ticks the playbook scheduler every minute (idempotent)."""
    from django_q.models import Schedule

    schedule, created = Schedule.objects.get_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": SCHEDULE_FUNC,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
    if not created and (schedule.func, schedule.schedule_type, schedule.minutes) != (
        SCHEDULE_FUNC,
        Schedule.MINUTES,
        1,
    ):
        schedule.func, schedule.schedule_type, schedule.minutes = (
            SCHEDULE_FUNC,
            Schedule.MINUTES,
            1,
        )
        schedule.repeats = -1
        schedule.save()
