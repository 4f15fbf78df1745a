"""A locked SQLite database (another connection holding ``BEGIN EXCLUSIVE``): a write waits at
most the busy timeout (``COSTS_STORE_TIMEOUT_SECONDS``), then the API answers 503 with
Retry-After, pages still render (WAL lets them read), and a generation is refused plainly with
nothing queued. Times are printed, never asserted."""

import sqlite3
import time
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.db import connection

from costs.models import BudgetHold, GenerationEvent
from costs.repository import CostStoreUnavailable
from costs.selectors import get_recent_media_events
from costs.services import track_media_generation
from media.models import GenerationJob
from tests.api.conftest import ApiClient, _token
from tests.contract.test_cost_repository import event

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_busy_timeout_is_the_cost_store_deadline():
    options = django_settings.DATABASES["default"]["OPTIONS"]
    assert options["timeout"] == django_settings.COSTS_STORE_TIMEOUT_SECONDS


@pytest.fixture
def short_lock_wait(sql_store):
    """A 1 s busy timeout instead of the default 5 s, to keep the test short."""
    options = connection.settings_dict["OPTIONS"]
    before = options["timeout"]
    options["timeout"] = 1
    connection.close()
    yield
    options["timeout"] = before
    connection.close()


@contextmanager
def write_locked():
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _timed(label, call):
    started = time.monotonic()
    response = call()
    print(f"{label}: {response.status_code} after {time.monotonic() - started:.2f} s")
    return response


def test_a_write_to_the_locked_store_is_unavailable_and_writes_nothing(org_a, short_lock_wait):
    with write_locked(), pytest.raises(CostStoreUnavailable):
        track_media_generation(event(org_a, 1))
    assert not GenerationEvent.objects.exists()


def test_the_api_answers_503_with_retry_after(org_a, owner_a, short_lock_wait):
    api = ApiClient(_token(org_a, owner_a).secret)
    with write_locked():
        response = _timed(
            "POST /api/v1/events, SQLite locked",
            lambda: api.post(
                "/events", {"type": "image", "provider": "imagen"}, **{"Idempotency-Key": "k1"}
            ),
        )
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "unavailable"
    assert not GenerationEvent.objects.exists()


def test_pages_render_and_a_generation_is_refused_plainly(
    org_a, owner_a_client, super_admin_client, short_lock_wait
):
    owner_a_client.get("/dashboard/media")  # the session is stored before the lock
    with write_locked():
        media = _timed("media dashboard", lambda: owner_a_client.get("/dashboard/media"))
        ceo = _timed("CEO tab", lambda: super_admin_client.get("/dashboard/ceo?tab=costs"))
        creative = _timed("Creative Center", lambda: owner_a_client.get("/dashboard/creative"))
        generate = _timed(
            "Creative Center generate",
            lambda: owner_a_client.post(
                "/dashboard/creative/generate",
                {
                    "kind": "image",
                    "provider": "gemini-flash",
                    "base_prompt": "A cat",
                    "aspect_ratio": "1:1",
                },
            ),
        )
    assert (media.status_code, ceo.status_code, creative.status_code) == (200, 200, 200)
    assert generate.status_code == 503
    assert b"temporarily unavailable" in generate.content
    assert not GenerationJob.objects.exists() and not BudgetHold.objects.exists()
    assert get_recent_media_events(org_a.pk) == []
