"""``abtests:variant_metrics`` (POST) — a variant's metrics form on the results page."""

import pytest
from django.urls import reverse

from abtests.models import MediaABTestResult
from tests.abtests.conftest import make_test, start, variant_ids

pytestmark = pytest.mark.django_db

FORM = {"impressions": "100", "clicks": "10", "conversions": "1", "engagement": "5", "cost": "1"}


def _url(test, variant_id):
    return reverse("abtests:variant_metrics", args=[test.pk, variant_id])


def _detail(test):
    return reverse("abtests:detail", args=[test.pk])


def test_it_sends_anonymous_users_to_login(client, running_test):
    response = client.post(_url(running_test, variant_ids(running_test)[0]), FORM)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_another_tenants_test(user_b_client, running_test):
    response = user_b_client.post(_url(running_test, variant_ids(running_test)[0]), FORM)
    assert response.status_code == 404
    assert running_test.results.filter(impressions__gt=0).count() == 0


def test_it_is_for_an_organisation(super_admin_client, running_test):
    response = super_admin_client.post(_url(running_test, variant_ids(running_test)[0]), FORM)
    assert response.status_code == 403
    assert running_test.results.filter(impressions__gt=0).count() == 0


def test_it_answers_404_for_a_variant_of_another_test(member_a_client, org_a, running_test):
    other = start(make_test(org_a, name="Other"))
    url = _url(running_test, variant_ids(other)[0])
    assert member_a_client.post(url, {"impressions": "10"}).status_code == 404


def test_it_saves_a_metrics_form_and_redirects(member_a_client, running_test):
    control, _ = variant_ids(running_test)
    response = member_a_client.post(
        _url(running_test, control),
        {
            "impressions": "1000",
            "clicks": "50",
            "conversions": "5",
            "engagement": "80",
            "cost": "12.5",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _detail(running_test)
    result = MediaABTestResult.objects.get(variant_id=control)
    assert (result.impressions, result.clicks, result.cost_micros) == (1000, 50, 12_500_000)
    assert result.variant.snapshots.get().source == "form"


def test_it_keeps_a_super_admin_in_the_organisation(super_admin_client, running_test):
    control, _ = variant_ids(running_test)
    url = f"{_url(running_test, control)}?tenant={running_test.tenant_id}"
    response = super_admin_client.post(url, FORM)
    assert response["Location"] == f"{_detail(running_test)}?tenant={running_test.tenant_id}"
    assert MediaABTestResult.objects.get(variant_id=control).impressions == 100


def test_it_shows_metric_errors_next_to_the_field(member_a_client, running_test):
    control, _ = variant_ids(running_test)
    response = member_a_client.post(
        _url(running_test, control),
        {"impressions": "100", "clicks": "150", "conversions": "0", "engagement": "0", "cost": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Clicks cannot exceed impressions (100)." in html
    assert 'value="150"' in html  # what was typed is kept
    assert MediaABTestResult.objects.get(variant_id=control).impressions == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("impressions", "9223372036854775808", "Must be at most 9,223,372,036,854,775,807."),
        ("impressions", "²", "Must be a whole number."),
        ("cost", "1e309", "Must be at most $999,999,999.99."),
    ],
)
def test_it_refuses_numbers_out_of_range(member_a_client, running_test, field, value, message):
    control, _ = variant_ids(running_test)
    response = member_a_client.post(_url(running_test, control), FORM | {field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert MediaABTestResult.objects.get(variant_id=control).impressions == 0


def test_it_swaps_only_the_results_panel_for_htmx(member_a_client, running_test):
    control, _ = variant_ids(running_test)
    response = member_a_client.post(_url(running_test, control), FORM, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="abtest-results"')
    assert "Metrics for Control saved." in html and 'hx-swap-oob="beforeend"' in html
