"""get_budget_usage_by_tenant: a page of tenants' budget use in a fixed number of reads."""

from decimal import Decimal

import pytest

from costs.budget_selectors import (
    get_budget_usage_by_tenant,
)
from costs.budgets import place_budget_hold
from costs.periods import BudgetPeriod
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_it_gives_budget_usage_for_a_page_of_tenants(
    org_a, org_b, set_budget, record_spend, django_assert_max_num_queries
):
    set_budget(org_a.pk, daily_limit="10", monthly_limit="100")
    set_budget(org_b.pk, alert_recipients="x@example.com")  # no limits: absent
    others = [OrganisationFactory() for _ in range(5)]
    for org in others:
        set_budget(org.pk, weekly_limit="20")
        record_spend(org.pk, "5")
    record_spend(org_a.pk, "9")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.50", reason="x")
    ids = [org_a.pk, org_b.pk, "org_missing", *[o.pk for o in others]]
    # Budgets, holds, and one spend read per distinct window (two zones here), not per tenant.
    with django_assert_max_num_queries(2 + 2 * 3):
        usage = get_budget_usage_by_tenant(ids)
    assert set(usage) == {org_a.pk, *[o.pk for o in others]}
    a = usage[org_a.pk]
    assert [p.period for p in a.periods] == [BudgetPeriod.DAY, BudgetPeriod.MONTH]
    assert (a.headline.period, a.percent, a.state) == (BudgetPeriod.DAY, Decimal("95.0"), "warning")
    assert usage[others[0].pk].percent == 25
    assert usage[others[0].pk].state == "ok"
    assert get_budget_usage_by_tenant([]) == {}
