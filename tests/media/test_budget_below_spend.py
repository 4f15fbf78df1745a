"""``POST /dashboard/media/budget`` with a limit below what the period has already spent: the
owner is asked first, and saving anyway raises the limit's alert at once (in the bell too); a
limit as large as 99999999999999999999999 is refused for being too large."""

import pytest

from bakedbot.notices import get_bell
from costs.budget_selectors import get_media_budget
from costs.models import CostAlert
from tests.media.helpers import GOOD_BUDGET, HTMX, UPDATE, spend, text_of

pytestmark = pytest.mark.django_db


def test_it_asks_before_a_limit_below_todays_spend_and_then_raises_the_alert(
    owner_a_client, owner_a, org_a, sql_store
):
    owner_a_client.post(UPDATE, GOOD_BUDGET)
    spend(org_a.pk, "4.00")
    lower = {**GOOD_BUDGET, "daily_limit": "2"}
    asked = owner_a_client.post(UPDATE, lower, **HTMX)
    text = text_of(asked)
    assert "$2.00 is below the $4.00 already spent this day" in text
    assert get_media_budget(org_a.pk).daily_limit == 10  # not saved yet
    assert not CostAlert.objects.exists()
    saved = owner_a_client.post(UPDATE, {**lower, "confirm_below_spend": "yes"})
    assert saved.status_code == 302
    assert get_media_budget(org_a.pk).daily_limit == 2
    assert CostAlert.objects.filter(tenant=org_a, kind="hard_limit", period="day").exists()
    assert any(n.kind == "budget" for n in get_bell(user=owner_a).notices)


def test_it_asks_without_javascript_too(owner_a_client, org_a, sql_store):
    owner_a_client.post(UPDATE, GOOD_BUDGET)
    spend(org_a.pk, "4.00")
    response = owner_a_client.post(UPDATE, {**GOOD_BUDGET, "daily_limit": "2"})
    assert response.status_code == 409
    assert 'data-testid="confirm-below-spend"' in response.content.decode()


def test_it_saves_a_limit_above_spend_without_asking(owner_a_client, org_a, sql_store):
    spend(org_a.pk, "1.00")
    assert owner_a_client.post(UPDATE, GOOD_BUDGET).status_code == 302


def test_it_says_a_huge_limit_is_too_large(owner_a_client, org_a, sql_store):
    response = owner_a_client.post(
        UPDATE, {**GOOD_BUDGET, "daily_limit": "99999999999999999999999"}
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "Must be at most $1,000,000." in text and "no symbols or exponents" not in text
