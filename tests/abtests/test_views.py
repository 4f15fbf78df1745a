"""The list and results pages and their actions: who may do what (anonymous → login, members
read and enter metrics, owners run the lifecycle and the bandit, another tenant → 404), and
what a person sees."""

import pytest
from django.urls import reverse

from abtests import services
from abtests.models import MediaABTestResult
from tests.abtests.conftest import make_test, start, variant_ids

pytestmark = pytest.mark.django_db


def _detail(test):
    return reverse("abtests:detail", args=[test.pk])


def _metrics_url(test, variant_id):
    return reverse("abtests:variant_metrics", args=[test.pk, variant_id])


def _record(test, variant_id, impressions, clicks):
    services.update_ab_test_metrics(
        test.tenant_id, test.pk, variant_id, {"impressions": impressions, "clicks": clicks}
    )


def _action_urls(test):
    control = variant_ids(test)[0]
    return [
        ("get", _detail(test)),
        ("post", reverse("abtests:status", args=[test.pk])),
        ("post", _metrics_url(test, control)),
        ("post", reverse("abtests:upload", args=[test.pk])),
        ("post", reverse("abtests:split", args=[test.pk])),
    ]


def test_it_sends_anonymous_users_to_login(client, running_test):
    for method, url in _action_urls(running_test):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_another_tenants_test(user_b_client, running_test):
    for method, url in _action_urls(running_test):
        assert getattr(user_b_client, method)(url).status_code == 404
    assert (
        user_b_client.get(_detail(running_test), {"tenant": running_test.tenant_id}).status_code
        == 404
    )
    assert running_test.results.filter(impressions__gt=0).count() == 0


def test_it_answers_404_for_a_variant_of_another_test(member_a_client, org_a, running_test):
    other = start(make_test(org_a, name="Other"))
    url = _metrics_url(running_test, variant_ids(other)[0])
    assert member_a_client.post(url, {"impressions": "10"}).status_code == 404


def test_it_answers_404_for_an_unknown_test(member_a_client, db):
    assert member_a_client.get("/dashboard/abtests/abt_missing").status_code == 404


def test_it_refuses_lifecycle_and_bandit_to_members(member_a_client, running_test):
    control, playful = variant_ids(running_test)
    status = member_a_client.post(
        reverse("abtests:status", args=[running_test.pk]), {"status": "paused"}
    )
    split = member_a_client.post(
        reverse("abtests:split", args=[running_test.pk]),
        {f"split_{control}": 10, f"split_{playful}": 90},
    )
    assert (status.status_code, split.status_code) == (403, 403)
    running_test.refresh_from_db()
    assert running_test.status == "running"


def test_it_lists_the_tenants_tests(member_a_client, org_a, org_b):
    make_test(org_a, name="Hero image")
    make_test(org_b, name="Someone else's")
    html = member_a_client.get(reverse("abtests:list")).content.decode()
    assert "Hero image" in html and "Someone else" not in html
    assert "Continue at step 1 of 4" in html


def test_it_filters_the_list_by_status(member_a_client, org_a):
    start(make_test(org_a, name="Live one"))
    make_test(org_a, name="Still a draft")
    html = member_a_client.get(reverse("abtests:list"), {"status": "running"}).content.decode()
    assert "Live one" in html and "Still a draft" not in html


def test_it_shows_a_draft_without_results(owner_a_client, draft_test):
    html = owner_a_client.get(_detail(draft_test)).content.decode()
    assert "Start the test to collect metrics" in html
    assert 'data-testid="to-running"' in html
    assert "metrics-form" not in html
    assert "plotly" not in html


def test_it_shows_results_charts_and_the_winner(member_a_client, running_test):
    control, playful = variant_ids(running_test)
    _record(running_test, control, 20_000, 1000)
    _record(running_test, playful, 20_000, 1250)
    html = member_a_client.get(_detail(running_test)).content.decode()
    assert "Winner: Playful" in html
    assert "chance to be best on CTR" in html
    assert 'data-testid="chart-ctr"' in html and "vendor/plotly.min.js" in html
    assert 'id="figure-ctr"' in html
    assert "lower is better" in html  # the CPC section
    assert "An owner of Alpha Brands can apply it." in html
    assert 'data-testid="to-paused"' not in html  # members do not get lifecycle buttons


