"""Who may call what: tokens, sessions, tenants and platform tokens, on every endpoint."""

import pytest
from django.test import Client

from bakedbot.api_tokens import revoke_api_token
from tests.api.conftest import ApiClient

# (method, path, body) for every endpoint that needs a token.
ENDPOINTS = [
    ("get", "/usage", None),
    ("get", "/costs/by-provider", None),
    ("get", "/events", None),
    ("post", "/events", {"type": "image", "provider": "imagen"}),
    ("get", "/estimate?type=image&provider=imagen", None),
    ("get", "/budget", None),
    ("get", "/alerts", None),
    ("get", "/global/costs", None),
    ("post", "/abtests/abt_x/variants/abv_x/metrics", {"clicks": 1}),
]
TENANT_READS = ["/usage", "/costs/by-provider", "/events", "/budget", "/alerts"]


def _call(api, method, path, body):
    if method == "get":
        return api.get(path)
    return api.post(path, body, **{"Idempotency-Key": "auth-test"})


def _assert_unauthenticated(response):
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_it_refuses_requests_without_a_token(api_anonymous, method, path, body):
    _assert_unauthenticated(_call(api_anonymous, method, path, body))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer bb_not-a-real-token",
        "Bearer ",
        "Token bb_whatever",
        "bb_whatever",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_it_refuses_unknown_or_malformed_tokens(db, header):
    _assert_unauthenticated(Client().get("/api/v1/usage", headers={"Authorization": header}))


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_it_refuses_a_revoked_token(api_a, token_a, org_a, method, path, body):
    revoke_api_token(tenant=org_a, token_id=token_a.token.pk)
    _assert_unauthenticated(_call(api_a, method, path, body))


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_it_does_not_let_a_session_authenticate(
    owner_a_client, super_admin_client, method, path, body
):
    for client in (owner_a_client, super_admin_client):
        if method == "get":
            response = client.get(f"/api/v1{path}")
        else:
            response = client.post(f"/api/v1{path}", body, content_type="application/json")
        _assert_unauthenticated(response)


def test_it_needs_no_csrf_token_with_a_bearer_token(token_a, store):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/events",
        {"type": "image", "provider": "imagen"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_a.secret}", "Idempotency-Key": "csrf-free"},
    )
    assert response.status_code == 201


@pytest.mark.parametrize("path", TENANT_READS)
def test_it_answers_404_for_another_tenants_id(api_a, org_b, store, path):
    response = api_a.get(path, {"tenant_id": org_b.pk})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert org_b.name not in response.content.decode()


@pytest.mark.parametrize("path", TENANT_READS)
def test_it_answers_404_for_an_unknown_tenant(api_a, api_platform, store, path):
    for api in (api_a, api_platform):
        assert api.get(path, {"tenant_id": "org_missing"}).status_code == 404


@pytest.mark.parametrize("path", TENANT_READS)
def test_it_accepts_a_tenant_token_naming_its_own_tenant(api_a, org_a, store, path):
    response = api_a.get(path, {"tenant_id": org_a.pk})
    assert response.status_code == 200


def test_it_refuses_tenant_tokens_on_global_endpoints(api_a, api_b, store):
    for api in (api_a, api_b):
        response = api.get("/global/costs")
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", TENANT_READS)
def test_it_lets_a_platform_token_read_a_named_tenant(api_platform, org_a, store, path):
    response = api_platform.get(path, {"tenant_id": org_a.pk})
    assert response.status_code == 200
    if "tenant_id" in response.json():
        assert response.json()["tenant_id"] == org_a.pk


@pytest.mark.parametrize("path", TENANT_READS)
def test_it_asks_a_platform_token_to_name_the_tenant(api_platform, store, path):
    response = api_platform.get(path)
    assert response.status_code == 400
    assert "tenant_id" in response.json()["error"]["fields"]


def test_it_keeps_platform_tokens_read_only(api_platform, store):
    response = api_platform.post(
        "/events", {"type": "image", "provider": "imagen"}, **{"Idempotency-Key": "k"}
    )
    assert response.status_code == 403
    response = api_platform.post("/abtests/abt_x/variants/abv_x/metrics", {"clicks": 1})
    assert response.status_code == 403


def test_it_stops_a_platform_token_whose_creator_is_no_longer_a_super_admin(
    platform_token, super_admin, store
):
    api = ApiClient(platform_token.secret)
    assert api.get("/global/costs").status_code == 200
    super_admin.is_superuser = False
    super_admin.save()
    assert api.get("/global/costs").status_code == 401


def test_it_marks_the_token_used(api_a, token_a, store):
    assert token_a.token.last_used_at is None
    api_a.get("/budget")
    token_a.token.refresh_from_db()
    assert token_a.token.last_used_at is not None
