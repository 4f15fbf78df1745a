"""POST /api/v1/events: record a generation made elsewhere, once per Idempotency-Key."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from costs.models import GenerationEvent
from costs.money import dollars
from costs.pricing import estimate_media_cost, price_book
from costs.selectors import get_media_usage, get_recent_media_events
from costs.tenants import tenant_today
from tests.api.conftest import ApiClient

IMAGE = {"type": "image", "provider": "imagen"}
VIDEO = {"type": "video", "provider": "veo", "duration_seconds": 10, "prompt": "drone shot"}


def _post(api, body, key="gen-1"):
    return api.post("/events", body, **{"Idempotency-Key": key})


def test_it_records_and_prices_an_event(api_a, org_a, store):
    response = _post(api_a, VIDEO | {"model": "veo-3.1-generate-preview", "generation_ms": 5000})
    assert response.status_code == 201
    body = response.json()
    price = estimate_media_cost(
        "video", "veo", {"duration_seconds": 10, "model": "veo-3.1-generate-preview"}
    ).cost_micros
    assert body["cost_micros"] == price and body["cost"] == dollars(price)
    assert body["price_version"] == price_book().version
    assert body["tenant_id"] == org_a.pk and body["model"] == "veo-3.1-generate-preview"
    [stored] = get_recent_media_events(org_a.pk)
    assert stored.id == body["id"] and stored.cost_micros == price
    assert stored.user_id.startswith("api:")


def test_it_records_the_same_key_only_once(api_a, org_a, store):
    first = _post(api_a, VIDEO)
    # The same body, its defaults spelt out and its keys in another order: the same request.
    again = _post(api_a, {"success": True, **dict(reversed(VIDEO.items())), "params": {}})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(get_recent_media_events(org_a.pk)) == 1
    today = tenant_today(org_a.pk)
    total = get_media_usage(org_a.pk, today, today).total_cost_micros
    assert total == first.json()["cost_micros"] > 0


def test_the_same_key_with_another_body_is_refused_like_stripe(api_a, org_a, store):
    """Was: the second body was answered with the first event, as if recorded."""
    first = _post(api_a, {"type": "image", "cost": "0.25", "provider": "imagen"}, key="k-1")
    other = {"type": "video", "provider": "veo", "duration_seconds": 8, "cost": "99.00"}
    response = _post(api_a, other, key="k-1")
    assert (first.status_code, response.status_code) == (201, 422)
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "'k-1'" in error["message"] and "different body" in error["message"]
    assert error["fields"] == {"Idempotency-Key": "Used before with a different body."}
    [stored] = get_recent_media_events(org_a.pk)
    assert (stored.type, stored.cost_micros) == ("image", 250_000)
    # The first body again still answers the first event.
    again = _post(api_a, {"type": "image", "provider": "imagen", "cost": "0.25"}, key="k-1")
    assert again.status_code == 200 and again.json() == first.json()
    # Keys belong to their organisation.
    assert _post(api_a, other, key="k-2").status_code == 201


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        # Each was a 500 (OverflowError) or a float no field can hold.
        (
            '{"type": "image", "provider": "imagen", "cost_micros": 9223372036854775808}',
            "cost_micros",
        ),
        ('{"type": "image", "provider": "imagen", "cost_micros": 1e309}', "cost_micros"),
        ('{"type": "image", "provider": "imagen", "cost_micros": NaN}', "cost_micros"),
        ('{"type": "image", "provider": "imagen", "params": {"n": Infinity}}', "params.n"),
        ('{"type": "image", "provider": "imagen", "params": {"n": [1, -1e999]}}', "params.n.1"),
        ('{"type": "image", "provider": "imagen", "params": {"n": 1e30000}}', "params.n"),
        ('{"type": "image", "provider": "imagen", "prompt": "a\\u0000b"}', "prompt"),
        (
            '{"type": "image", "provider": "imagen", "created_at": "0001-01-01T00:00:00+14:00"}',
            "created_at",
        ),
        (
            '{"type": "image", "provider": "imagen", "created_at": "9999-12-31T23:59:59-14:00"}',
            "created_at",
        ),
        ('{"type": "image", "provider": "imagen", "created_at": 0}', "created_at"),
        ('{"type": "image", "provider": "imagen", "success": 0}', "success"),
        ('{"type": "image", "provider": "imagen", "cost": "١٢"}', "cost"),
        ('{"type": "video", "provider": "veo", "duration_seconds": "8"}', "duration_seconds"),
        ('{"type": "video", "provider": "veo", "duration_seconds": 8.5}', "duration_seconds"),
        ('{"type": "image", "provider": "imagen", "cost": null}', "cost"),
    ],
)
def test_it_refuses_hostile_json_naming_the_field(api_a, org_a, store, raw, field):
    response = api_a.client.post(
        "/api/v1/events",
        raw,
        content_type="application/json",
        headers=api_a.headers | {"Idempotency-Key": "hostile"},
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert get_recent_media_events(org_a.pk) == []


def test_it_keeps_keys_apart_between_tenants(api_a, api_b, org_a, org_b, store):
    a = _post(api_a, VIDEO, key="shared-key")
    b = _post(api_b, {"type": "image", "provider": "imagen"}, key="shared-key")
    assert (a.status_code, b.status_code) == (201, 201)
    assert b.json()["tenant_id"] == org_b.pk and b.json()["provider"] == "imagen"
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.django_db(transaction=True)
def test_it_records_once_when_the_same_key_races(org_a, owner_a, settings):
    from bakedbot.api_tokens import create_api_token
    from tests.costs_store import use_store

    use_store(settings, "sql")
    secret = create_api_token(tenant=org_a, name="race", created_by=owner_a).secret
    statuses = []
    barrier = threading.Barrier(6)

    def send():
        barrier.wait()
        try:
            statuses.append(_post(ApiClient(secret), VIDEO, key="raced").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 5 + [201]
    assert GenerationEvent.objects.filter(tenant_id=org_a.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_key_with_two_bodies_at_once_records_one_and_refuses_the_other(
    org_a, owner_a, settings
):
    from bakedbot.api_tokens import create_api_token
    from tests.costs_store import use_store

    use_store(settings, "sql")
    secret = create_api_token(tenant=org_a, name="race", created_by=owner_a).secret
    results = []
    barrier = threading.Barrier(6)

    def send(body):
        barrier.wait()
        try:
            results.append((body["type"], _post(ApiClient(secret), body, key="two").status_code))
        finally:
            connection.close()

    bodies = [VIDEO, IMAGE] * 3
    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [(winner, _)] = [result for result in results if result[1] == 201]
    for kind, status in results:
        if (kind, status) != (winner, 201):
            assert status == (200 if kind == winner else 422), results
    [event] = GenerationEvent.objects.filter(tenant_id=org_a.pk)
    assert event.type == winner


def test_it_takes_a_given_cost_in_dollars_or_micros(api_a, store):
    body = _post(api_a, VIDEO | {"cost": "2.5"}, key="dollars").json()
    assert body["cost_micros"] == 2_500_000 and body["cost"] == "2.50"
    body = _post(api_a, {"type": "image", "provider": "imagen", "cost_micros": 7}, key="m").json()
    assert body["cost_micros"] == 7


def test_it_records_a_failure_and_a_cache_hit_at_no_cost(api_a, store):
    failed = _post(api_a, VIDEO | {"success": False, "error": "quota"}, key="f").json()
    assert failed["cost_micros"] == 0 and failed["error"] == "quota"
    hit = _post(api_a, {"type": "image", "provider": "imagen", "cache_hit": True}, key="c").json()
    saved = estimate_media_cost("image", "imagen").cost_micros
    assert hit["cost_micros"] == 0 and hit["saved"] == dollars(saved)


def test_it_keeps_the_time_the_event_happened(api_a, org_a, store):
    at = datetime.now(UTC) - timedelta(days=3)
    body = _post(api_a, VIDEO | {"created_at": at.isoformat()}).json()
    assert datetime.fromisoformat(body["created_at"]) == at.replace(
        microsecond=at.microsecond // 1000 * 1000
    )
    day = tenant_today(org_a.pk) - timedelta(days=3)
    usage = get_media_usage(org_a.pk, day - timedelta(days=1), day + timedelta(days=1))
    assert usage.total_generations == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "video", "provider": "veo"}, "duration_seconds"),
        ({"type": "image", "provider": "imagen", "duration_seconds": 8}, "duration_seconds"),
        ({"type": "image", "provider": "veo"}, "provider"),
        ({"type": "video", "provider": "imagen", "duration_seconds": 8}, "provider"),
        ({"type": "gif", "provider": "imagen"}, "type"),
        ({"type": "image", "provider": "dall-e"}, "provider"),
        ({"provider": "imagen"}, "type"),
        ({"type": "video", "provider": "veo", "duration_seconds": 301}, "duration_seconds"),
        ({"type": "image", "provider": "imagen", "cost": 1.5}, "cost"),
        ({"type": "image", "provider": "imagen", "cost": "-1"}, "cost"),
        ({"type": "image", "provider": "imagen", "cost": "0.0000001"}, "cost"),
        ({"type": "image", "provider": "imagen", "cost": "NaN"}, "cost"),
        ({"type": "image", "provider": "imagen", "cost_micros": -5}, "cost_micros"),
        ({"type": "image", "provider": "imagen", "cost_micros": 2.5}, "cost_micros"),
        ({"type": "image", "provider": "imagen", "cost": "1", "cost_micros": 1}, "cost"),
        ({"type": "image", "provider": "imagen", "cost": "1", "cost_micros": 1}, "cost_micros"),
        (IMAGE | {"created_at": "2099-01-01T00:00:00Z"}, "created_at"),
        (IMAGE | {"created_at": "2026-11-20T10:00:00"}, "created_at"),  # no time zone
        (IMAGE | {"created_at": "2020-01-01T00:00:00Z"}, "created_at"),  # before any price book
        ({"type": "image", "provider": "imagen", "colour": "red"}, "colour"),
        ({"type": "image", "provider": "imagen", "prompt": "x" * 2001}, "prompt"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_records_nothing(
    api_a, org_a, store, body, field
):
    response = _post(api_a, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert get_recent_media_events(org_a.pk) == []
    # The key stays free: a good request with it is recorded.
    assert _post(api_a, {"type": "image", "provider": "imagen"}).status_code == 201


@pytest.mark.parametrize("key", [None, "", "has space", "slash/inside", "k" * 101])
def test_it_needs_a_usable_idempotency_key(api_a, org_a, store, key):
    headers = {} if key is None else {"Idempotency-Key": key}
    response = api_a.post("/events", {"type": "image", "provider": "imagen"}, **headers)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["error"]["fields"]
    assert get_recent_media_events(org_a.pk) == []


def test_it_refuses_a_body_that_is_not_json(api_a, store):
    response = api_a.client.post(
        "/api/v1/events",
        "{not json",
        content_type="application/json",
        headers=api_a.headers | {"Idempotency-Key": "k"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"body": "Send a JSON object."}
    response = _post(api_a, [1, 2])
    assert response.status_code == 400


def test_it_bounds_the_params_and_the_body(api_a, org_a, store, settings):
    response = _post(api_a, IMAGE | {"params": {"notes": "x" * 10_000}})
    assert response.status_code == 400 and "params" in response.json()["error"]["fields"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(api_a, IMAGE | {"prompt": "y" * 1500})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["body"]
    assert get_recent_media_events(org_a.pk) == []


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
