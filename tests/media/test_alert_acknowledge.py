"""``POST /dashboard/media/alerts/<id>/acknowledge``: members acknowledge the tenant's cost
alerts."""

import pytest

from costs.budget_selectors import get_media_cost_alerts
from costs.budgets import place_budget_hold, update_media_budget
from tests.media.helpers import DASHBOARD, HTMX, ack_url, spend

pytestmark = pytest.mark.django_db


def test_it_answers_404_for_another_tenants_alert(user_b_client, org_a, org_b):
    update_media_budget(org_a.pk, {"daily_limit": "1"})
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="x")
    alert = get_media_cost_alerts(org_a.pk)[0]
    assert user_b_client.post(ack_url(alert.id)).status_code == 404
    assert user_b_client.post(f"{ack_url(alert.id)}?tenant={org_a.pk}").status_code == 404
    assert not get_media_cost_alerts(org_a.pk)[0].is_acknowledged


def test_it_accepts_only_post(owner_a_client):
    assert owner_a_client.get(ack_url("alert_x")).status_code == 405


def test_it_lists_alerts_and_acknowledges_one_without_javascript(member_a_client, org_a, member_a):
    update_media_budget(org_a.pk, {"daily_limit": "10"})
    spend(org_a.pk, "8")
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="0.10", reason="raises the warning")
    html = member_a_client.get(DASHBOARD).content.decode()
    assert 'data-kind="soft_threshold"' in html
    assert "80% of the daily budget used" in html
    assert "1 new" in html
    alert = get_media_cost_alerts(org_a.pk)[0]
    response = member_a_client.post(ack_url(alert.id), follow=True)
    assert "Alert acknowledged." in response.content.decode()
    assert get_media_cost_alerts(org_a.pk)[0].acknowledged_by == member_a.get_full_name()


def test_it_acknowledges_with_htmx_and_swaps_the_alerts(owner_a_client, org_a):
    update_media_budget(org_a.pk, {"daily_limit": "1"})
    place_budget_hold(tenant_id=org_a.pk, estimated_cost="1", reason="x")
    alert = get_media_cost_alerts(org_a.pk)[0]
    response = owner_a_client.post(ack_url(alert.id), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="alerts-panel"')
    assert "acknowledged by" in html
    assert "new</span>" in html  # the second alert (limit reached) is still new


def test_it_answers_404_for_an_unknown_alert(owner_a_client, org_a):
    assert owner_a_client.post(ack_url("alert_missing")).status_code == 404
