"""/dashboard/media: budget status, the budget form, alerts, spend charts, recent generations —
and who may see and change what."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from costs.budget_selectors import get_media_budget, get_media_cost_alerts
from costs.budgets import place_budget_hold, update_media_budget
from costs.domain import MediaGenerationEvent, new_event_id
from costs.models import MediaBudget
from costs.money import decimal_to_micros
from costs.services import track_media_generation

DASHBOARD = reverse("media:dashboard")
UPDATE = reverse("media:budget_update")
HTMX = {"HTTP_HX_REQUEST": "true"}
GOOD = {
    "daily_limit": "10",
    "weekly_limit": "50",
    "monthly_limit": "150.50",
    "soft_threshold_percent": "80",
    "hard_limit_enabled": "on",
    "alert_recipients": "ops@example.com",
}


def _ack_url(alert_id: str) -> str:
    return reverse("media:alert_acknowledge", args=[alert_id])


def _spend(tenant_id, dollars, provider="gemini-flash", type="image", prompt="a prompt", **extra):
    return track_media_generation(
        MediaGenerationEvent(
            id=new_event_id(),
            tenant_id=tenant_id,
            user_id="u1",
            type=type,
            provider=provider,
            prompt=prompt,
            cost_micros=decimal_to_micros(Decimal(dollars)),
            created_at=datetime.now(UTC),
            **extra,
        )
    )


# Who may see and change what


def test_it_redirects_anonymous_users_to_login(client, db):
    for url, method in [(DASHBOARD, "get"), (UPDATE, "post"), (_ack_url("alert_x"), "post")]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_it_shows_the_budget_read_only_to_members(member_a_client, org_a):
    response = member_a_client.get(DASHBOARD)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="read-only"' in html
    assert "<fieldset disabled>" in html
    assert "Save budget" not in html


def test_it_refuses_a_member_who_posts_the_budget_form(member_a_client, org_a):
    response = member_a_client.post(UPDATE, GOOD)
    assert response.status_code == 403
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_lets_the_owner_edit(owner_a_client, org_a):
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert "Save budget" in html
    assert "<fieldset >" in html or "<fieldset>" in html


def test_it_answers_404_for_another_tenant(user_b_client, org_a):
    assert user_b_client.get(DASHBOARD, {"tenant": org_a.pk}).status_code == 404
    response = user_b_client.post(f"{UPDATE}?tenant={org_a.pk}", GOOD)
    assert response.status_code == 404
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_answers_404_for_another_tenants_alert(user_b_client, org_a, org_b):
    update_media_budget(org_a.pk, {"daily_limit": "1"})
    place_budget_hold(org_a.pk, "1", reason="x")
    alert = get_media_cost_alerts(org_a.pk)[0]
    assert user_b_client.post(_ack_url(alert.id)).status_code == 404
    assert user_b_client.post(f"{_ack_url(alert.id)}?tenant={org_a.pk}").status_code == 404
    assert not get_media_cost_alerts(org_a.pk)[0].is_acknowledged


def test_it_lets_a_super_admin_open_and_edit_any_tenant(super_admin_client, org_a, org_b):
    response = super_admin_client.get(DASHBOARD, {"tenant": org_b.pk})
    assert response.status_code == 200
    assert "Beta Dispensary" in response.content.decode()
    assert "Viewing as super admin" in response.content.decode()
    response = super_admin_client.post(f"{UPDATE}?tenant={org_b.pk}", GOOD)
    assert response.status_code == 302
    assert response["Location"] == f"{DASHBOARD}?tenant={org_b.pk}"
    assert get_media_budget(org_b.pk).daily_limit == 10
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_refuses_a_super_admin_without_a_tenant(super_admin_client):
    assert super_admin_client.get(DASHBOARD).status_code == 403
    assert super_admin_client.post(UPDATE, GOOD).status_code == 403


def test_it_accepts_only_the_right_methods(owner_a_client):
    assert owner_a_client.post(DASHBOARD).status_code == 405
    assert owner_a_client.get(UPDATE).status_code == 405
    assert owner_a_client.get(_ack_url("alert_x")).status_code == 405


# The page


def test_it_shows_an_empty_page_that_looks_intentional(owner_a_client, org_a):
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert "No media spend this month" in html
    assert "No generations yet" in html
    assert 'data-testid="no-alerts"' in html
    assert html.count("No limit</span>") == 3
    assert "plotly" not in html  # no chart, no 4 MB script


def test_it_shows_status_per_period_with_progress_and_resets(owner_a_client, org_a):
    update_media_budget(org_a.pk, {"daily_limit": "10", "monthly_limit": "100"})
    _spend(org_a.pk, "8.50")
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert 'class="progress warning"' in html
    assert 'aria-valuenow="85"' in html
    assert "85.0%" in html
    assert "$1.50" in html  # remaining today
    assert 'class="progress ok"' in html  # the month: 8.5 %
    assert "resets" in html and ("PST" in html or "PDT" in html)  # in the tenant's zone
    assert 'value="10.00"' in html and 'value="100.00"' in html


def test_it_shows_spend_by_provider_and_day_with_plotly(owner_a_client, org_a):
    _spend(org_a.pk, "0.04", provider="gemini-pro")
    _spend(org_a.pk, "0.75", provider="veo", type="video", duration_seconds=8)
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert "vendor/plotly.min.js" in html
    assert 'id="provider-figure"' in html and 'id="daily-figure"' in html
    assert "Gemini Pro" in html and "Veo" in html
    assert "$0.79" in html  # the month's total


def test_it_builds_the_daily_figure_with_zero_days_and_stacked_providers(org_a):
    from media.dashboard import get_media_dashboard

    _spend(org_a.pk, "0.02")
    _spend(org_a.pk, "0.50", provider="sora", type="video", duration_seconds=4)
    dashboard = get_media_dashboard(org_a.pk)
    figure = dashboard.daily_figure
    assert figure["layout"]["barmode"] == "stack"
    assert [trace["name"] for trace in figure["data"]] == ["Gemini Flash", "Sora"]
    days = figure["data"][0]["x"]
    assert days[0].endswith("-01") and len(days) == dashboard.status.as_of.day
    assert figure["data"][1]["y"][-1] == "0.500000"
    assert set(figure["data"][1]["y"][:-1]) <= {"0"}


def test_it_lists_recent_generations(owner_a_client, org_a):
    _spend(org_a.pk, "0.02", prompt="Golden hour over the greenhouse")
    _spend(org_a.pk, "0", success=False, error="quota exceeded", prompt="A failed one")
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert "Golden hour over the greenhouse" in html
    assert "Failed" in html and "quota exceeded" in html


# The budget form


def test_it_saves_the_budget_without_javascript(owner_a_client, org_a, owner_a):
    response = owner_a_client.post(UPDATE, GOOD, follow=True)
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
    response = owner_a_client.post(UPDATE, {**GOOD, "hard_limit_enabled": ""}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="budget-panel"')
    assert "Budget saved." in html and 'hx-swap-oob="beforeend:#toasts"' in html
    assert "<html" not in html
    assert get_media_budget(org_a.pk).hard_limit_enabled is False  # an unticked box is off


def test_it_clears_a_limit_left_empty(owner_a_client, org_a):
    update_media_budget(org_a.pk, {"daily_limit": "5"})
    owner_a_client.post(UPDATE, {**GOOD, "daily_limit": ""})
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
    response = owner_a_client.post(UPDATE, {**GOOD, field: value})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field-error" id="err_{field}">' in html
    assert message in html
    assert 'data-testid="form-error"' in html
    assert f'value="{value}"' in html or value in html  # what was typed is kept
    assert get_media_budget(org_a.pk) == before


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUTS[:4])
def test_it_shows_field_errors_in_the_htmx_panel(owner_a_client, org_a, field, value, message):
    response = owner_a_client.post(UPDATE, {**GOOD, field: value}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="err_{field}"' in html and message in html
    assert "Budget saved." not in html
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


# Alerts


def test_it_lists_alerts_and_acknowledges_one_without_javascript(member_a_client, org_a, member_a):
    update_media_budget(org_a.pk, {"daily_limit": "10"})
    _spend(org_a.pk, "8")
    place_budget_hold(org_a.pk, "0.10", reason="raises the warning")
    html = member_a_client.get(DASHBOARD).content.decode()
    assert 'data-kind="soft_threshold"' in html
    assert "80% of the daily budget used" in html
    assert "1 new" in html
    alert = get_media_cost_alerts(org_a.pk)[0]
    response = member_a_client.post(_ack_url(alert.id), follow=True)
    assert "Alert acknowledged." in response.content.decode()
    assert get_media_cost_alerts(org_a.pk)[0].acknowledged_by == member_a.get_full_name()


def test_it_acknowledges_with_htmx_and_swaps_the_alerts(owner_a_client, org_a):
    update_media_budget(org_a.pk, {"daily_limit": "1"})
    place_budget_hold(org_a.pk, "1", reason="x")
    alert = get_media_cost_alerts(org_a.pk)[0]
    response = owner_a_client.post(_ack_url(alert.id), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="alerts-panel"')
    assert "acknowledged by" in html
    assert "new</span>" in html  # the second alert (limit reached) is still new


def test_it_answers_404_for_an_unknown_alert(owner_a_client, org_a):
    assert owner_a_client.post(_ack_url("alert_missing")).status_code == 404
