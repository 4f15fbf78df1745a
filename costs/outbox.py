"""The outbox: a generation that was paid for is never lost when the cost store is down.

A generation job records its event through ``track_paid_generation``. When the store answers, that
is ``track_media_generation``. When it does not (``CostStoreUnavailable``: Firestore past its
deadline, the SQL database locked or unreachable), the priced event is written to
``PendingCostEvent`` in the Django database in the same transaction that settles the job's hold,
so the money counts the whole time: as a settled hold's outbox row (budgets add the outbox to the
store's spend) until ``drain_cost_outbox`` records it. The job then finishes: its media exists.

The drain (a django-q2 schedule every minute, ``ensure_outbox_schedule``) records each due row
through the store, idempotent on the event id, and deletes the row — in one transaction when the
store is the same SQL database; on Firestore right after the store took it, so between the two
the money counts twice for a moment, never zero times. A drain that finds the store down backs
off (``next_attempt_at``: 30 s doubling up to 15 minutes).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from costs.budgets import Hold, release_budget_hold, settle_budget_hold
from costs.domain import MediaGenerationEvent
from costs.headroom import adjust_headroom
from costs.models import PendingCostEvent
from costs.money import micros_to_decimal
from costs.repository import CostStoreUnavailable
from costs.selectors import pending_event_of
from costs.services import price_media_generation, track_media_generation
from costs.stores import get_repository
from costs.tenants import tenant_local_date

logger = logging.getLogger(__name__)

OUTBOX_SCHEDULE = "costs: record the generations waiting in the outbox"
DRAIN_TASK = "costs.tasks.drain_cost_outbox"
DRAIN_BATCH = 200
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 900
ERROR_MAX_CHARS = 1000


@dataclass(frozen=True)
class PaidGeneration:
    """``track_paid_generation``: the priced event and whether it waits in the outbox (True)
    or is in the store (False)."""

    event: MediaGenerationEvent
    waiting: bool


def _close(hold: Hold | str, cost_micros: int) -> None:
    if cost_micros > 0:
        settle_budget_hold(hold=hold, actual_cost=micros_to_decimal(cost_micros))
    else:
        release_budget_hold(hold=hold)


def _document(event: MediaGenerationEvent) -> dict[str, Any]:
    # Read back by costs.selectors.pending_event_of.
    return {**event.as_dict(), "created_at": event.created_at.isoformat()}


def track_paid_generation(
    event: MediaGenerationEvent, *, hold: Hold | str | None = None
) -> PaidGeneration:
    """Record a generation whose media exists, so it has been paid for (or its $0 outcome).

    Through ``track_media_generation`` when the store answers (``hold`` is left to the caller,
    which settles it once the media is stored). When the store is unavailable, the priced event
    goes to the outbox and ``hold`` is settled to its cost (released at $0) in one transaction:
    the money never stops counting and nothing paid is lost. Idempotent on ``event.id`` both
    ways: the same id queued twice is one row, and the drain finds an id the store already has.
    Bad input raises ``InvalidInput`` before anything is written, as ``track_media_generation``.
    """
    try:
        return PaidGeneration(track_media_generation(event), waiting=False)
    except CostStoreUnavailable as exc:
        outage = exc
    priced = price_media_generation(event)
    local_date = tenant_local_date(priced.tenant_id, priced.created_at)
    with transaction.atomic():
        queue_pending_event(priced, local_date=local_date, error=str(outage))
        if hold is not None:
            _close(hold, priced.cost_micros or 0)
    logger.warning(
        "Cost store unavailable: event %s (%s micro-dollars) waits in the outbox",
        priced.id,
        priced.cost_micros,
    )
    transaction.on_commit(ensure_outbox_schedule)
    return PaidGeneration(priced, waiting=True)


def queue_pending_event(event: MediaGenerationEvent, *, local_date: date, error: str = "") -> bool:
    """Put a priced event in the outbox (False: its id is already there, nothing changes)."""
    try:
        with transaction.atomic():
            PendingCostEvent.objects.create(
                id=event.id,
                tenant_id=event.tenant_id,
                local_date=local_date,
                cost_micros=event.cost_micros or 0,
                event=_document(event),
                last_error=error[:ERROR_MAX_CHARS],
            )
            adjust_headroom(event.tenant_id, -(event.cost_micros or 0), now=timezone.now())
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class DrainReport:
    """``drain_cost_outbox``: events this drain stored, events it found already stored (an
    earlier drain or a concurrent one took them; the row went, nothing was added), and events
    still waiting (store unavailable, or not due yet)."""

    recorded: int
    found: int
    waiting: int


def backoff_seconds(attempts: int) -> int:
    """Wait before the next try of a row that failed ``attempts`` times."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)


def _back_off(rows: list[PendingCostEvent], now: datetime, error: str) -> None:
    for row in rows:
        PendingCostEvent.objects.filter(pk=row.pk).update(
            attempts=F("attempts") + 1,
            next_attempt_at=now + timedelta(seconds=backoff_seconds(row.attempts + 1)),
            last_error=error[:ERROR_MAX_CHARS],
        )


def drain_cost_outbox(*, limit: int = DRAIN_BATCH, now: datetime | None = None) -> DrainReport:
    """Record the outbox's due events (oldest first, at most ``limit``) and delete their rows.

    Idempotent, and safe to run concurrently: the store records an event id once, so a row two
    drains take at once becomes one event and one set of aggregate increments. The first row
    the store refuses as unavailable stops the drain; it and the rest of the batch back off.
    """
    now = now or timezone.now()
    due = PendingCostEvent.objects.filter(next_attempt_at__lte=now).order_by("queued_at")
    due = list(due[:limit])
    repository = get_repository()
    recorded = found = 0
    for index, row in enumerate(due):
        try:
            # On the SQL store the record and the delete are one transaction; on Firestore the
            # delete follows the store's commit (an outage in between leaves a row the next
            # drain finds recorded: counted twice for a while, never lost).
            with transaction.atomic():
                created = repository.record(pending_event_of(row), row.local_date)
                PendingCostEvent.objects.filter(pk=row.pk).delete()
        except CostStoreUnavailable as exc:
            _back_off(due[index:], now, str(exc))
            break
        except Exception as exc:
            logger.exception("Could not record outbox event %s", row.pk)
            _back_off([row], now, f"{type(exc).__name__}: {exc}")
            continue
        if created:
            recorded += 1
        else:
            found += 1
    waiting = PendingCostEvent.objects.count()
    if recorded or found:
        logger.info("Outbox: %s recorded, %s already stored, %s waiting", recorded, found, waiting)
    return DrainReport(recorded=recorded, found=found, waiting=waiting)


def ensure_outbox_schedule() -> None:
    """The django-q2 schedule that drains the outbox every minute (created once)."""
    from django_q.models import Schedule

    if not Schedule.objects.filter(name=OUTBOX_SCHEDULE).exists():
        Schedule.objects.get_or_create(
            name=OUTBOX_SCHEDULE,
            defaults={
                "func": DRAIN_TASK,
                "schedule_type": Schedule.MINUTES,
                "minutes": 1,
                "repeats": -1,
            },
        )
