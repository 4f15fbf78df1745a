"""Holds: placed against spend + holds, refused past a hard limit, settled, released, expired."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from costs.budget_selectors import BudgetCheck, check_budget_limit, get_media_budget_status
from costs.budgets import (
    BudgetExceeded,
    place_budget_hold,
    release_budget_hold,
    settle_budget_hold,
)
from costs.models import BudgetHold
from costs.periods import BudgetPeriod

# Spend is recorded in the dict-backed fake store: these tests are about holds and alerts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_store")]


def _held(tenant_id) -> Decimal:
    return get_media_budget_status(tenant_id).period("day").held


def test_it_places_a_hold_that_counts_in_every_period(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="10", weekly_limit="50", monthly_limit="100")
    hold = place_budget_hold(
        tenant_id=org_a.pk, estimated_cost=Decimal("2.50"), reason="image: a sunset"
    )
    assert (hold.amount, hold.status, hold.tenant_id) == (Decimal("2.5"), "active", org_a.pk)
    assert hold.expires_at > timezone.now()
    status = get_media_budget_status(org_a.pk)
    assert [p.held for p in status.periods] == [Decimal("2.5")] * 3
    assert status.period("day").remaining == Decimal("7.5")


def test_it_places_holds_for_a_tenant_without_a_budget(org_a):
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="1.00", reason="no budget")
    assert hold.status == "active"
    assert _held(org_a.pk) == Decimal(1)


def test_it_refuses_a_hold_past_the_daily_limit_saying_by_how_much(org_a, set_budget, record_spend):
    set_budget(org_a.pk, daily_limit="10")
    record_spend(org_a.pk, "8.00")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="1.00", reason="first")
    with pytest.raises(BudgetExceeded) as caught:
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="1.50", reason="second")
    error = caught.value
    assert error.period is BudgetPeriod.DAY
    assert error.over_by == Decimal("0.5")
    assert (error.limit, error.spent_micros, error.held_micros) == (
        Decimal(10),
        8_000_000,
        1_000_000,
    )
    assert "daily budget of $10.00 would be exceeded by $0.50" in str(error)
    assert BudgetHold.objects.filter(tenant=org_a).count() == 1


def test_it_allows_a_hold_that_exactly_reaches_the_limit(org_a, set_budget, record_spend):
    set_budget(org_a.pk, daily_limit="10")
    record_spend(org_a.pk, "9.00")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="1.00", reason="fits exactly")
    with pytest.raises(BudgetExceeded):
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.01", reason="one cent too many")


@pytest.mark.parametrize(
    ("limits", "period"),
    [
        ({"weekly_limit": "5"}, BudgetPeriod.WEEK),
        ({"monthly_limit": "5"}, BudgetPeriod.MONTH),
        ({"daily_limit": "5", "weekly_limit": "5", "monthly_limit": "5"}, BudgetPeriod.DAY),
    ],
)
def test_it_names_the_period_whose_limit_would_be_passed(org_a, set_budget, limits, period):
    set_budget(org_a.pk, **limits)
    with pytest.raises(BudgetExceeded) as caught:
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="6", reason="too big")
    assert caught.value.period is period
    assert caught.value.over_by == Decimal(1)


def test_it_refuses_everything_under_a_zero_limit(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="0")
    with pytest.raises(BudgetExceeded):
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.02", reason="anything")
    assert (
        place_budget_hold(
            tenant_id=org_a.pk, estimated_cost="0", reason="a cache hit costs nothing"
        ).status
        == "active"
    )


def test_it_does_not_block_when_the_hard_limit_is_off(org_a, set_budget, record_spend):
    set_budget(org_a.pk, daily_limit="1", hard_limit_enabled=False)
    record_spend(org_a.pk, "5")
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="2", reason="soft only")
    assert hold.status == "active"
    assert get_media_budget_status(org_a.pk).period("day").state == "exceeded"


def test_it_settles_a_hold_to_a_different_amount(org_a, set_budget, record_spend):
    set_budget(org_a.pk, daily_limit="10")
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="3.00", reason="video 10s")
    record_spend(org_a.pk, "2.25")  # the generation service records the event first …
    status = get_media_budget_status(org_a.pk).period("day")
    assert (status.spent, status.held) == (Decimal("2.25"), Decimal(3))  # … counted twice, never 0
    settled = settle_budget_hold(hold=hold, actual_cost=Decimal("2.25"))
    assert (settled.status, settled.actual, settled.amount) == ("settled", Decimal("2.25"), 3)
    status = get_media_budget_status(org_a.pk).period("day")
    assert (status.spent, status.held, status.remaining) == (Decimal("2.25"), 0, Decimal("7.75"))
    row = BudgetHold.objects.get(pk=hold.id)
    assert (row.status, row.actual_micros) == ("settled", 2_250_000)


def test_it_settles_a_hold_known_only_by_its_id(org_a):
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="worker restarted")
    settled = settle_budget_hold(hold=hold.id, actual_cost="0.75")
    assert (settled.id, settled.status, settled.actual_micros) == (hold.id, "settled", 750_000)


def test_it_releases_a_hold(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="2")
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="2", reason="will fail")
    with pytest.raises(BudgetExceeded):
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="no room")
    released = release_budget_hold(hold=hold)
    assert (released.status, released.actual_micros) == ("released", None)
    assert _held(org_a.pk) == 0
    assert (
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="room again").status
        == "active"
    )


def test_it_closes_a_hold_only_once(org_a):
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="twice")
    first = settle_budget_hold(hold=hold, actual_cost="1")
    assert (
        settle_budget_hold(hold=hold, actual_cost="5") == first
    )  # a retried worker changes nothing
    assert release_budget_hold(hold=hold).status == "settled"
    other = place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="released")
    release_budget_hold(hold=other)
    assert settle_budget_hold(hold=other, actual_cost="1").status == "released"


def test_it_stops_counting_an_expired_hold(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="5")
    dead = place_budget_hold(tenant_id=org_a.pk, estimated_cost="5", reason="worker dies")
    with pytest.raises(BudgetExceeded):
        place_budget_hold(
            tenant_id=org_a.pk, estimated_cost="1", reason="blocked by the dead worker"
        )
    BudgetHold.objects.filter(pk=dead.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _held(org_a.pk) == 0
    assert (
        place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="after expiry").status
        == "active"
    )
    # A late worker can still settle its expired hold; the spend it recorded counts from then on.
    assert settle_budget_hold(hold=dead, actual_cost="5").status == "settled"


def test_it_gives_holds_a_ttl_longer_than_the_longest_job(org_a, settings):
    settings.Q_TIMEOUT = 1800
    before = timezone.now()
    hold = place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="default ttl")
    assert hold.expires_at - before >= timedelta(seconds=1800)
    short = place_budget_hold(
        tenant_id=org_a.pk, estimated_cost="1", reason="custom", ttl=timedelta(minutes=2)
    )
    assert short.expires_at - short.created_at == timedelta(minutes=2)


@pytest.mark.parametrize("amount", ["-1", Decimal("-0.01")])
def test_it_refuses_a_negative_estimate(org_a, amount):
    with pytest.raises(ValueError, match="0 or more"):
        place_budget_hold(tenant_id=org_a.pk, estimated_cost=amount, reason="negative")


def test_it_refuses_a_float_estimate(org_a):
    with pytest.raises(TypeError):
        place_budget_hold(tenant_id=org_a.pk, estimated_cost=1.5, reason="float")


def test_it_refuses_an_unknown_tenant(db):
    with pytest.raises(LookupError):
        place_budget_hold(tenant_id="org_missing", estimated_cost="1", reason="nobody")


def test_it_refuses_an_unknown_hold(db):
    with pytest.raises(LookupError):
        settle_budget_hold(hold="hold_missing", actual_cost="1")


def test_it_checks_a_limit_without_reserving(org_a, set_budget, record_spend):
    assert check_budget_limit(org_a.pk, "1000") == BudgetCheck(True, None)
    set_budget(org_a.pk, daily_limit="10")
    record_spend(org_a.pk, "9")
    assert check_budget_limit(org_a.pk, "1") == BudgetCheck(True, None)
    check = check_budget_limit(org_a.pk, "1.01")
    assert not check.allowed
    assert "daily budget of $10.00 would be exceeded by $0.01" in check.reason
    assert BudgetHold.objects.count() == 0
