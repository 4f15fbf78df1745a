"""The outbox (``costs.outbox``): a paid generation the store cannot take waits in the Django
database with its hold settled in the same transaction; budgets count it; the drain records it
once — run twice or concurrently — and backs off while the store is down."""

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_q.models import Schedule

from costs.budget_selectors import get_budget_usage_by_tenant, get_media_budget_status
from costs.budgets import BudgetExceeded, place_budget_hold, update_media_budget
from costs.domain import MediaGenerationEvent
from costs.models import BudgetHold, PendingCostEvent
from costs.outbox import (
    OUTBOX_SCHEDULE,
    DrainReport,
    backoff_seconds,
    drain_cost_outbox,
    queue_pending_event,
    track_paid_generation,
)
from costs.selectors import (
    count_waiting_generations,
    get_media_generation_event,
    get_media_usage,
    get_tenant_spend,
)
from costs.services import price_media_generation, track_media_generation
from costs.stores import get_repository, use_repository
from costs.tenants import tenant_local_date, tenant_today
from tests.costs.fake_repository import SwitchableFakeRepository


@pytest.fixture
def store(db):
    with use_repository(SwitchableFakeRepository()) as repository:
        yield repository


def _event(tenant, n=1, **values) -> MediaGenerationEvent:
    values.setdefault("provider", "gemini-pro")
    values.setdefault("cost_micros", 40_000)  # as charged: the figures below follow from it
    return MediaGenerationEvent(
        id=f"job_{n}:done",
        tenant_id=tenant.pk,
        user_id="7",
        type="image",
        created_at=values.pop("created_at", datetime.now(UTC)),
        **values,
    )


def test_a_paid_generation_waits_in_the_outbox_with_its_hold_settled(
    org_a, store, django_capture_on_commit_callbacks
):
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.50", reason="image")
    store.down = True
    with django_capture_on_commit_callbacks(execute=True):
        paid = track_paid_generation(_event(org_a), hold=hold)

    assert paid.waiting and paid.event.cost_micros == 40_000
    row = PendingCostEvent.objects.get()
    assert (row.id, row.tenant_id, row.cost_micros) == ("job_1:done", org_a.pk, 40_000)
    assert row.local_date == tenant_local_date(org_a.pk, paid.event.created_at)
    settled = BudgetHold.objects.get(pk=hold.id)
    assert (settled.status, settled.actual_micros) == ("settled", 40_000)
    assert count_waiting_generations(org_a.pk) == count_waiting_generations() == 1
    # The job reads its event back from the outbox while it waits.
    assert get_media_generation_event("job_1:done") == paid.event
    # The drain is scheduled (once, however many events wait).
    assert Schedule.objects.filter(name=OUTBOX_SCHEDULE).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        track_paid_generation(_event(org_a, 2))
    assert Schedule.objects.filter(name=OUTBOX_SCHEDULE).count() == 1


def test_with_the_store_up_it_records_and_leaves_the_hold_to_the_caller(org_a, store):
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.50", reason="image")
    paid = track_paid_generation(_event(org_a), hold=hold)
    assert not paid.waiting and store.get_event("job_1:done") == paid.event
    assert not PendingCostEvent.objects.exists()
    assert BudgetHold.objects.get(pk=hold.id).status == "active"


def test_the_outbox_row_and_the_settle_are_one_transaction(org_a, store):
    store.down = True
    with pytest.raises(LookupError):
        track_paid_generation(_event(org_a), hold="hold_that_does_not_exist")
    assert not PendingCostEvent.objects.exists()


def test_a_free_outcome_waits_too_and_releases_its_hold(org_a, store):
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.50", reason="image")
    store.down = True
    paid = track_paid_generation(
        _event(org_a, success=False, cost_micros=0, error="blocked"), hold=hold
    )
    assert paid.waiting and PendingCostEvent.objects.get().cost_micros == 0
    assert BudgetHold.objects.get(pk=hold.id).status == "released"


def test_bad_input_is_refused_before_anything_is_written(org_a, store):
    store.down = True
    with pytest.raises(ValueError):
        track_paid_generation(_event(org_a, provider="no-such-provider"))
    assert not PendingCostEvent.objects.exists()


