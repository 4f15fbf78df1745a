"""The lifecycle: draft → running → paused ⇄ running → completed, and every other move refused
with a message."""

import datetime

import pytest
from django.utils import timezone

from abtests import services
from abtests.models import MediaABTest, MediaABTestResult
from bakedbot.errors import InvalidInput
from tests.abtests.conftest import ab_test_data, make_test

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("draft", "running"),
    ("running", "paused"),
    ("paused", "running"),
    ("running", "completed"),
}
STATUSES = ["draft", "running", "paused", "completed"]


def _move(test, status):
    return services.transition_media_ab_test(
        tenant_id=test.tenant_id, test_id=test.pk, status=status
    )


def _test_in(org, status) -> MediaABTest:
    test = make_test(org)
    path = {"draft": [], "running": ["running"], "paused": ["running", "paused"]}
    path["completed"] = ["running", "completed"]
    for step in path[status]:
        assert _move(test, step).status == step
    test.refresh_from_db()
    assert test.status == status
    return test


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_it_allows_exactly_the_lifecycle_transitions(org_a, source, target):
    if source == target:
        return
    test = _test_in(org_a, source)
    if (source, target) in ALLOWED:
        saved = _move(test, target)
        test.refresh_from_db()
        assert saved.status == target and test.status == target
    else:
        with pytest.raises(InvalidInput) as refused:
            _move(test, target)
        test.refresh_from_db()
        assert test.status == source
        assert f"A {source} test cannot become {target}" in refused.value.errors["status"]


def test_it_tells_what_a_test_may_move_to(org_a):
    test = _test_in(org_a, "completed")
    with pytest.raises(InvalidInput) as refused:
        _move(test, "running")
    assert refused.value.errors == {
        "status": "A completed test cannot become running; it can move to nothing (it is final)."
    }
    paused = _test_in(org_a, "paused")
    with pytest.raises(InvalidInput) as refused:
        _move(paused, "completed")
    assert refused.value.errors["status"].endswith("it can move to running.")


def test_it_refuses_an_unknown_status(draft_test):
    with pytest.raises(InvalidInput) as refused:
        _move(draft_test, "archived")
    assert refused.value.errors == {"status": "Unknown status 'archived'."}


def test_starting_records_the_start_and_opens_a_result_per_variant(org_a):
    test = _test_in(org_a, "running")
    assert test.started_at is not None
    assert test.start_date == timezone.now().astimezone(org_a.tz).date()
    assert MediaABTestResult.objects.filter(test=test).count() == 2


def test_it_keeps_a_planned_start_date(org_a):
    test = make_test(org_a, start_date="2030-01-15")
    _move(test, "running")
    test.refresh_from_db()
    assert test.start_date == datetime.date(2030, 1, 15)


def test_completing_sets_the_end_date_to_today_at_the_latest(org_a):
    test = make_test(org_a, end_date="2099-12-31")
    _move(test, "running")
    _move(test, "completed")
    test.refresh_from_db()
    assert test.completed_at is not None
    assert test.end_date == timezone.now().astimezone(org_a.tz).date()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"variants": [{"name": "Only", "custom_prompt": "x"}]}, "variants", "at least two"),
        (
            {"variants": [{"name": "A"}, {"name": "B", "custom_prompt": "x"}]},
            "variants.1.custom_prompt",
            "preset or write a prompt",
        ),
        ({"metrics": []}, "metrics", "Choose the metrics"),
    ],
)
def test_it_refuses_to_start_an_incomplete_test(org_a, overrides, field, message):
    test = make_test(org_a, **overrides)
    with pytest.raises(InvalidInput) as refused:
        _move(test, "running")
    assert message in refused.value.errors[field]
    test.refresh_from_db()
    assert test.status == "draft" and test.started_at is None
    assert not MediaABTestResult.objects.exists()


def test_it_starts_through_an_update_with_other_changes_all_or_nothing(draft_test):
    saved = services.update_media_ab_test(
        tenant_id=draft_test.tenant_id,
        test_id=draft_test.pk,
        updates={"name": "Go", "status": "running"},
    )
    assert saved.status == "running"
    draft_test.refresh_from_db()
    assert (draft_test.name, draft_test.status) == ("Go", "running")

    with pytest.raises(InvalidInput) as refused:
        services.update_media_ab_test(
            tenant_id=draft_test.tenant_id,
            test_id=draft_test.pk,
            updates={"name": "Back", "status": "draft"},
        )
    assert "cannot become draft" in refused.value.errors["status"]
    draft_test.refresh_from_db()
    assert (draft_test.name, draft_test.status) == ("Go", "running")


def test_it_can_create_a_test_already_running(org_a):
    saved = services.create_media_ab_test(tenant_id=org_a.pk, data=ab_test_data(status="running"))
    assert saved.status == "running"
    assert MediaABTest.objects.get(pk=saved.test_id).status == "running"
    with pytest.raises(InvalidInput) as refused:
        services.create_media_ab_test(
            tenant_id=org_a.pk,
            data=ab_test_data(status="running", variants=[{"name": "Solo", "custom_prompt": "x"}]),
        )
    assert "at least two" in refused.value.errors["variants"]
    assert MediaABTest.objects.count() == 1
