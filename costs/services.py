"""Writes of the cost core: recording what generations cost.

``track_media_generation`` is the one way an event enters the store: a caller produces its media
first, then records exactly one event saying what happened (the generation jobs in ``media/jobs/``
do). ``with_image_tracking`` and ``with_video_tracking`` are that same order for callers that
hand over a ``generate`` function: time it, then one ``track_media_generation`` call.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db import OperationalError, transaction
from django.utils import timezone

from bakedbot.errors import InvalidInput
from costs.domain import MediaGenerationEvent, RecomputeReport, new_event_id
from costs.headroom import adjust_headroom, forget_headroom
from costs.pricing import IMAGE, TEXT, VIDEO, estimate_media_cost, price_book
from costs.repository import CostStoreUnavailable
from costs.stores import get_repository
from costs.tenants import tenant_local_date

T = TypeVar("T")


@dataclass(frozen=True)
class TrackedResult(Generic[T]):
    """What a tracking wrapper returns: the generator's result and the event recorded for it."""

    result: T
    tracking_event: MediaGenerationEvent


def price_media_generation(event: MediaGenerationEvent) -> MediaGenerationEvent:
    """The event with ``cost_micros``, ``price_version`` and savings filled from the price book,
    as ``track_media_generation`` would record it (the outbox keeps it priced so).

    The provider and type are checked even when the cost is given: an unpriced provider is an
    error, never a silent $0. Bad input raises ``InvalidInput`` on the event's field at fault.
    """
    if not event.id or not str(event.id).strip():
        raise InvalidInput(id="id must not be empty")
    if not event.tenant_id:
        raise InvalidInput(tenant_id="tenant_id must not be empty")
    options = pricing_options(event)
    if event.type == VIDEO and event.duration_seconds is None:
        raise InvalidInput(duration_seconds="duration_seconds is required for a video event")
    try:
        book = price_book(event.created_at)
    except InvalidInput as exc:
        raise InvalidInput(created_at=exc.message) from None
    estimate = estimate_media_cost(event.type, event.provider, options, book=book)
    changes: dict[str, Any] = {}
    if event.cost_micros is None:
        charged = event.success and not event.cache_hit
        changes["cost_micros"] = estimate.cost_micros if charged else 0
    elif isinstance(event.cost_micros, bool) or not isinstance(event.cost_micros, int):
        raise InvalidInput(
            cost_micros=f"cost_micros must be whole micro-dollars, not {event.cost_micros!r}"
        )
    elif event.cost_micros < 0:
        raise InvalidInput(cost_micros=f"cost_micros must not be negative, not {event.cost_micros}")
    if not event.price_version:
        changes["price_version"] = book.version
    # The event keeps every dimension it was priced on (defaults included: the model configured,
    # 1K, 720p with audio), so a bill or a re-pricing can be checked against it later.
    for name, value in estimate.dimensions.items():
        if value not in (None, "") and getattr(event, name) in (None, ""):
            changes[name] = value
    if event.cache_hit and not event.saved_micros:
        changes["saved_micros"] = estimate.cost_micros
    if event.saved_micros < 0:
        raise InvalidInput(
            saved_micros=f"saved_micros must not be negative, not {event.saved_micros}"
        )
    return dataclasses.replace(event, **changes) if changes else event


def pricing_options(event: MediaGenerationEvent) -> dict[str, Any]:
    """The price book options an event is priced with: its model and billed dimensions."""
    options: dict[str, Any] = {"model": event.model} if event.model else {}
    if event.type == VIDEO:
        options["duration_seconds"] = event.duration_seconds
        if event.resolution:
            options["resolution"] = event.resolution
        if event.audio is not None:
            options["audio"] = event.audio
    elif event.type == TEXT:
        # A failed call that says it cost nothing may lack token counts; a charged one may not.
        free = event.cost_micros is not None and not event.success
        options["input_tokens"] = 0 if free and event.input_tokens is None else event.input_tokens
        options["output_tokens"] = (
            0 if free and event.output_tokens is None else event.output_tokens
        )
    elif event.image_size:
        options["image_size"] = event.image_size
    return options


def track_media_generation(event: MediaGenerationEvent) -> MediaGenerationEvent:
    """Price and record one generation event under the tenant's local date.

    Idempotent on ``event.id``: recording an id that is already stored changes nothing and returns
    the stored event. Raises ``ValueError`` for an unknown tenant, type or provider, a provider of
    the wrong kind, or a bad duration; ``costs.repository.CostStoreUnavailable`` when the store
    does not answer within its deadline (nothing recorded: a caller whose generation was paid
    for uses ``costs.outbox.track_paid_generation`` instead, which keeps it in the outbox).
    """
    return record_media_generation(event).event


@dataclass(frozen=True)
class RecordedEvent:
    """``record_media_generation``: the stored event and whether this call stored it."""

    event: MediaGenerationEvent
    created: bool


