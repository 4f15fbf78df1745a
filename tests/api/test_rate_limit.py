"""The per-token rate limit: a fixed window counted on the token's row (shared by processes)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from bakedbot.api_tokens import create_api_token, register_api_request
from bakedbot.models import ApiToken
from tests.api.conftest import ApiClient


@pytest.fixture
def limit_of_three(settings):
    settings.API_RATE_LIMIT = 3
    settings.API_RATE_LIMIT_WINDOW_SECONDS = 60


def test_it_answers_429_with_retry_after_past_the_limit(api_a, api_b, limit_of_three, store):
    assert [api_a.get("/budget").status_code for _ in range(3)] == [200, 200, 200]
    response = api_a.get("/budget")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60
    # Per token: organisation B's token is not slowed by A's.
    assert api_b.get("/budget").status_code == 200


def test_it_counts_per_token_not_per_tenant(org_a, owner_a, limit_of_three, store):
    first, second = (
        ApiClient(create_api_token(tenant=org_a, name=n, created_by=owner_a).secret)
        for n in ("one", "two")
    )
    assert [first.get("/budget").status_code for _ in range(4)][-1] == 429
    assert second.get("/budget").status_code == 200


def test_it_does_not_count_requests_without_a_valid_token(api_anonymous, api_a, limit_of_three):
    for _ in range(5):
        assert api_anonymous.get("/budget").status_code == 401
    assert api_a.get("/estimate", {"type": "image", "provider": "imagen"}).status_code == 200


def test_it_opens_a_new_window_and_tells_how_long_to_wait(token_a, limit_of_three):
    token = token_a.token
    start = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    decisions = [register_api_request(token, now=start + timedelta(seconds=s)) for s in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.remaining for d in decisions] == [2, 1, 0, 0]
    assert decisions[-1].retry_after == 57  # the window ends at 12:01:00
    later = register_api_request(token, now=start + timedelta(seconds=60))
    assert later.allowed and later.remaining == 2
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=60)


def test_it_rounds_retry_after_up_to_a_whole_second(token_a, limit_of_three):
    at = datetime(2026, 11, 20, 12, 0, 59, 500_000, tzinfo=UTC)
    for _ in range(3):
        register_api_request(token_a.token, now=at)
    assert register_api_request(token_a.token, now=at).retry_after == 1


@pytest.mark.django_db(transaction=True)
def test_it_loses_no_count_under_concurrent_requests(org_a, owner_a, settings):
    # Threads with their own database connections stand in for web processes.
    settings.API_RATE_LIMIT = 25
    token = create_api_token(tenant=org_a, name="busy", created_by=owner_a).token
    at = datetime.now(UTC)
    results = []
    barrier = threading.Barrier(8)

    def hit():
        barrier.wait()
        try:
            for _ in range(5):
                results.append(register_api_request(token, now=at).allowed)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 25 and results.count(False) == 15
    assert ApiToken.objects.get(pk=token.pk).rate_window_count == 40
