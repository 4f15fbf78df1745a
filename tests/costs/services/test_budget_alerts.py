"""Cost alerts: raised when a hold is placed, settled or refused; once per period and threshold;
e-mailed to the recipients; acknowledged by a user."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from costs.budget_selectors import count_unacknowledged_alerts, get_media_cost_alerts
from costs.budgets import (
    BudgetExceeded,
    acknowledge_cost_alert,
    place_budget_hold,
    raise_budget_alerts,
    release_budget_hold,
    settle_budget_hold,
)
from costs.headroom import forget_headroom
from costs.models import CostAlert

# Spend is recorded in the dict-backed fake store: these tests are about holds and alerts.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_store")]


@pytest.fixture
def budget(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="10", alert_recipients="ops@example.com, cfo@example.com")
    return org_a


def _generate(tenant_id, dollars, record_spend):
    hold = place_budget_hold(tenant_id=tenant_id, estimated_cost=dollars, reason="generation")
    record_spend(tenant_id, dollars)
    return settle_budget_hold(hold=hold, actual_cost=dollars)


def test_it_raises_no_alert_below_the_threshold(budget, record_spend):
    _generate(budget.pk, "7.99", record_spend)
    assert get_media_cost_alerts(budget.pk) == []


def test_it_raises_the_soft_alert_once_when_spend_crosses_the_threshold(
    budget, record_spend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _generate(budget.pk, "7", record_spend)
        _generate(budget.pk, "1", record_spend)  # 80 %
        _generate(budget.pk, "0.50", record_spend)  # still past 80 %: no second alert
    alerts = get_media_cost_alerts(budget.pk)
    assert [(a.kind, a.period, a.threshold_percent) for a in alerts] == [
        ("soft_threshold", "day", 80)
    ]
    assert alerts[0].message == "80% of the daily budget used: $8.00 of $10.00."
    assert alerts[0].severity == "warning"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.com", "cfo@example.com"]
    assert "Alpha Brands" in mail.outbox[0].subject
    assert "80% of the daily budget used" in mail.outbox[0].body
    assert alerts[0].emailed_at is not None


def test_it_raises_the_soft_alert_when_a_hold_is_placed(budget):
    place_budget_hold(tenant_id=budget.pk, estimated_cost="9", reason="big video")
    assert [a.kind for a in get_media_cost_alerts(budget.pk)] == ["soft_threshold"]


def test_it_raises_the_limit_alert_once_when_the_limit_is_reached(budget, record_spend):
    _generate(budget.pk, "10", record_spend)
    raise_budget_alerts(tenant_id=budget.pk)
    alerts = get_media_cost_alerts(budget.pk)
    assert sorted(a.kind for a in alerts) == ["hard_limit", "soft_threshold"]
    hard = next(a for a in alerts if a.kind == "hard_limit")
    assert hard.message == "The daily budget of $10.00 is reached: $10.00 used."
    assert hard.severity == "exceeded"


def test_it_raises_one_blocked_alert_per_period(
    budget, record_spend, django_capture_on_commit_callbacks
):
    _generate(budget.pk, "6", record_spend)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            with pytest.raises(BudgetExceeded):
                place_budget_hold(tenant_id=budget.pk, estimated_cost="5", reason="too much")
    alerts = get_media_cost_alerts(budget.pk)
    assert [a.kind for a in alerts] == ["generation_blocked"]
    assert alerts[0].requested_micros == 5_000_000
    assert alerts[0].message == (
        "A generation of $5.00 was blocked: the daily budget of $10.00 has $4.00 left."
    )
    assert len(mail.outbox) == 1
    assert "generation blocked" in mail.outbox[0].subject


def test_it_raises_the_alerts_again_in_the_next_period(budget, record_spend):
    _generate(budget.pk, "9", record_spend)
    alert = CostAlert.objects.get(tenant=budget)
    alert.period_start -= timedelta(days=1)  # as if it had been raised yesterday
    alert.save()
    forget_headroom({budget.pk})  # as the day's reset would (the headroom lasts until then)
    _generate(budget.pk, "0.10", record_spend)
    assert CostAlert.objects.filter(tenant=budget, kind="soft_threshold").count() == 2


def test_it_raises_a_new_soft_alert_when_the_threshold_changes(budget, set_budget, record_spend):
    _generate(budget.pk, "8", record_spend)
    set_budget(budget.pk, soft_threshold_percent="85")
    _generate(budget.pk, "1", record_spend)
    thresholds = sorted(a.threshold_percent for a in get_media_cost_alerts(budget.pk))
    assert thresholds == [80, 85]


def test_it_counts_a_released_hold_no_more(budget):
    hold = place_budget_hold(tenant_id=budget.pk, estimated_cost="8.50", reason="will fail")
    release_budget_hold(hold=hold)
    CostAlert.objects.all().delete()
    assert raise_budget_alerts(tenant_id=budget.pk) == []


def test_it_keeps_alerts_without_recipients_unmailed(
    org_a, set_budget, record_spend, django_capture_on_commit_callbacks
):
    set_budget(org_a.pk, daily_limit="1")
    with django_capture_on_commit_callbacks(execute=True):
        _generate(org_a.pk, "1", record_spend)
    assert len(get_media_cost_alerts(org_a.pk)) == 2
    assert mail.outbox == []
    assert all(a.emailed_at is None for a in get_media_cost_alerts(org_a.pk))


def test_it_keeps_the_alert_when_the_mail_server_fails(
    budget, record_spend, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with django_capture_on_commit_callbacks(execute=True):
        hold = _generate(budget.pk, "9", record_spend)
    assert hold.status == "settled"
    alerts = get_media_cost_alerts(budget.pk)
    assert [(a.kind, a.emailed_at) for a in alerts] == [("soft_threshold", None)]
    assert "Could not e-mail budget alerts" in caplog.text


def test_it_lets_a_user_acknowledge_an_alert(budget, owner_a, member_a):
    place_budget_hold(tenant_id=budget.pk, estimated_cost="9", reason="big")
    alert = get_media_cost_alerts(budget.pk)[0]
    assert count_unacknowledged_alerts(budget.pk) == 1
    acknowledged = acknowledge_cost_alert(tenant_id=budget.pk, alert_id=alert.id, user=member_a)
    assert acknowledged.is_acknowledged
    assert acknowledged.acknowledged_by == member_a.get_full_name()
    again = acknowledge_cost_alert(tenant_id=budget.pk, alert_id=alert.id, user=owner_a)
    assert (again.acknowledged_by, again.acknowledged_at) == (
        acknowledged.acknowledged_by,
        acknowledged.acknowledged_at,
    )
    assert count_unacknowledged_alerts(budget.pk) == 0
    assert get_media_cost_alerts(budget.pk, include_acknowledged=False) == []


def test_it_does_not_acknowledge_another_tenants_alert(budget, org_b, user_b):
    place_budget_hold(tenant_id=budget.pk, estimated_cost="9", reason="big")
    alert = get_media_cost_alerts(budget.pk)[0]
    assert acknowledge_cost_alert(tenant_id=org_b.pk, alert_id=alert.id, user=user_b) is None
    assert CostAlert.objects.get(pk=alert.id).acknowledged_at is None


def test_it_lists_alerts_newest_first(budget):
    for days, kind in [(3, "soft_threshold"), (1, "hard_limit"), (2, "generation_blocked")]:
        CostAlert.objects.create(
            tenant=budget,
            kind=kind,
            period="day",
            period_start=timezone.localdate() - timedelta(days=days),
            threshold_percent=80,
            limit_micros=1,
            spent_micros=1,
            message=kind,
            created_at=timezone.now() - timedelta(days=days),
        )
    assert [a.kind for a in get_media_cost_alerts(budget.pk)] == [
        "hard_limit",
        "generation_blocked",
        "soft_threshold",
    ]
    assert len(get_media_cost_alerts(budget.pk, limit=2)) == 2


def test_it_raises_the_alert_when_a_settle_costs_more_than_its_estimate(budget, record_spend):
    hold = place_budget_hold(tenant_id=budget.pk, estimated_cost="5", reason="estimated low")
    assert get_media_cost_alerts(budget.pk) == []
    record_spend(budget.pk, "8.50")
    settle_budget_hold(hold=hold, actual_cost="8.50")
    assert [a.kind for a in get_media_cost_alerts(budget.pk)] == ["soft_threshold"]
