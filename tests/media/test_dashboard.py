"""``GET /dashboard/media``: budget status, the budget form, alerts, spend charts, recent
generations — and who may see them. The form's and the alerts' actions are tested in
test_budget_update.py and test_alert_acknowledge.py."""

from django.urls import reverse

from costs.budgets import update_media_budget
from tests.media.helpers import DASHBOARD, UPDATE, ack_url, spend

# Who may see it


def test_it_redirects_anonymous_users_to_login(client, db):
    for url, method in [(DASHBOARD, "get"), (UPDATE, "post"), (ack_url("alert_x"), "post")]:
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


def test_it_lets_the_owner_edit(owner_a_client, org_a):
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert "Save budget" in html
    assert "<fieldset >" in html or "<fieldset>" in html


def test_it_answers_404_for_another_tenant(user_b_client, org_a):
    assert user_b_client.get(DASHBOARD, {"tenant": org_a.pk}).status_code == 404


def test_it_lets_a_super_admin_open_any_tenant(super_admin_client, org_a, org_b):
    response = super_admin_client.get(DASHBOARD, {"tenant": org_b.pk})
    assert response.status_code == 200
    assert "Beta Dispensary" in response.content.decode()
    assert "Viewing as super admin" in response.content.decode()


def test_it_refuses_a_super_admin_without_a_tenant(super_admin_client):
    assert super_admin_client.get(DASHBOARD).status_code == 403


def test_it_accepts_only_get(owner_a_client):
    assert owner_a_client.post(DASHBOARD).status_code == 405


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
    spend(org_a.pk, "8.50")
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert 'class="progress warning"' in html
    assert 'aria-valuenow="85"' in html
    assert "85.0%" in html
    assert "$1.50" in html  # remaining today
    assert 'class="progress ok"' in html  # the month: 8.5 %
    assert "resets" in html and ("PST" in html or "PDT" in html)  # in the tenant's zone
    assert 'value="10.00"' in html and 'value="100.00"' in html


def test_it_shows_spend_by_provider_and_day_with_plotly(owner_a_client, org_a):
    spend(org_a.pk, "0.04", provider="gemini-pro")
    spend(org_a.pk, "0.75", provider="veo", type="video", duration_seconds=8)
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert "vendor/plotly-basic.min.js" in html
    assert 'id="provider-figure"' in html and 'id="daily-figure"' in html
    assert "Gemini Pro" in html and "Veo" in html
    assert "$0.79" in html  # the month's total


def test_it_builds_the_daily_figure_with_zero_days_and_stacked_providers(org_a):
    from media.dashboard import get_media_dashboard

    spend(org_a.pk, "0.02")
    spend(org_a.pk, "0.50", provider="sora", type="video", duration_seconds=4)
    dashboard = get_media_dashboard(org_a.pk)
    figure = dashboard.daily_figure
    assert figure["layout"]["barmode"] == "stack"
    assert [trace["name"] for trace in figure["data"]] == ["Gemini Flash", "Sora"]
    days = figure["data"][0]["x"]
    assert days[0].endswith("-01") and len(days) == dashboard.status.as_of.day
    assert figure["data"][1]["y"][-1] == "0.500000"
    assert set(figure["data"][1]["y"][:-1]) <= {"0"}


def test_it_lists_recent_generations(owner_a_client, org_a):
    spend(org_a.pk, "0.02", prompt="Golden hour over the greenhouse")
    spend(org_a.pk, "0", success=False, error="quota exceeded", prompt="A failed one")
    html = owner_a_client.get(DASHBOARD).content.decode()
    assert "Golden hour over the greenhouse" in html
    assert "Failed" in html and "quota exceeded" in html
