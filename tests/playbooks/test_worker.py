"""A real django-q2 worker process (``manage.py qcluster``) on the test database runs a scheduled
playbook when its time comes. The clock is driven through the scheduler's stored clock override,
never by sleeping until a real Monday."""

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule, Task
from django_q.tasks import async_task

from bakedbot.notices import get_bell
from playbooks.clock import set_clock_override
from playbooks.models import PlaybookRun, SchedulerState
from playbooks.scheduler import SCHEDULE_NAME, ensure_scheduler_schedule
from playbooks.services import install_playbook_template, seed_playbook_templates
from tests.playbooks.helpers import make_shop

pytestmark = pytest.mark.django_db(transaction=True)

LA = ZoneInfo("America/Los_Angeles")
# No media steps: this test is about scheduling and the worker, not generation.
WORKER_TEMPLATE = {
    "id": "monday-deals-note",
    "name": "Monday deals note",
    "agent": "craig",
    "schedule": "0 9 * * 1",
    "requires_approval": False,
    "steps": [
        {"id": "step-1", "type": "fetch_deals", "params": {"source": "firestore"}},
        {"id": "step-2", "type": "generate_caption", "params": {"platform": "twitter"}},
        {"id": "step-3", "type": "notify", "params": {"channels": ["in_app"]}},
    ],
}
WAIT_SECONDS = 120


def _wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def worker(settings):
    settings.PLAYBOOKS_CLOCK_OVERRIDE = True
    database = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "PLAYBOOKS_CLOCK_OVERRIDE": "1",
        "Q_WORKERS": "1",
        "Q_TIMEOUT": "60",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    yield process
    # The cluster's main process stops its own children; the group kill is the fallback.
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_a_real_worker_runs_a_scheduled_playbook_when_its_time_comes(org_a, owner_a, worker):
    make_shop(org_a)
    assert seed_playbook_templates(definitions=[WORKER_TEMPLATE]).success
    set_clock_override(datetime(2026, 11, 22, 12, tzinfo=LA))  # Sunday noon in Los Angeles
    install_playbook_template("monday-deals-note", org_a.pk)
    ensure_scheduler_schedule()
    # Hold django-q2's own schedule back until the clock has reached the slot.
    Schedule.objects.filter(name=SCHEDULE_NAME).update(next_run=timezone.now() + timedelta(days=1))

    # Monday 08:59: the worker ticks the scheduler and starts nothing.
    set_clock_override(datetime(2026, 11, 23, 8, 59, tzinfo=LA))
    async_task("playbooks.tasks.schedule_due_playbooks")
    _wait_for(lambda: SchedulerState.objects.filter(ticks__gte=1).exists(), "the first tick")
    assert PlaybookRun.objects.count() == 0

    # 09:00:30: django-q2's every-minute schedule fires, the scheduler starts the run and a
    # worker executes it.
    set_clock_override(datetime(2026, 11, 23, 9, 0, 30, tzinfo=LA))
    Schedule.objects.filter(name=SCHEDULE_NAME).update(
        next_run=timezone.now() - timedelta(seconds=1)
    )
    run = _wait_for(
        lambda: PlaybookRun.objects.filter(status__in=["succeeded", "failed"]).first(),
        "the scheduled run to finish",
    )
    assert run.status == "succeeded", run.error
    assert run.triggered_by == "schedule"
    assert run.scheduled_for == datetime(2026, 11, 23, 9, tzinfo=LA)
    assert [r.status for r in run.step_results.all()] == ["succeeded"] * 3
    assert "20% off all flower" in run.step_results.get(step_id="step-2").result["caption"]
    # Its notify step rang the owner's bell, linking to the run.
    [notice] = get_bell(user=owner_a).notices
    assert notice.link == reverse("playbooks:run_detail", args=[run.pk])
    # django-q2 saves a task's result after the task returns: wait for the rows, not the run.
    assert _wait_for(
        lambda: Task.objects.filter(func="playbooks.tasks.run_playbook", success=True).exists(),
        "the run task's result",
    )
    assert _wait_for(
        lambda: Task.objects.filter(func="playbooks.tasks.schedule_due_playbooks").count() >= 2,
        "both scheduler ticks' results",
    )
    assert PlaybookRun.objects.count() == 1
