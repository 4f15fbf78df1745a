"""The scheduler: each playbook's cron in its tenant's zone, one run per slot (unique run keys,
compare-and-swap of the stored slot), missed slots run once, DST, disabling, stale runs, and the
django-q2 Schedule that ticks it."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, close_old_connections, connection
from django_q.models import Schedule

from bakedbot.errors import InvalidInput
from playbooks.clock import set_clock_override
from playbooks.models import Playbook, PlaybookRun, SchedulerState
from playbooks.runner import STALE_AFTER
from playbooks.scheduler import (
    SCHEDULE_FUNC,
    SCHEDULE_NAME,
    ensure_scheduler_schedule,
    schedule_due_playbooks,
    scheduled_run_key,
)
from playbooks.services import playbook_set_enabled, playbook_update, start_playbook_run

LA = ZoneInfo("America/Los_Angeles")
NY = ZoneInfo("America/New_York")
DENVER = ZoneInfo("America/Denver")


@pytest.fixture
def clock(settings, db):
    settings.PLAYBOOKS_CLOCK_OVERRIDE = True

    def _set(value: datetime) -> datetime:
        set_clock_override(value)
        return value

    return _set


def _runs():
    return list(PlaybookRun.objects.order_by("created_at"))


@pytest.mark.django_db
def test_a_playbook_runs_when_its_tenant_local_slot_comes(clock, org_a, org_b, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))  # Sunday
    la = install("weekly-deals-video", org_a)  # Los Angeles
    ny = install("weekly-deals-video", org_b)  # New York
    assert la.next_run_at == datetime(2026, 11, 23, 9, tzinfo=LA)
    assert ny.next_run_at == datetime(2026, 11, 23, 9, tzinfo=NY)

    assert schedule_due_playbooks(clock(datetime(2026, 11, 23, 8, 59, tzinfo=NY))) == []
    (ny_run,) = schedule_due_playbooks(clock(datetime(2026, 11, 23, 9, 0, 20, tzinfo=NY)))
    run = PlaybookRun.objects.get(pk=ny_run)
    assert run.playbook == ny and run.triggered_by == "schedule"
    assert run.scheduled_for == datetime(2026, 11, 23, 9, tzinfo=NY)
    assert run.run_key == scheduled_run_key(ny.pk, run.scheduled_for)
    assert run.status == "queued" and run.missed_slots == 0
    assert [r.status for r in run.step_results.all()] == ["pending"] * 6
    ny.refresh_from_db()
    assert ny.next_run_at == datetime(2026, 11, 30, 9, tzinfo=NY)

    # Three hours later it is 09:00 in Los Angeles.
    assert schedule_due_playbooks(clock(datetime(2026, 11, 23, 8, 59, tzinfo=LA))) == []
    (la_run,) = schedule_due_playbooks(clock(datetime(2026, 11, 23, 9, 1, tzinfo=LA)))
    assert PlaybookRun.objects.get(pk=la_run).playbook == la
    assert schedule_due_playbooks(clock(datetime(2026, 11, 23, 9, 2, tzinfo=LA))) == []
    assert SchedulerState.objects.get().ticks == 5


@pytest.mark.django_db
def test_a_slot_missed_while_no_worker_ran_runs_once(clock, org_a, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    playbook = install("weekly-deals-video", org_a)
    # The workers were down for three Mondays.
    started = schedule_due_playbooks(clock(datetime(2026, 12, 9, 15, tzinfo=LA)))
    assert len(started) == 1
    run = PlaybookRun.objects.get()
    assert run.scheduled_for == datetime(2026, 11, 23, 9, tzinfo=LA)
    assert run.missed_slots == 2
    playbook.refresh_from_db()
    assert playbook.next_run_at == datetime(2026, 12, 14, 9, tzinfo=LA)
    assert schedule_due_playbooks(clock(datetime(2026, 12, 9, 15, 1, tzinfo=LA))) == []


@pytest.mark.django_db
def test_the_repeated_dst_hour_runs_a_slot_once(clock, org_a, install):
    org_a.time_zone = "America/Denver"
    org_a.save()
    clock(datetime(2026, 10, 31, 12, tzinfo=DENVER))
    playbook = install("weekly-deals-video", org_a)
    playbook_update(playbook=playbook, enabled=True, schedule="30 1 * * *", param_overrides={})
    first_pass = datetime(2026, 11, 1, 1, 31, tzinfo=DENVER).astimezone(UTC)  # 01:31 MDT
    second_pass = datetime(2026, 11, 1, 1, 31, tzinfo=DENVER, fold=1).astimezone(UTC)  # MST
    assert second_pass - first_pass == timedelta(hours=1)
    assert len(schedule_due_playbooks(clock(first_pass))) == 1
    assert schedule_due_playbooks(clock(second_pass)) == []
    playbook.refresh_from_db()
    assert playbook.next_run_at == datetime(2026, 11, 2, 1, 30, tzinfo=DENVER)


@pytest.mark.django_db
def test_a_disabled_playbook_does_not_run_and_enabling_does_not_catch_up(clock, org_a, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    playbook = install("weekly-deals-video", org_a)
    playbook_set_enabled(playbook=playbook, enabled=False)
    assert playbook.next_run_at is None
    assert schedule_due_playbooks(clock(datetime(2026, 11, 23, 10, tzinfo=LA))) == []
    playbook_set_enabled(playbook=playbook, enabled=True)
    assert playbook.next_run_at == datetime(2026, 11, 30, 9, tzinfo=LA)
    assert schedule_due_playbooks(clock(datetime(2026, 11, 23, 11, tzinfo=LA))) == []


@pytest.mark.django_db
def test_invalid_cron_is_refused_at_save_and_nothing_is_written(clock, org_a, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    playbook = install("weekly-deals-video", org_a)
    with pytest.raises(InvalidInput) as error:
        playbook_update(
            playbook=playbook,
            enabled=True,
            schedule="0 9 * * mon-fri-sun",
            param_overrides={"step-2": {"provider": "sora"}},
        )
    assert "schedule" in error.value.errors
    with pytest.raises(InvalidInput) as error:
        playbook_update(
            playbook=playbook,
            enabled=True,
            schedule="0 10 * * 2",
            param_overrides={"step-2": {"provider": "runway"}, "step-99": {}},
        )
    assert "“provider”: Must be one of: veo, sora" in error.value.errors["step-2"]
    assert "No step “step-99”" in error.value.errors["param_overrides"]
    stored = Playbook.objects.get(pk=playbook.pk)
    assert (stored.schedule, stored.param_overrides) == ("0 9 * * 1", {})


@pytest.mark.django_db
def test_a_changed_schedule_moves_the_next_run(clock, org_a, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    playbook = install("weekly-deals-video", org_a)
    playbook_update(
        playbook=playbook,
        enabled=True,
        schedule=" 15 7 * * 2 ",
        param_overrides={"step-2": {"provider": "sora"}},
    )
    playbook.refresh_from_db()
    assert playbook.schedule == "15 7 * * 2"
    assert playbook.next_run_at == datetime(2026, 11, 24, 7, 15, tzinfo=LA)
    assert playbook.param_overrides == {"step-2": {"provider": "sora"}}


@pytest.mark.django_db
def test_a_run_key_is_unique_per_playbook_and_slot(clock, org_a, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    playbook = install("weekly-deals-video", org_a)
    slot = playbook.next_run_at
    start_playbook_run(
        playbook=playbook, triggered_by="schedule", run_key=scheduled_run_key(playbook.pk, slot)
    )
    with pytest.raises(IntegrityError):
        start_playbook_run(
            playbook=playbook, triggered_by="schedule", run_key=scheduled_run_key(playbook.pk, slot)
        )


@pytest.mark.django_db
def test_a_scheduler_with_a_stale_view_of_the_slot_starts_nothing(clock, org_a, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    playbook = install("weekly-deals-video", org_a)
    slot = playbook.next_run_at
    assert len(schedule_due_playbooks(clock(slot + timedelta(seconds=5)))) == 1
    # As if a second scheduler had read the playbook before the first moved its slot on.
    Playbook.objects.filter(pk=playbook.pk).update(next_run_at=slot)
    assert schedule_due_playbooks(clock(slot + timedelta(seconds=6))) == []
    assert PlaybookRun.objects.count() == 1


@pytest.mark.django_db
def test_one_broken_playbook_does_not_stop_the_others(clock, org_a, org_b, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    broken = install("weekly-deals-video", org_a)
    fine = install("weekly-deals-video", org_b)
    Playbook.objects.filter(pk=broken.pk).update(schedule="not a cron")
    started = schedule_due_playbooks(clock(datetime(2026, 11, 23, 12, tzinfo=LA)))
    assert [PlaybookRun.objects.get(pk=pk).playbook_id for pk in started] == [fine.pk]


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_failed_by_the_next_tick(clock, org_a, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    run = start_playbook_run(playbook=install("weekly-deals-video", org_a), triggered_by="manual")
    started = datetime(2026, 11, 22, 12, tzinfo=LA)
    PlaybookRun.objects.filter(pk=run.pk).update(status="running", started_at=started)
    run.step_results.filter(step_id="step-1").update(status="succeeded")
    run.step_results.filter(step_id="step-2").update(status="running")
    schedule_due_playbooks(clock(started + STALE_AFTER - timedelta(seconds=1)))
    assert PlaybookRun.objects.get(pk=run.pk).status == "running"
    schedule_due_playbooks(clock(started + STALE_AFTER + timedelta(seconds=1)))
    run.refresh_from_db()
    assert run.status == "failed" and "worker" in run.error
    statuses = dict(run.step_results.values_list("step_id", "status"))
    assert statuses["step-1"] == "succeeded" and statuses["step-2"] == "failed"
    assert statuses["step-3"] == "skipped"


@pytest.mark.django_db
def test_the_clock_override_is_ignored_unless_the_setting_allows_it(settings, db):
    set_clock_override(datetime(2001, 1, 1, tzinfo=LA))
    settings.PLAYBOOKS_CLOCK_OVERRIDE = False
    from playbooks import clock as clock_module

    assert clock_module.now().year >= 2026


@pytest.mark.django_db
def test_the_django_q_schedule_exists_once(db):
    assert Schedule.objects.filter(name=SCHEDULE_NAME).count() == 1  # made by the migration
    Schedule.objects.filter(name=SCHEDULE_NAME).update(minutes=60)
    ensure_scheduler_schedule()
    ensure_scheduler_schedule()
    (schedule,) = Schedule.objects.filter(name=SCHEDULE_NAME)
    assert (schedule.func, schedule.schedule_type, schedule.minutes, schedule.repeats) == (
        SCHEDULE_FUNC,
        Schedule.MINUTES,
        1,
        -1,
    )


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_start_a_slot_once(clock, org_a, org_b, install):
    clock(datetime(2026, 11, 22, 12, tzinfo=LA))
    install("weekly-deals-video", org_a)
    install("weekly-deals-video", org_b)
    now = clock(datetime(2026, 11, 23, 12, tzinfo=LA))
    barrier = threading.Barrier(4)
    started: list[str] = []
    errors: list[BaseException] = []

    def tick():
        try:
            barrier.wait()
            started.extend(schedule_due_playbooks(now))
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(started) == 2 and len(set(started)) == 2
    assert PlaybookRun.objects.count() == 2
    assert sorted(_r.playbook.organisation_id for _r in _runs()) == sorted([org_a.pk, org_b.pk])
