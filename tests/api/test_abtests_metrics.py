"""POST /api/v1/abtests/{test_id}/variants/{variant_id}/metrics."""

import pytest

from abtests.models import MediaABTestMetricSnapshot, MediaABTestResult
from tests.abtests.conftest import make_test, start, variant_ids


@pytest.fixture
def running(org_a):
    return start(make_test(org_a))


def _url(test, variant_id):
    return f"/abtests/{test.pk}/variants/{variant_id}/metrics"


def test_it_records_a_variants_metrics(api_a, running):
    control, _ = variant_ids(running)
    response = api_a.post(
        _url(running, control),
        {"impressions": 1000, "clicks": 50, "conversions": 5, "engagement": 80, "cost": "12.50"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["impressions"] == 1000 and body["clicks"] == 50
    assert body["cost_micros"] == 12_500_000
    assert body["test_id"] == running.pk and body["variant_id"] == control
    result = MediaABTestResult.objects.get(variant_id=control)
    assert (result.impressions, result.conversions) == (1000, 5)
    assert MediaABTestMetricSnapshot.objects.get(variant_id=control).source == "api"
    # A later snapshot keeps the fields it leaves out.
    body = api_a.post(_url(running, control), {"impressions": 1200}).json()
    assert (body["impressions"], body["clicks"]) == (1200, 50)


def test_it_refuses_impossible_metrics_naming_the_field(api_a, running):
    control, _ = variant_ids(running)
    cases = [
        ({"impressions": 10, "clicks": 20}, "clicks"),
        ({"impressions": -1}, "impressions"),
        ({"clicks": 1.5}, "clicks"),
        ({"cost": 3.5}, "cost"),
        ({"cost": "1", "cost_micros": 1}, "cost"),
        ({}, "metrics"),
        ({"likes": 3}, "likes"),
        ({"impressions": 9223372036854775808}, "impressions"),
        ({"cost": "1e309"}, "cost"),
        ({"cost_micros": 9223372036854775807}, "cost_micros"),
        ({"cost_micros": 10**15}, "cost_micros"),
        ({"impressions": True}, "impressions"),
        ({"impressions": "5"}, "impressions"),
        ({"impressions": None}, "impressions"),
        ({"impressions": "²"}, "impressions"),
    ]
    for body, field in cases:
        response = api_a.post(_url(running, control), body)
        assert response.status_code == 400, body
        assert field in response.json()["error"]["fields"], (body, response.json())
    assert not MediaABTestMetricSnapshot.objects.exists()


def test_it_refuses_numbers_past_the_calendar_of_json(api_a, running):
    """1e309, NaN and Infinity parse as floats no field can hold; past 2^63 no store holds."""
    control, _ = variant_ids(running)
    url = f"/api/v1{_url(running, control)}"
    for raw, field in [
        ('{"cost": 1e309}', "cost"),
        ('{"impressions": 9223372036854775808}', "impressions"),
        ('{"impressions": NaN}', "impressions"),
        ('{"clicks": -Infinity}', "clicks"),
    ]:
        response = api_a.client.post(
            url, raw, content_type="application/json", headers=api_a.headers
        )
        assert response.status_code == 400, raw
        assert field in response.json()["error"]["fields"], (raw, response.json())
    assert not MediaABTestMetricSnapshot.objects.exists()


def test_it_refuses_metrics_for_a_draft(api_a, org_a):
    draft = make_test(org_a)
    response = api_a.post(_url(draft, variant_ids(draft)[0]), {"impressions": 5})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_it_answers_404_for_another_tenants_test_or_an_unknown_variant(api_b, api_a, running):
    control, _ = variant_ids(running)
    response = api_b.post(_url(running, control), {"impressions": 5})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api_a.post(_url(running, "abv_missing"), {"impressions": 5}).status_code == 404
    assert api_a.post("/abtests/abt_missing/variants/x/metrics", {"clicks": 1}).status_code == 404
    assert not MediaABTestMetricSnapshot.objects.exists()