def record_media_generation(event: MediaGenerationEvent) -> RecordedEvent:
    """``track_media_generation`` that also says whether this call recorded the event (False:
    the id was stored before, and the first recording is returned). Concurrent calls with one id
    get exactly one ``created``: the store decides, not a read before the write."""
    priced = price_media_generation(event)
    local_date = tenant_local_date(priced.tenant_id, priced.created_at)
    repository = get_repository()
    # One transaction with the SQL store's write: its cost comes off the budget's headroom as it
    # is recorded (after the store took it: a hold reading the spend between counts it twice).
    # The transaction's own BEGIN (SQLite's write lock) and COMMIT are the store's too.
    try:
        with transaction.atomic():
            created = repository.record(priced, local_date)
            if created:
                adjust_headroom(priced.tenant_id, -(priced.cost_micros or 0), now=timezone.now())
    except OperationalError as exc:
        raise CostStoreUnavailable() from exc
    if created:
        return RecordedEvent(priced, True)
    return RecordedEvent(repository.get_event(priced.id) or priced, False)


def track_media_generations(events: Iterable[MediaGenerationEvent]) -> int:
    """Price and record many events at once (imports, demo data); returns how many were new.

    Every event is validated before anything is written; ids already stored are skipped.
    """
    priced = [price_media_generation(event) for event in events]
    items = [(event, tenant_local_date(event.tenant_id, event.created_at)) for event in priced]
    added = get_repository().record_many(items)
    if added:
        forget_headroom({event.tenant_id for event in priced})
    return added


def _tracked(
    *,
    tenant_id: str,
    user_id: str,
    media_type: str,
    provider: str,
    prompt: str,
    generate: Callable[[], T],
    duration_seconds: int | None,
    options: dict[str, Any],
) -> TrackedResult[T]:
    """Time ``generate()``, then record its outcome with one ``track_media_generation`` call:
    success priced by the price book, or failure at $0 with the error (then re-raised)."""
    # Refuse bad input before generating anything.
    estimate_media_cost(media_type, provider, options)
    started_at = datetime.now(UTC)
    started = time.monotonic()
    failure: Exception | None = None
    try:
        result = generate()
    except Exception as exc:
        failure = exc
    event = track_media_generation(
        MediaGenerationEvent(
            id=options.get("event_id") or new_event_id(),
            tenant_id=tenant_id,
            user_id=user_id,
            type=media_type,
            provider=provider,
            model=options.get("model") or "",
            prompt=prompt,
            params=dict(options.get("params") or {}),
            duration_seconds=duration_seconds,
            created_at=started_at,
            content_id=options.get("content_id"),
            playbook_run_id=options.get("playbook_run_id"),
            simulated=bool(options.get("simulated")),
            generation_ms=int((time.monotonic() - started) * 1000),
            success=failure is None,
            cost_micros=None if failure is None else 0,
            error="" if failure is None else _error_text(failure),
        )
    )
    if failure is not None:
        raise failure
    return TrackedResult(result=result, tracking_event=event)


def _error_text(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def with_image_tracking(
    tenant_id: str,
    user_id: str,
    provider: str,
    prompt: str,
    generate: Callable[[], T],
    *,
    content_id: str | None = None,
    playbook_run_id: str | None = None,
    type: str = IMAGE,
    model: str = "",
    params: dict[str, Any] | None = None,
    event_id: str | None = None,
    simulated: bool = False,
) -> TrackedResult[T]:
    """Call ``generate()``, time it and record it: success at the image price, failure at $0 with
    the error (then the exception is re-raised). ``type`` may be ``image_edit``."""
    if type == VIDEO:
        raise ValueError("with_image_tracking records images; use with_video_tracking for videos")
    return _tracked(
        tenant_id=tenant_id,
        user_id=user_id,
        media_type=type,
        provider=provider,
        prompt=prompt,
        generate=generate,
        duration_seconds=None,
        options={
            "content_id": content_id,
            "playbook_run_id": playbook_run_id,
            "model": model,
            "params": params,
            "event_id": event_id,
            "simulated": simulated,
        },
    )


def with_video_tracking(
    tenant_id: str,
    user_id: str,
    provider: str,
    prompt: str,
    duration_seconds: int,
    generate: Callable[[], T],
    *,
    content_id: str | None = None,
    playbook_run_id: str | None = None,
    model: str = "",
    params: dict[str, Any] | None = None,
    event_id: str | None = None,
    simulated: bool = False,
) -> TrackedResult[T]:
    """Like ``with_image_tracking`` for a video of ``duration_seconds`` (priced by clip plan)."""
    return _tracked(
        tenant_id=tenant_id,
        user_id=user_id,
        media_type=VIDEO,
        provider=provider,
        prompt=prompt,
        generate=generate,
        duration_seconds=duration_seconds,
        options={
            "duration_seconds": duration_seconds,
            "content_id": content_id,
            "playbook_run_id": playbook_run_id,
            "model": model,
            "params": params,
            "event_id": event_id,
            "simulated": simulated,
        },
    )


def recompute_aggregates(*, tenant_id: str | None = None) -> RecomputeReport:
    """Rebuild aggregates from the stored events (all tenants, or one) and report every repair.

    A repair tool: run it while nothing records (on SQL it is one transaction). A repair changes
    spend under the budgets' headroom: the next hold of the tenants concerned goes the long way."""
    report = get_repository().recompute_aggregates(tenant_id=tenant_id)
    if report.repaired:
        forget_headroom(None if tenant_id is None else {tenant_id})
    return report
