"""Bandit mode through the services: ``reweight_bandit_test`` / ``reweight_bandit_tests`` (the
scheduled pass), the split history every change leaves, the stop rule, the sample-ratio check
over the periods, the django-q2 schedule and the task entry point."""

import datetime

import pytest
from django.utils import timezone
from django_q.models import Schedule

from abtests import services, tasks
from abtests.models import MediaABTest, MediaABTestSplitChange
from abtests.selectors import analyse_media_ab_test
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import make_test, record, start, variant_ids

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _bandit_test(org, **overrides):
    return start(
        make_test(
            org,
            bandit_mode=True,
            bandit_interval_hours=6,
            bandit_floor_percent=10,
            **overrides,
        )
    )


def _record(test, control, variant):
    a, b = variant_ids(test)
    record(test, a, impressions=control[0], clicks=control[1])
    record(test, b, impressions=variant[0], clicks=variant[1])


def _later(test, hours):
    return test.started_at + hours * HOUR


def test_starting_records_the_first_split_and_the_schedule(org_a):
    test = _bandit_test(org_a)
    change = test.split_changes.get()
    assert change.reason == "start"
    assert change.split == dict.fromkeys(variant_ids(test), 50)
    assert change.impressions == dict.fromkeys(variant_ids(test), 0)
    schedule = Schedule.objects.get(name=services.BANDIT_SCHEDULE)
    assert (schedule.func, schedule.minutes) == ("abtests.tasks.reweight_bandit_tests", 15)
    services.ensure_bandit_schedule()
    assert Schedule.objects.filter(name=services.BANDIT_SCHEDULE).count() == 1


def test_it_waits_for_the_interval_and_for_100_units_per_arm(org_a):
    test = _bandit_test(org_a)
    _record(test, (99, 5), (400, 30))
    assert (
        services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 7))
        is None
    )
    _record(test, (1000, 40), (1000, 48))
    assert (
        services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 5))
        is None
    )
    moved = services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 6))
    control, playful = variant_ids(test)
    assert moved.reason == "bandit"
    assert moved.split[playful] > 50 > moved.split[control] >= 10
    assert sum(moved.split.values()) == 100
    assert moved.chance_best[playful] > 0.5
    test.refresh_from_db()
    assert [v.split_percent for v in test.variants.all()] == [
        moved.split[control],
        moved.split[playful],
    ]
    change = test.split_changes.order_by("changed_at").last()
    assert change.reason == "bandit"
    assert change.impressions == {control: 1000, playful: 1000}
    assert change.chance_best_bp[playful] == round(moved.chance_best[playful] * 10_000)
    # The next look waits a whole interval from this change.
    assert (
        services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 11))
        is None
    )


def test_the_stop_rule_ends_exploration(org_a):
    test = _bandit_test(org_a)
    _record(test, (5000, 200), (5000, 320))
    stopped = services.reweight_bandit_test(
        tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 6)
    )
    control, playful = variant_ids(test)
    assert stopped.reason == "stop"
    assert stopped.split == {control: 1, playful: 99}
    test.refresh_from_db()
    assert test.bandit_stopped_at == _later(test, 6)
    assert (
        services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 100))
        is None
    )


def test_a_reweighted_test_raises_no_sample_ratio_alarm(org_a):
    test = _bandit_test(org_a)
    playful = variant_ids(test)[1]
    _record(test, (2000, 80), (2000, 100))
    moved = services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 6))
    share = moved.split[playful] / 100
    # The next 10,000 impressions follow the new split exactly.
    _record(test, (2000 + round(10_000 * (1 - share)), 480), (2000 + round(10_000 * share), 600))
    analysis = analyse_media_ab_test(test)
    assert analysis.srm.checked and not analysis.srm.flagged
    # Traffic that ignores the new split is still caught.
    _record(test, (9000, 480), (9000, 600))
    assert analyse_media_ab_test(test).srm.flagged


def test_the_scheduled_pass_moves_only_due_bandit_tests(org_a, org_b):
    due = _bandit_test(org_a)
    _record(due, (1000, 40), (1000, 52))
    fixed = start(make_test(org_b))
    _record(fixed, (1000, 40), (1000, 52))
    run = services.reweight_bandit_tests(now=timezone.now() + 7 * HOUR)
    assert [r.test_id for r in run.reweighted] == [due.pk]
    assert run.looked_at == 1
    assert fixed.split_changes.count() == 1


def test_the_task_is_a_thin_entry_point(org_a, monkeypatch):
    test = _bandit_test(org_a)
    _record(test, (1000, 40), (1000, 52))
    later = timezone.now() + 7 * HOUR
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    assert tasks.reweight_bandit_tests() == 1
    assert test.split_changes.filter(reason="bandit").exists()


def test_a_paused_or_fixed_test_is_never_reweighted(org_a):
    test = _bandit_test(org_a)
    _record(test, (1000, 40), (1000, 52))
    services.transition_media_ab_test(tenant_id=org_a.pk, test_id=test.pk, status="paused")
    assert (
        services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=_later(test, 7))
        is None
    )
    assert MediaABTestSplitChange.objects.filter(test=test).count() == 1


def test_a_manual_split_is_recorded_too(running_test):
    control, playful = variant_ids(running_test)
    services.apply_bandit_split(
        tenant_id=running_test.tenant_id, test_id=running_test.pk, split={control: 30, playful: 70}
    )
    reasons = list(running_test.split_changes.values_list("reason", flat=True))
    assert reasons == ["start", "manual"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"primary_metric": "cpc"}, "bandit_mode", "not on CPC"),
        ({"bandit_interval_hours": 0}, "bandit_interval_hours", "at least 1"),
        ({"bandit_interval_hours": 169}, "bandit_interval_hours", "168"),
        ({"bandit_floor_percent": 21}, "bandit_floor_percent", "20"),
    ],
)
def test_it_refuses_bad_bandit_settings(org_a, overrides, field, message):
    with pytest.raises(InvalidInput) as refused:
        make_test(org_a, bandit_mode=True, **overrides)
    assert message in refused.value.errors[field]
    assert not MediaABTest.objects.exists()


def test_a_floor_must_leave_room_for_every_variant(org_a):
    variants = [{"name": f"V{i}", "custom_prompt": "p"} for i in range(7)]
    test = make_test(org_a, bandit_mode=True, bandit_floor_percent=15, variants=variants)
    with pytest.raises(InvalidInput) as refused:
        services.transition_media_ab_test(tenant_id=org_a.pk, test_id=test.pk, status="running")
    assert "leaves the bandit no room" in refused.value.errors["bandit_floor_percent"]


def test_one_failing_test_does_not_stop_the_others(org_a, monkeypatch, caplog):
    broken, fine = _bandit_test(org_a), _bandit_test(org_a)
    for test in (broken, fine):
        _record(test, (1000, 40), (1000, 52))
    real = services.stats.bandit_step

    def step(arms, **options):
        if arms[0] == (40, 1000) and step.calls == 0:
            step.calls += 1
            raise FloatingPointError("boom")
        return real(arms, **options)

    step.calls = 0
    monkeypatch.setattr(services.stats, "bandit_step", step)
    run = services.reweight_bandit_tests(now=timezone.now() + 7 * HOUR)
    assert run.looked_at == 2 and len(run.reweighted) == 1
    assert "bandit re-weighting of test" in caplog.text
