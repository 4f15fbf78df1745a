"""Property-based: every API operation's query parameters and body fields (read from the
OpenAPI document, so a new parameter is covered without a change here) take hostile values --
digits that are not ASCII, numbers past 64 bits and non-finite ones, the ends of the calendar,
control characters, very long text -- and the API never answers a 5xx, always answers in its
JSON format, and writes nothing when it refuses (events, playbook runs, metric snapshots)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abtests.models import MediaABTestMetricSnapshot
from bakedbot.models import ApiIdempotencyKey
from costs.models import GenerationEvent
from playbooks.models import PlaybookRun
from tests.api.conftest import path_ids, record
from tests.hostile import HOSTILE_VALUES

EXAMPLES_PER_OPERATION = 40

HOSTILE_NUMBERS = [
    2**63,
    -(2**63) - 1,
    2**64,
    10**400,
    float("nan"),
    float("inf"),
    float("-inf"),
    1e308,
    -0.0,
    0.5,
    -1,
    0,
    True,
]
hostile_scalars = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.sampled_from(HOSTILE_NUMBERS),
    st.none(),
    st.text(max_size=40),
    st.integers(),
)
hostile_json = st.recursive(
    hostile_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(HOSTILE_VALUES), inner, max_size=3),
    ),
    max_leaves=6,
)
hostile_query_value = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=40))


def _document() -> dict:
    return Client().get("/api/v1/openapi.json").json()


def _resolve(document: dict, schema: dict) -> dict:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return document["components"]["schemas"][name]
    return schema


def _body_fields(document: dict, operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return []
    schema = _resolve(document, content["schema"])
    variants = [_resolve(document, s) for s in schema.get("oneOf", [schema])]
    return sorted({name for variant in variants for name in variant.get("properties", {})})


def _operations() -> list[tuple[str, str]]:
    import bakedbot.urls  # noqa: F401  (mounts the apps' routers)
    from bakedbot.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1/")
    return [
        (method, path) for path, operations in document["paths"].items() for method in operations
    ]


OPERATIONS = _operations()


@pytest.fixture
def world(org_a, org_b, owner_a, store, settings):
    settings.API_RATE_LIMIT = 1_000_000
    record(org_a, 1, at=datetime.now(UTC))
    return path_ids(org_a)


def _written() -> tuple[int, ...]:
    return (
        GenerationEvent.objects.count(),
        PlaybookRun.objects.count(),
        MediaABTestMetricSnapshot.objects.count(),
        ApiIdempotencyKey.objects.count(),
    )


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_hostile_values_never_make_a_server_error_nor_a_half_write(
    api_a, api_platform, world, method, path
):
    document = _document()
    operation = document["paths"][path][method]
    params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    fields = _body_fields(document, operation)
    api = api_platform if path.startswith("/api/v1/global/") else api_a
    url = path.format(**world)
    statuses: list[int] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        query=st.dictionaries(
            st.sampled_from([*params, "unknown"]), hostile_query_value, max_size=4
        ),
        body=st.dictionaries(st.sampled_from([*fields, "unknown"]), hostile_json, max_size=4)
        if fields
        else st.just(None),
        base=st.sampled_from(
            [{}, {"type": "image", "provider": "imagen"}, {"type": "video", "provider": "veo"}]
        ),
        key=st.sampled_from(["hostile-1", "hostile-2", "²", "k" * 101]),
    )
    def check(query, body, base, key):
        before = _written()
        if method == "get":
            response = api.client.get(url, query, headers=api.headers)
        else:
            raw = json.dumps({**base, **body} if body is not None else {})  # NaN, Infinity too
            response = api.client.post(
                f"{url}?{'&'.join(f'{k}=x' for k in query)}" if query else url,
                raw,
                content_type="application/json",
                headers=api.headers | {"Idempotency-Key": key},
            )
        statuses.append(response.status_code)
        assert response.status_code < 500, response.content[:500]
        assert response["Content-Type"].startswith("application/json")
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["code"] and error["message"]
            assert _written() == before, ("a refused request wrote", response.json())

    check()
    assert len(statuses) >= EXAMPLES_PER_OPERATION // 2, statuses
    assert any(400 <= status < 500 for status in statuses), statuses


def test_every_operation_is_exercised():
    assert len(OPERATIONS) >= 13
    assert {method for method, _ in OPERATIONS} == {"get", "post"}
