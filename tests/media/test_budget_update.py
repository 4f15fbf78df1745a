"""``POST /dashboard/media/budget``: owners save the budget; bad fields are named and nothing is
saved."""

from decimal import Decimal

import pytest

from costs.budget_selectors import get_media_budget
from costs.budgets import update_media_budget
from costs.models import MediaBudget
from tests.media.helpers import DASHBOARD, GOOD_BUDGET, HTMX, UPDATE

pytestmark = pytest.mark.django_db


# Who may save it


def test_it_refuses_a_member_who_posts_the_budget_form(member_a_client, org_a):
    response = member_a_client.post(UPDATE, GOOD_BUDGET)
    assert response.status_code == 403
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_answers_404_for_another_tenant(user_b_client, org_a):
    response = user_b_client.post(f"{UPDATE}?tenant={org_a.pk}", GOOD_BUDGET)
    assert response.status_code == 404
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_lets_a_super_admin_edit_any_tenant_and_stay_in_it(super_admin_client, org_a, org_b):
    response = super_admin_client.post(f"{UPDATE}?tenant={org_b.pk}", GOOD_BUDGET)
    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?tenant={org_b.pk}"
    assert get_media_budget(org_b.pk).daily_limit == 10
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_refuses_a_super_admin_without_a_tenant(super_admin_client):
    assert super_admin_client.post(UPDATE, GOOD_BUDGET).status_code == 403


def test_it_accepts_only_post(owner_a_client):
    assert owner_a_client.get(UPDATE).status_code == 405


# Saving


def test_it_saves_the_budget_without_javascript(owner_a_client, org_a, owner_a):
    response = owner_a_client.post(UPDATE, GOOD_BUDGET, follow=True)
    assert response.redirect_chain == [(DASHBOARD, 302)]
    assert "Budget saved." in response.content.decode()
    config = get_media_budget(org_a.pk)
    assert (config.daily_limit, config.weekly_limit, config.monthly_limit) == (
        10,
        50,
        Decimal("150.5"),
    )
    assert config.hard_limit_enabled and config.alert_recipients == ("ops@example.com",)
    assert MediaBudget.objects.get(pk=org_a.pk).updated_by == owner_a


def test_it_saves_the_budget_with_htmx_and_swaps_the_panel(owner_a_client, org_a):
    response = owner_a_client.post(UPDATE, {**GOOD_BUDGET, "hard_limit_enabled": ""}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="budget-panel"')
    assert "Budget saved." in html and 'hx-swap-oob="beforeend:#toasts"' in html
    assert "<html" not in html
    assert get_media_budget(org_a.pk).hard_limit_enabled is False  # an unticked box is off


def test_it_clears_a_limit_left_empty(owner_a_client, org_a):
    update_media_budget(org_a.pk, {"daily_limit": "5"})
    owner_a_client.post(UPDATE, {**GOOD_BUDGET, "daily_limit": ""})
    assert get_media_budget(org_a.pk).daily_limit is None


BAD_INPUTS = [
    ("daily_limit", "-1", "0 or more"),
    ("daily_limit", "1000000.01", "at most $1,000,000"),
    ("weekly_limit", "10.005", "2 decimal places"),
    ("monthly_limit", "NaN", "plain number"),
    ("monthly_limit", "inf", "plain number"),
    ("daily_limit", "1e3", "plain number"),
    ("daily_limit", "ten", "plain number"),
    ("soft_threshold_percent", "0", "whole number from 1 to 100"),
    ("soft_threshold_percent", "101", "whole number from 1 to 100"),
    ("soft_threshold_percent", "", "whole number from 1 to 100"),
    ("daily_limit", "60", "can&#x27;t be more than the weekly limit"),
    ("weekly_limit", "200", "can&#x27;t be more than the monthly limit"),
    ("alert_recipients", "ops@example.com, not-an-address", "Not a valid e-mail address"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS)
def test_it_shows_the_error_by_the_field_and_saves_nothing_without_javascript(
    owner_a_client, org_a, field, value, message
):
    update_media_budget(org_a.pk, {"daily_limit": "1"})
    before = get_media_budget(org_a.pk)
    response = owner_a_client.post(UPDATE, {**GOOD_BUDGET, field: value})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="err_{field}">' in html
    assert message in html
    assert 'data-testid="form-error"' in html
    assert f'value="{value}"' in html or value in html  # what was typed is kept
    assert get_media_budget(org_a.pk) == before


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS[:4])
def test_it_shows_field_errors_in_the_htmx_panel(owner_a_client, org_a, field, value, message):
    response = owner_a_client.post(UPDATE, {**GOOD_BUDGET, field: value}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="err_{field}"' in html and message in html
    assert "Budget saved." not in html
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()
