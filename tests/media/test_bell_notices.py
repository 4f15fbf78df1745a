"""What reaches the owners' bell from media and costs: content waiting for approval (gone once
reviewed) and budget alerts (gone once acknowledged), each once."""

import pytest

from bakedbot.notices import get_bell
from costs.budgets import acknowledge_cost_alert, raise_budget_alerts, update_media_budget
from media import services as media_services
from tests.media.helpers import spend, submit

pytestmark = pytest.mark.django_db


def test_it_tells_owners_about_content_waiting_until_it_is_reviewed(
    org_a, owner_a, image_a, member_a
):
    content_id = submit(org_a, image_a, title="Alpha deals")
    [notice] = get_bell(user=owner_a).notices
    assert notice.title == "Waiting for your approval: Alpha deals"
    media_services.reject_creative_content(
        tenant_id=org_a.pk, content_id=content_id, reviewed_by=owner_a, comment="Too loud"
    )
    assert get_bell(user=owner_a).notices == ()  # handled: out of the bell, no stale copy


def test_it_tells_owners_about_a_budget_alert_until_it_is_acknowledged(org_a, owner_a, sql_store):
    update_media_budget(org_a.pk, {"daily_limit": "1.00", "soft_threshold_percent": 50})
    spend(org_a.pk, "0.80")
    alerts = raise_budget_alerts(tenant_id=org_a.pk)
    assert alerts
    assert raise_budget_alerts(tenant_id=org_a.pk) == []
    bell = get_bell(user=owner_a)
    assert bell.unread == len(alerts) and bell.notices[0].kind == "budget"
    for alert in alerts:
        acknowledge_cost_alert(tenant_id=org_a.pk, alert_id=alert.id, user=owner_a)
    assert get_bell(user=owner_a).notices == ()
