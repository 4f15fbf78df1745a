"""GET /api/v1/abtests/recommendations: the organisation's style recommendations and the
platform's built-ins (aggregates only), for a tenant token (a platform token names the
organisation); errors in the one envelope, documented in the OpenAPI schema."""

import json

import pytest

from tests.abtests.portfolios import run_test
from tests.factories import OrganisationFactory
from tests.presets.factories import make_preset

PATH = "/abtests/recommendations"
PRO, PLAYFUL = "builtin-professional", "builtin-playful"


@pytest.fixture
def evidence(org_a):
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    run_test(org_a, [(PRO, 8000, 320), (PLAYFUL, 8000, 390)])


def test_it_answers_the_organisations_recommendations(api_a, evidence):
    response = api_a.get(PATH)
    assert response.status_code == 200, response.content
    body = response.json()
    own = body["organisation"]
    assert (own["scope"], own["metric"], own["unit"]) == ("organisation", "ctr", "impressions")
    [playful] = own["presets"]
    assert (playful["preset_id"], playful["tests"], playful["wins"]) == (PLAYFUL, 2, 2)
    assert playful["ci_low"] < playful["lift"] < playful["ci_high"]
    assert playful["evidence"] == "won 2 of 2 tests on CTR, 13,000 impressions"
    assert body["platform"]["presets"] == []
    assert body["platform"]["not_enough_evidence"] == [{"preset_id": PLAYFUL, "name": "Playful"}]


def test_it_needs_a_token(api_anonymous):
    response = api_anonymous.get(PATH)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_another_organisation_answers_404(api_b, org_a):
    response = api_b.get(PATH, {"tenant_id": org_a.pk})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No such organisation."


def test_a_platform_token_names_the_organisation(api_platform, org_a, evidence):
    refused = api_platform.get(PATH)
    assert refused.status_code == 400
    assert "tenant_id" in refused.json()["error"]["fields"]
    body = api_platform.get(PATH, {"tenant_id": org_a.pk}).json()
    assert [p["preset_id"] for p in body["organisation"]["presets"]] == [PLAYFUL]


def test_an_unknown_metric_is_refused_naming_it(api_a):
    response = api_a.get(PATH, {"metric": "likes"})
    assert response.status_code == 400
    assert "metric" in response.json()["error"]["fields"]


def test_another_organisation_gets_nothing_of_a(api_b, org_a, org_b):
    secret = make_preset(org_a, name="Alpha Secret Sauce")
    run_test(org_a, [(PRO, 5000, 200), (secret, 5000, 300), (PLAYFUL, 5000, 280)])
    for org in (org_b, OrganisationFactory()):
        run_test(org, [(PRO, 5000, 200), (PLAYFUL, 5000, 250)])
    body = api_b.get(PATH).json()
    text = json.dumps(body)
    assert "Secret" not in text and secret not in text and org_a.pk not in text
    assert [p["organisations"] for p in body["platform"]["presets"]] == [3]
    # B's own numbers: its one test.
    assert [p["units"] for p in body["organisation"]["presets"]] == [5000]


def test_it_is_documented_with_its_errors(api_anonymous):
    schema = api_anonymous.client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/abtests/recommendations"]["get"]
    assert {"200", "400", "401", "404", "429"} <= set(operation["responses"])
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"metric", "tenant_id"}
