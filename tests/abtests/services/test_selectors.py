"""Reads are per tenant: another tenant's test is not found, and lists hold only one's own."""

import pytest

from abtests import services
from abtests.selectors import ABTestNotFound, get_media_ab_test
from tests.abtests.conftest import make_test, start, variant_ids

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_tenants_own_tests(org_a, org_b):
    mine = make_test(org_a, name="Mine")
    make_test(org_b, name="Theirs")
    assert [t.name for t in services.get_media_ab_tests(org_a.pk)] == ["Mine"]
    assert services.get_media_ab_tests(org_a.pk, status="running") == []
    start(mine)
    assert [t.pk for t in services.get_media_ab_tests(org_a.pk, status="running")] == [mine.pk]


def test_it_returns_a_result_per_variant_in_order(running_test):
    results = services.get_media_ab_test_results(running_test.tenant_id, running_test.pk)
    assert [r.variant_id for r in results] == variant_ids(running_test)
    assert all(r.ctr is None and r.cpc is None for r in results)


def test_it_has_no_results_before_the_start(draft_test):
    assert services.get_media_ab_test_results(draft_test.tenant_id, draft_test.pk) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda org, test: get_media_ab_test(org.pk, test.pk),
        lambda org, test: services.get_media_ab_test_results(org.pk, test.pk),
        lambda org, test: services.update_media_ab_test(
            tenant_id=org.pk, test_id=test.pk, updates={"name": "Mine now"}
        ),
        lambda org, test: services.transition_media_ab_test(
            tenant_id=org.pk, test_id=test.pk, status="paused"
        ),
        lambda org, test: services.apply_bandit_split(tenant_id=org.pk, test_id=test.pk, split={}),
        lambda org, test: services.attach_variant_media(tenant_id=org.pk, test_id=test.pk),
    ],
)
def test_it_hides_another_tenants_test(org_b, running_test, call):
    with pytest.raises(ABTestNotFound):
        call(org_b, running_test)
    running_test.refresh_from_db()
    assert (running_test.name, running_test.status) == ("Spring drop hero image", "running")
