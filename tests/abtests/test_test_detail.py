"""``abtests:detail`` — a test's results page: what a person sees, and who may see it."""

import datetime

import pytest
from django.urls import reverse

from abtests import services
from tests.abtests.conftest import make_test, record, start, variant_ids

pytestmark = pytest.mark.django_db


def _detail(test):
    return reverse("abtests:detail", args=[test.pk])


def test_it_sends_anonymous_users_to_login(client, running_test):
    response = client.get(_detail(running_test))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_another_tenants_test(user_b_client, running_test):
    assert user_b_client.get(_detail(running_test)).status_code == 404
    assert (
        user_b_client.get(_detail(running_test), {"tenant": running_test.tenant_id}).status_code
        == 404
    )


def test_it_is_for_an_organisation(super_admin_client, running_test):
    assert super_admin_client.get(_detail(running_test)).status_code == 403


def test_it_answers_404_for_an_unknown_test(member_a_client, db):
    assert member_a_client.get("/dashboard/abtests/abt_missing").status_code == 404


def test_it_shows_a_draft_without_results(owner_a_client, draft_test):
    html = owner_a_client.get(_detail(draft_test)).content.decode()
    assert "Start the test to collect metrics" in html
    assert 'data-testid="to-running"' in html
    assert "metrics-form" not in html
    assert "plotly" not in html


def test_it_shows_results_charts_and_the_winner(member_a_client, running_test):
    control, playful = variant_ids(running_test)
    record(running_test, control, impressions=20_000, clicks=1000)
    record(running_test, playful, impressions=20_000, clicks=1250)
    html = member_a_client.get(_detail(running_test)).content.decode()
    assert "Winner: Playful" in html
    assert "chance to be best on CTR" in html
    assert 'data-testid="chart-ctr"' in html and "vendor/plotly-basic.min.js" in html
    assert 'id="figure-ctr"' in html
    assert "lower is better" in html  # the CPC section
    assert "An owner of Alpha Brands can apply it." in html
    assert 'data-testid="to-paused"' not in html  # members do not get lifecycle buttons


def test_it_warns_about_sample_ratio_mismatch_and_low_power(member_a_client, running_test):
    control, playful = variant_ids(running_test)
    record(running_test, control, impressions=900, clicks=40)
    record(running_test, playful, impressions=1300, clicks=80)
    html = member_a_client.get(_detail(running_test)).content.decode()
    assert "No winner yet" in html
    assert "Sample-ratio mismatch" in html
    assert "Under-powered: each variant needs" in html


def test_super_admins_open_a_tenants_test(super_admin_client, running_test):
    response = super_admin_client.get(_detail(running_test), {"tenant": running_test.tenant_id})
    assert response.status_code == 200
    html = response.content.decode()
    assert running_test.name in html
    # Every form on the page stays in that organisation.
    status_url = reverse("abtests:status", args=[running_test.pk])
    assert f'action="{status_url}?tenant={running_test.tenant_id}"' in html


def test_it_fills_each_metrics_form_with_the_stored_counts(member_a_client, running_test):
    control, _ = variant_ids(running_test)
    record(running_test, control, impressions=1000, clicks=50, cost="12.5")
    html = member_a_client.get(_detail(running_test)).content.decode()
    assert 'name="impressions" value="1000"' in html
    assert 'name="cost" value="12.50"' in html


def test_it_shows_the_split_over_time(member_a_client, org_a):
    test = start(make_test(org_a, bandit_mode=True, bandit_interval_hours=6))
    control, playful = variant_ids(test)
    record(test, control, impressions=2000, clicks=80)
    record(test, playful, impressions=2000, clicks=100)
    later = test.started_at + datetime.timedelta(hours=6)
    moved = services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=later)
    html = member_a_client.get(_detail(test)).content.decode()
    assert html.count('data-testid="split-change"') == 2
    assert "Test started" in html and "Bandit re-weighting" in html
    assert f'{moved.split[playful]}% <span class="muted">(best: ' in html
    assert 'data-testid="chart-split"' in html and "figure-split" in html
    assert "Bandit mode: the split is re-weighted every 6 h" in html
    # A bandit test moves by itself: no manual suggestion to apply.
    assert 'data-testid="apply-split"' not in html


def test_it_says_when_the_bandit_stopped_exploring(member_a_client, org_a):
    test = start(make_test(org_a, bandit_mode=True))
    control, playful = variant_ids(test)
    record(test, control, impressions=5000, clicks=200)
    record(test, playful, impressions=5000, clicks=320)
    later = test.started_at + datetime.timedelta(hours=24)
    services.reweight_bandit_test(tenant_id=org_a.pk, test_id=test.pk, now=later)
    html = member_a_client.get(_detail(test)).content.decode()
    assert "Bandit mode: exploring stopped on" in html
    assert "chance to be best reached 95.0%" in html
    assert "Bandit stopped exploring" in html and "99%" in html
