"""The cross-tenant matrix over every operation of the OpenAPI document, each caller: the owner's
token answers, another organisation's token on the owner's ids 404s (like an unknown id),
a platform token writing 403s, a tenant token on a global endpoint 403s, anonymous 401s; and a
refused call writes nothing."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from abtests.models import MediaABTestMetricSnapshot
from costs.models import GenerationEvent
from playbooks.models import PlaybookRun
from tests.api.conftest import path_ids, record

# (method, path template, body, kind): kind "read" (tenant-scoped read; tenant_id names the
# organisation for a platform token), "write" (tenant tokens only) or "global" (platform only).
OPERATIONS = [
    ("get", "/usage", None, "read"),
    ("get", "/costs/by-provider", None, "read"),
    ("get", "/events", None, "read"),
    ("post", "/events", {"type": "image", "provider": "imagen"}, "write"),
    ("get", "/estimate?type=image&provider=imagen", None, "any"),
    ("get", "/budget", None, "read"),
    ("get", "/alerts", None, "read"),
    ("get", "/abtests/recommendations", None, "read"),
    ("get", "/global/costs", None, "global"),
    ("get", "/global/reconciliation", None, "global"),
    (
        "post",
        "/abtests/{test_id}/variants/{variant_id}/metrics",
        {"impressions": 9, "clicks": 1},
        "write",
    ),
    ("post", "/playbooks/{playbook_id}/runs", {}, "write"),
    ("get", "/playbooks/{playbook_id}/runs/{run_id}", None, "read"),
]


@pytest.fixture
def ids(org_a, store):
    record(org_a, 1, at=datetime.now(UTC))
    return path_ids(org_a)


def _written():
    return (
        GenerationEvent.objects.count(),
        PlaybookRun.objects.count(),
        MediaABTestMetricSnapshot.objects.count(),
    )


def _call(api, method, path, body, **params):
    if method == "get":
        return api.get(path, params or None)
    return api.post(path, body, **{"Idempotency-Key": "matrix"})


def test_the_matrix_covers_every_operation_of_the_document(db):
    document = Client().get("/api/v1/openapi.json").json()
    documented = {
        (method, path.removeprefix("/api/v1"))
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert {(method, path.split("?")[0]) for method, path, _, _ in OPERATIONS} == documented


@pytest.mark.parametrize(("method", "path", "body", "kind"), OPERATIONS)
def test_each_caller_gets_what_it_may(
    api_a, api_b, api_platform, api_anonymous, org_a, ids, method, path, body, kind
):
    path = path.format(**ids)
    before = _written()
    assert _call(api_anonymous, method, path, body).status_code == 401
    if kind in ("read", "write") and "{" not in path and "/playbooks/" not in path:
        # B names A: only reads take tenant_id; a write acts for the token's own organisation.
        if kind == "read":
            assert _call(api_b, method, path, body, tenant_id=org_a.pk).status_code == 404
    elif kind in ("read", "write"):
        assert _call(api_b, method, path, body).status_code == 404  # A's ids
    if kind == "write":
        response = _call(api_platform, method, path, body)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    if kind == "global":
        assert _call(api_a, method, path, body).status_code == 403
    assert _written() == before, "a refused call wrote something"
    if kind == "read":
        assert _call(api_platform, method, path, body, tenant_id=org_a.pk).status_code == 200
    caller = api_platform if kind == "global" else api_a
    assert _call(caller, method, path, body).status_code in (200, 201, 202)
