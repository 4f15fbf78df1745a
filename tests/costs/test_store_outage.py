"""The Firestore cost store stopped mid-test (its emulator process killed), then started again:
the API answers 503 with Retry-After, pages render with "costs are temporarily unavailable", a
generation that was paid for goes to the outbox and finishes, and the drain records it once when
the store is back. Times are printed (the figures the issue asks for), never asserted."""

import time
from decimal import Decimal

import pytest

from costs.budget_selectors import check_budget_limit, get_media_budget_status
from costs.models import BudgetHold, PendingCostEvent
from costs.money import micros_to_decimal
from costs.outbox import drain_cost_outbox
from costs.pricing import estimate_media_cost
from costs.repository import CostStoreUnavailable
from costs.selectors import get_media_usage, get_recent_media_events
from costs.stores import get_repository
from costs.tenants import tenant_today
from media.jobs import hooks
from media.models import GenerationJob
from media.services import queue_image_generation, run_generation_job
from tests.api.conftest import ApiClient, _token

pytestmark = pytest.mark.usefixtures("stoppable_firestore")


def _price() -> int:
    """What one gemini-flash image costs now (the price book reads added versions from the
    database, so not at import time)."""
    return estimate_media_cost("image", "gemini-flash").cost_micros


def _back(emulator):
    """Start the store again and wait until it answers (the repository fails fast for a few
    seconds after an outage, then tries the store again)."""
    emulator.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            get_repository().get_event("probe")
            return
        except CostStoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _timed(label, call):
    started = time.monotonic()
    response = call()
    print(f"{label}: {response.status_code} after {time.monotonic() - started:.2f} s")
    return response


@pytest.fixture
def limited(org_a):
    from costs.budgets import update_media_budget

    update_media_budget(org_a.pk, {"daily_limit": "1.00"})
    return org_a


def test_it_answers_the_api_with_503_and_retry_after(org_a, owner_a, stoppable_firestore):
    api = ApiClient(_token(org_a, owner_a).secret)
    stoppable_firestore.stop()

    response = _timed(
        "POST /api/v1/events, Firestore stopped",
        lambda: api.post(
            "/events", {"type": "image", "provider": "imagen"}, **{"Idempotency-Key": "k1"}
        ),
    )

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "unavailable" and "temporarily unavailable" in error["message"]
    # Reads answer the same way.
    assert _timed("GET /api/v1/usage", lambda: api.get("/usage")).status_code == 503
    # Nothing was recorded: the client retries with the same key once the store is back.
    _back(stoppable_firestore)
    retried = api.post(
        "/events", {"type": "image", "provider": "imagen"}, **{"Idempotency-Key": "k1"}
    )
    assert retried.status_code == 201
    assert len(get_recent_media_events(org_a.pk)) == 1


def test_pages_render_with_the_notice(
    limited, owner_a_client, super_admin_client, stoppable_firestore
):
    stoppable_firestore.stop()

    ceo = _timed("CEO tab", lambda: super_admin_client.get("/dashboard/ceo?tab=costs"))
    assert ceo.status_code == 200
    assert b'data-testid="costs-unavailable"' in ceo.content
    assert b"Costs are temporarily unavailable" in ceo.content

    media = _timed("media dashboard", lambda: owner_a_client.get("/dashboard/media"))
    assert media.status_code == 200
    assert b'data-testid="costs-unavailable"' in media.content
    # The parts the Django database answers still show: the budget form and its settings.
    assert b'name="daily_limit" value="1.00"' in media.content

    creative = _timed("Creative Center", lambda: owner_a_client.get("/dashboard/creative"))
    assert creative.status_code == 200
    assert b'data-testid="budget-unavailable"' in creative.content

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
    # The hold needs the spend, so nothing is queued: said plainly, not a 500.
    assert generate.status_code == 503
    assert b"temporarily unavailable" in generate.content
    assert not GenerationJob.objects.exists() and not BudgetHold.objects.exists()


def test_a_paid_generation_waits_in_the_outbox_and_is_recorded_once(
    limited, owner_a, owner_a_client, super_admin_client, stoppable_firestore
):
    with hooks.keep_deliveries():
        job = queue_image_generation(
            limited.pk, str(owner_a.pk), provider="gemini-flash", prompt="A cat", aspect_ratio="1:1"
        )
        stoppable_firestore.stop()
        # The provider made (and was paid for) the image; the store is down when it is recorded.
        assert run_generation_job(job.pk) == "done"

    job.refresh_from_db()
    assert (job.status, job.cost_micros, job.event_id) == ("done", _price(), f"{job.pk}:done")
    [waiting] = PendingCostEvent.objects.all()
    assert (waiting.id, waiting.tenant_id, waiting.cost_micros) == (
        job.event_id,
        limited.pk,
        _price(),
    )
    # The hold was settled in the outbox's transaction, to the price: counted once, as spend.
    [hold] = BudgetHold.objects.all()
    assert (hold.status, hold.actual_micros) == ("settled", _price())

    page = owner_a_client.get("/dashboard/media")
    assert b"1 generation waiting to be recorded" in page.content
    ceo = super_admin_client.get("/dashboard/ceo?tab=costs")
    assert b"1 generation waiting to be recorded" in ceo.content
    # A drain while the store is down keeps the row and backs off.
    report = drain_cost_outbox()
    assert (report.recorded, report.waiting) == (0, 1)
    waiting.refresh_from_db()
    assert waiting.attempts == 1 and waiting.next_attempt_at > waiting.queued_at

    _back(stoppable_firestore)
    # Back, not drained yet: budgets count the waiting event (no hole in the limit) ...
    status = get_media_budget_status(limited.pk)
    assert (status.period("day").spent, status.period("day").held) == (
        micros_to_decimal(_price()),
        0,
    )
    room = Decimal("1.00") - micros_to_decimal(_price())
    assert not check_budget_limit(limited.pk, room + Decimal("0.01")).allowed
    assert check_budget_limit(limited.pk, room).allowed

    report = drain_cost_outbox(now=waiting.next_attempt_at)
    assert (report.recorded, report.found, report.waiting) == (1, 0, 0)
    # ... and once drained, the store alone: one event, the aggregates once, spend unchanged.
    [event] = get_recent_media_events(limited.pk)
    assert (event.id, event.cost_micros) == (job.event_id, _price())
    today = tenant_today(limited.pk)
    usage = get_media_usage(limited.pk, today, today)
    assert (usage.total_generations, usage.total_cost_micros) == (1, _price())
    assert get_media_budget_status(limited.pk).period("day").spent == micros_to_decimal(_price())
    assert get_repository().global_usage(today, today).totals.count == 1
    assert BudgetHold.objects.get(pk=hold.pk).status == "settled"
    # Draining again changes nothing.
    assert drain_cost_outbox() == type(report)(recorded=0, found=0, waiting=0)
    assert len(get_recent_media_events(limited.pk)) == 1
    assert b"waiting to be recorded" not in owner_a_client.get("/dashboard/media").content
