"""The headroom (``costs.headroom``): after one hold the long way, the next holds take from it
without reading the spend — and it is never larger than what the limits and thresholds leave."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from costs.budget_selectors import get_media_budget_status
from costs.budgets import (
    BudgetExceeded,
    place_budget_hold,
    release_budget_hold,
    settle_budget_hold,
)
from costs.domain import MediaGenerationEvent, new_event_id
from costs.models import BudgetHold, CostAlert, MediaBudget, TenantUsageRollup
from costs.outbox import queue_pending_event
from costs.services import recompute_aggregates, track_media_generations
from costs.tenants import tenant_local_date

pytestmark = pytest.mark.django_db

DOLLAR = 1_000_000


def _headroom(tenant_id: str) -> int | None:
    """The stored headroom, None when it is not valid now."""
    budget = MediaBudget.objects.get(tenant_id=tenant_id)
    if budget.headroom_until is None or budget.headroom_until <= timezone.now():
        return None
    return budget.headroom_micros


def _exact(tenant_id: str) -> int:
    """What the limits leave before a hold would make an alert due or pass a limit, from the
    spend, holds and alerts read now: below threshold % of the limit, until the warning (unless
    this period had it already); then until the limit."""
    room = []
    for period in get_media_budget_status(tenant_id).periods:
        if period.limit_micros is None:
            continue
        warning_at = -(-period.soft_threshold_percent * period.limit_micros // 100)
        warned = CostAlert.objects.filter(
            tenant_id=tenant_id,
            kind="soft_threshold",
            period=period.period.value,
            period_start=period.window.start_date,
        ).exists()
        before_warning = period.used_micros < warning_at and not warned
        next_alert_at = warning_at if before_warning else period.limit_micros
        room.append(next_alert_at - 1 - period.used_micros)
    return min(room)


def _event(tenant_id: str, cost_micros: int) -> MediaGenerationEvent:
    return MediaGenerationEvent(
        id=new_event_id(),
        tenant_id=tenant_id,
        user_id="tester",
        type="image",
        provider="imagen",
        cost_micros=cost_micros,
        created_at=timezone.now(),
    )


def _hold(tenant_id: str, dollars: str):
    return place_budget_hold(tenant_id=tenant_id, estimated_cost=dollars, reason="test")


def test_the_first_hold_sets_the_headroom_and_the_next_take_from_it(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="10", soft_threshold_percent=80)
    _hold(org_a.pk, "1")
    assert _headroom(org_a.pk) == 8 * DOLLAR - 1 - 1 * DOLLAR == _exact(org_a.pk)

    with CaptureQueriesContext(connection) as queries:
        _hold(org_a.pk, "1")

    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "costs_tenantusagerollup" not in tables and "costs_pendingcostevent" not in tables
    assert "costs_budgethold" in tables
    assert _headroom(org_a.pk) == 8 * DOLLAR - 1 - 2 * DOLLAR == _exact(org_a.pk)


def test_a_recorded_generation_takes_its_cost_and_settling_gives_the_estimate_back(
    org_a, set_budget, record_spend
):
    set_budget(org_a.pk, daily_limit="10", soft_threshold_percent=100)
    hold = _hold(org_a.pk, "2")
    record_spend(org_a.pk, "1.50")
    settle_budget_hold(hold=hold, actual_cost="1.50")
    assert _headroom(org_a.pk) == 10 * DOLLAR - 1 - 1_500_000 == _exact(org_a.pk)

    release_budget_hold(hold=_hold(org_a.pk, "3"))
    assert _headroom(org_a.pk) == _exact(org_a.pk)


def test_spend_recorded_without_a_hold_counts_for_the_next_hold(org_a, set_budget, record_spend):
    set_budget(org_a.pk, daily_limit="10", soft_threshold_percent=100)
    _hold(org_a.pk, "1")
    record_spend(org_a.pk, "8.50")  # an API event: no hold

    with pytest.raises(BudgetExceeded):
        _hold(org_a.pk, "1")
    assert BudgetHold.objects.filter(tenant=org_a).count() == 1


def test_a_hold_that_would_make_an_alert_due_goes_the_long_way_and_raises_it(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="10", soft_threshold_percent=50)
    for _ in range(4):
        _hold(org_a.pk, "1")
    assert not CostAlert.objects.filter(tenant=org_a).exists()

    _hold(org_a.pk, "1")  # 50%

    assert list(CostAlert.objects.filter(tenant=org_a).values_list("kind", flat=True)) == [
        "soft_threshold"
    ]
    assert _headroom(org_a.pk) == 10 * DOLLAR - 1 - 5 * DOLLAR  # next: the limit reached


def test_new_limits_forget_the_headroom(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="100")
    _hold(org_a.pk, "1")
    set_budget(org_a.pk, daily_limit="1.50")

    assert _headroom(org_a.pk) is None
    with pytest.raises(BudgetExceeded):
        _hold(org_a.pk, "1")


def test_closing_an_expired_hold_gives_nothing_back(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="10")
    hold = _hold(org_a.pk, "1")
    BudgetHold.objects.filter(pk=hold.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = _headroom(org_a.pk)

    release_budget_hold(hold=hold.id)

    assert _headroom(org_a.pk) == before < _exact(org_a.pk)


def test_the_outbox_takes_a_waiting_generations_cost(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="10", soft_threshold_percent=100)
    _hold(org_a.pk, "1")
    event = _event(org_a.pk, 2 * DOLLAR)
    queue_pending_event(event, local_date=tenant_local_date(org_a.pk, event.created_at))

    assert _headroom(org_a.pk) == 10 * DOLLAR - 1 - 3 * DOLLAR == _exact(org_a.pk)


def test_a_bulk_import_forgets_the_headroom_of_its_tenants(org_a, org_b, set_budget):
    set_budget(org_a.pk, daily_limit="10")
    set_budget(org_b.pk, daily_limit="10")
    _hold(org_a.pk, "1")
    _hold(org_b.pk, "1")
    event = _event(org_a.pk, DOLLAR)

    assert track_media_generations([event]) == 1

    assert _headroom(org_a.pk) is None
    assert _headroom(org_b.pk) is not None


def test_a_repair_of_the_aggregates_forgets_the_headroom(org_a, set_budget, record_spend):
    set_budget(org_a.pk, daily_limit="10")
    record_spend(org_a.pk, "1")
    _hold(org_a.pk, "1")
    TenantUsageRollup.objects.filter(tenant_id=org_a.pk).update(cost_micros=0)  # drifted

    assert not recompute_aggregates(tenant_id=org_a.pk).clean

    assert _headroom(org_a.pk) is None


@pytest.mark.parametrize("seed", range(8))
def test_the_headroom_is_never_more_than_the_limits_leave(org_a, set_budget, record_spend, seed):
    """Random holds, generations recorded and settled (some costing more than their
    estimate), releases, expired holds and spend without a hold: after every step a valid
    headroom is at most the exact one, and the hard limit is never passed."""
    rng = random.Random(seed)
    set_budget(org_a.pk, daily_limit="20", weekly_limit="30", soft_threshold_percent=60)
    active = []
    for _ in range(60):
        step = rng.choice(["hold", "hold", "settle", "release", "expire", "spend"])
        if step == "hold":
            try:
                active.append(_hold(org_a.pk, f"{rng.randint(1, 20) / 10:.2f}"))
            except BudgetExceeded:
                pass
            else:  # a hold placed leaves every limit kept
                periods = get_media_budget_status(org_a.pk).periods
                assert all(p.used_micros <= p.limit_micros for p in periods if p.limit_micros)
        elif step in ("settle", "release", "expire") and active:
            hold = active.pop(rng.randrange(len(active)))
            if step == "settle":
                actual = f"{hold.amount * Decimal(rng.randint(0, 15)) / 10:.2f}"
                record_spend(org_a.pk, actual)
                settle_budget_hold(hold=hold, actual_cost=actual)
            elif step == "release":
                release_budget_hold(hold=hold)
            else:
                BudgetHold.objects.filter(pk=hold.id).update(expires_at=timezone.now())
        elif step == "spend":
            record_spend(org_a.pk, f"{rng.randint(1, 10) / 10:.2f}")
        headroom = _headroom(org_a.pk)
        assert headroom is None or headroom <= _exact(org_a.pk), step
