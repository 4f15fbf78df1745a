"""The error format, the OpenAPI document and the docs page (local assets, no CDN)."""

import re

from django.contrib.staticfiles import finders
from django.test import Client


def test_it_serves_an_openapi_3_document_with_bearer_auth(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "BakedBot Media API"
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/events"])
    assert set(schema["paths"]) == {
        "/api/v1/usage",
        "/api/v1/costs/by-provider",
        "/api/v1/events",
        "/api/v1/estimate",
        "/api/v1/budget",
        "/api/v1/alerts",
        "/api/v1/global/costs",
        "/api/v1/global/reconciliation",
        "/api/v1/abtests/recommendations",
        "/api/v1/abtests/{test_id}/variants/{variant_id}/metrics",
        "/api/v1/playbooks/{playbook_id}/runs",
        "/api/v1/playbooks/{playbook_id}/runs/{run_id}",
    }
    [scheme] = schema["components"]["securitySchemes"].values()
    assert scheme == {"type": "http", "scheme": "bearer"}
    for path in schema["paths"].values():
        for operation in path.values():
            assert operation["security"], operation["operationId"]
            assert {"401", "429", "503"} <= set(operation["responses"]), operation["operationId"]
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    content = response["content"]["application/json"]["schema"]
                    assert content == {"$ref": "#/components/schemas/ErrorOut"}
                if status in ("429", "503"):
                    assert response["headers"]["Retry-After"]["required"] is True
    for operation in (
        schema["paths"]["/api/v1/events"]["post"],
        schema["paths"]["/api/v1/playbooks/{playbook_id}/runs"]["post"],
    ):
        assert "422" in operation["responses"]


def test_it_serves_the_docs_page_from_our_own_static_files(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, html
    for url in urls:
        assert url.startswith("/"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
    assert "/static/ninja/swagger-ui-bundle.js" in urls
    assert "http://" not in html and "https://" not in html
    assert "cdn" not in html.lower()
    assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


def test_it_answers_every_error_in_one_shape(api_a, api_anonymous, store):
    responses = [
        api_anonymous.get("/usage"),
        api_a.get("/usage", {"start_date": "nope"}),
        api_a.get("/usage", {"tenant_id": "org_other"}),
        api_a.get("/global/costs"),
    ]
    assert [r.status_code for r in responses] == [401, 400, 404, 403]
    for response in responses:
        assert response["Content-Type"].startswith("application/json")
        error = response.json()["error"]
        assert set(error) == {"code", "message", "fields"}
        assert error["message"]
    assert responses[1].json()["error"]["fields"] == {
        "start_date": "Enter a date as YYYY-MM-DD, from 2000-01-01 to 2999-12-31."
    }


def test_it_answers_a_method_a_path_does_not_have_in_the_error_shape(api_a, store):
    """Was django-ninja's plain-text 405."""
    for method, path in [
        ("put", "/usage"),
        ("delete", "/events"),
        ("patch", "/playbooks/pbk_x/runs"),
        ("post", "/budget"),
    ]:
        response = getattr(api_a.client, method)(f"/api/v1{path}", headers=api_a.headers)
        assert response.status_code == 405, path
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "method_not_allowed"
        assert method.upper() not in response["Allow"] and response["Allow"]
    assert api_a.client.delete("/api/v1/events", headers=api_a.headers)["Allow"] == "GET, POST"


def test_it_answers_a_server_error_as_json(api_a, store, monkeypatch, caplog):
    from costs import api as costs_api

    def broken(*args, **kwargs):
        raise RuntimeError("store down")

    monkeypatch.setattr(costs_api, "get_media_budget_status", broken)
    response = api_a.get("/budget")
    assert response.status_code == 500
    assert response.json()["error"] == {
        "code": "server_error",
        "message": "Something went wrong on our side.",
        "fields": {},
    }
    assert "store down" not in response.content.decode()
    assert any(record.exc_info for record in caplog.records)


def test_it_answers_unknown_api_paths_in_the_error_shape(api_a, db):
    for path in ("/nope", "/events/extra", "/usage/"):
        response = api_a.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