def test_the_same_event_queued_twice_is_one_row(org_a, store):
    priced = price_media_generation(_event(org_a))
    day = tenant_today(org_a.pk)
    assert queue_pending_event(priced, local_date=day)
    assert not queue_pending_event(priced, local_date=day)
    assert PendingCostEvent.objects.count() == 1


def test_budgets_count_waiting_events_so_an_outage_opens_no_hole(org_a, org_b, store):
    update_media_budget(org_a.pk, {"daily_limit": "0.10"})
    update_media_budget(org_b.pk, {"daily_limit": "0.10"})
    store.down = True
    track_paid_generation(_event(org_a))
    store.down = False  # back, not drained yet

    today = tenant_today(org_a.pk)
    assert get_tenant_spend(org_a.pk, today, today) == Decimal("0.04")
    assert get_media_budget_status(org_a.pk).period("day").spent == Decimal("0.04")
    usage = get_budget_usage_by_tenant([org_a.pk, org_b.pk])
    assert usage[org_a.pk].headline.spent_micros == 40_000
    assert usage[org_b.pk].headline.spent_micros == 0
    with pytest.raises(BudgetExceeded):
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.07", reason="image")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.06", reason="image")

    # Drained: the store counts it, the outbox no longer does — never both, never neither.
    assert drain_cost_outbox().recorded == 1
    assert get_tenant_spend(org_a.pk, today, today) == Decimal("0.04")
    assert get_media_usage(org_a.pk, today, today).total_generations == 1


def test_the_drain_backs_off_while_the_store_is_down(org_a, store):
    store.down = True
    for n in (1, 2, 3):
        track_paid_generation(_event(org_a, n))
    now = timezone.now()

    assert drain_cost_outbox(now=now) == DrainReport(recorded=0, found=0, waiting=3)
    rows = list(PendingCostEvent.objects.order_by("queued_at"))
    assert {row.attempts for row in rows} == {1}
    assert {row.next_attempt_at for row in rows} == {now + timedelta(seconds=30)}
    assert "temporarily unavailable" in rows[0].last_error
    # Not due yet: nothing is tried.
    store.down = False
    assert drain_cost_outbox(now=now + timedelta(seconds=10)).recorded == 0
    assert drain_cost_outbox(now=now + timedelta(seconds=30)) == DrainReport(3, 0, 0)
    assert [backoff_seconds(n) for n in (1, 2, 3, 6, 20)] == [30, 60, 120, 900, 900]


def test_an_event_the_store_already_has_is_not_added_again(org_a, store):
    recorded = track_media_generation(_event(org_a))
    queue_pending_event(recorded, local_date=tenant_today(org_a.pk))  # a drain died after it

    assert drain_cost_outbox() == DrainReport(recorded=0, found=1, waiting=0)
    today = tenant_today(org_a.pk)
    assert get_media_usage(org_a.pk, today, today).total_generations == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_drains_record_each_event_once(org_a, cost_store):
    """Four drains at once over the same 40 rows (real threads and connections; on SQL, on
    Firestore through the emulator, and on the fake)."""
    day = tenant_today(org_a.pk)
    for n in range(40):
        queue_pending_event(price_media_generation(_event(org_a, n)), local_date=day)
    reports: list[DrainReport] = []
    start = threading.Barrier(4)

    def drain() -> None:
        from django.db import connection

        try:
            start.wait()
            reports.append(drain_cost_outbox())
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(report.recorded for report in reports) == 40
    assert not PendingCostEvent.objects.exists()
    usage = get_media_usage(org_a.pk, day, day)
    assert (usage.total_generations, usage.total_cost_micros) == (40, 40 * 40_000)
    assert get_repository().global_usage(day, day).totals.count == 40
    assert drain_cost_outbox() == DrainReport(0, 0, 0)


def test_the_schedule_runs_the_drain_through_the_task_entry_point(org_a, store):
    from django.utils.module_loading import import_string

    from costs.outbox import ensure_outbox_schedule

    ensure_outbox_schedule()
    ensure_outbox_schedule()
    [schedule] = Schedule.objects.filter(name=OUTBOX_SCHEDULE)
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 1, -1)
    store.down = True
    track_paid_generation(_event(org_a))
    store.down = False
    assert import_string(schedule.func)() == DrainReport(recorded=1, found=0, waiting=0)