def test_it_warns_about_sample_ratio_mismatch_and_low_power(member_a_client, running_test):
    control, playful = variant_ids(running_test)
    _record(running_test, control, 900, 40)
    _record(running_test, playful, 1300, 80)
    html = member_a_client.get(_detail(running_test)).content.decode()
    assert "No winner yet" in html
    assert "Sample-ratio mismatch" in html
    assert "Under-powered: each variant needs" in html


def test_it_saves_a_metrics_form_and_redirects(member_a_client, running_test):
    control, _ = variant_ids(running_test)
    response = member_a_client.post(
        _metrics_url(running_test, control),
        {
            "impressions": "1000",
            "clicks": "50",
            "conversions": "5",
            "engagement": "80",
            "cost": "12.5",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{_detail(running_test)}?tenant={running_test.tenant_id}"
    result = MediaABTestResult.objects.get(variant_id=control)
    assert (result.impressions, result.clicks, result.cost_micros) == (1000, 50, 12_500_000)
    assert result.variant.snapshots.get().source == "form"


def test_it_shows_metric_errors_next_to_the_field(member_a_client, running_test):
    control, _ = variant_ids(running_test)
    response = member_a_client.post(
        _metrics_url(running_test, control),
        {"impressions": "100", "clicks": "150", "conversions": "0", "engagement": "0", "cost": "0"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Clicks cannot exceed impressions (100)." in html
    assert 'value="150"' in html  # what was typed is kept
    assert MediaABTestResult.objects.get(variant_id=control).impressions == 0


def test_it_swaps_only_the_results_panel_for_htmx(member_a_client, running_test):
    control, _ = variant_ids(running_test)
    response = member_a_client.post(
        _metrics_url(running_test, control),
        {"impressions": "100", "clicks": "10", "conversions": "1", "engagement": "5", "cost": "1"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="abtest-results"')
    assert "Metrics for Control saved." in html and 'hx-swap-oob="beforeend"' in html


def test_it_imports_a_csv_upload(member_a_client, running_test, tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("variant,impressions,clicks\nControl,500,20\nPlayful,520,31\n")
    with path.open("rb") as upload:
        response = member_a_client.post(
            reverse("abtests:upload", args=[running_test.pk]), {"file": upload}
        )
    assert response.status_code == 302
    assert sorted(MediaABTestResult.objects.values_list("clicks", flat=True)) == [20, 31]


def test_it_lists_every_csv_problem(member_a_client, running_test, tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("variant,impressions,clicks\nControl,500,600\nNobody,1,1\n")
    with path.open("rb") as upload:
        response = member_a_client.post(
            reverse("abtests:upload", args=[running_test.pk]), {"file": upload}
        )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 2, clicks: Clicks cannot exceed impressions (500)." in html
    assert "Line 3, variant: No variant &#x27;Nobody&#x27;." in html
    assert not MediaABTestResult.objects.filter(impressions__gt=0).exists()


def test_it_asks_for_a_file(member_a_client, running_test):
    response = member_a_client.post(reverse("abtests:upload", args=[running_test.pk]))
    assert "Choose a CSV file to upload." in response.content.decode()


def test_owners_move_a_test_through_its_lifecycle(owner_a_client, draft_test):
    url = reverse("abtests:status", args=[draft_test.pk])
    for status in ("running", "paused", "running", "completed"):
        response = owner_a_client.post(url, {"status": status}, follow=True)
        draft_test.refresh_from_db()
        assert draft_test.status == status
    assert "The test is now completed." in response.content.decode()


def test_it_shows_why_a_transition_is_refused(owner_a_client, draft_test):
    response = owner_a_client.post(
        reverse("abtests:status", args=[draft_test.pk]), {"status": "completed"}, follow=True
    )
    assert "A draft test cannot become completed; it can move to running." in (
        response.content.decode()
    )


def test_owners_apply_the_suggested_split(owner_a_client, running_test):
    control, playful = variant_ids(running_test)
    _record(running_test, control, 5000, 200)
    _record(running_test, playful, 5000, 280)
    html = owner_a_client.get(_detail(running_test)).content.decode()
    assert 'data-testid="apply-split"' in html
    response = owner_a_client.post(
        reverse("abtests:split", args=[running_test.pk]),
        {f"split_{control}": "3", f"split_{playful}": "97"},
        follow=True,
    )
    assert "The new split is live." in response.content.decode()
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [3, 97]


def test_super_admins_open_a_tenants_test(super_admin_client, running_test):
    response = super_admin_client.get(_detail(running_test), {"tenant": running_test.tenant_id})
    assert response.status_code == 200
    assert running_test.name in response.content.decode()
