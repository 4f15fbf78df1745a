"""Idempotency for paid provider calls: a ``ProviderCall`` row per idempotency key.

``begin`` claims a key (or reports what an earlier call with it left behind); the adapter then
records the remote handle as soon as a long-running operation exists, and finally the result or
the failure. Result bytes are kept with Django's storage API so a duplicate delivery that arrives
after the first one finished gets the same bytes back without a call.

Store writes commit on their own: call adapters outside ``transaction.atomic`` so that a rollback
in the caller cannot erase the record of a call that was paid for.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from media.models import ProviderCall
from media.providers import errors
from media.providers.errors import (
    CallInProgress,
    IdempotencyConflict,
    ProviderError,
    SafetyBlocked,
)

# ProviderCall.idempotency_key's max_length.
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class StoredResult:
    """What a finished call produced, as kept in the store (bytes plus JSON-able metadata)."""

    data: bytes = b""
    suffix: str = ""
    thumbnail: bytes = b""
    thumbnail_suffix: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PriorCall:
    """What ``begin`` found: ``new`` (the caller now owns the key), ``submitted`` (resume polling
    ``handle``), ``succeeded`` (``result`` holds the output) or ``failed`` (raise ``error``)."""

    state: str
    handle: str = ""
    result: StoredResult | None = None
    error: ProviderError | None = None


def request_fingerprint(*, provider: str, model: str, request: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {"provider": provider, "model": model, "request": request},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class ProviderCallStore:
    """The ORM-backed store. ``stale_after``: how long an in-flight claim is honoured before another
    worker may take it over (its owner is presumed dead)."""

    def __init__(self, *, stale_after: timedelta = timedelta(minutes=30)) -> None:
        self.stale_after = stale_after

    def begin(self, *, key: str, provider: str, model: str, fingerprint: str) -> PriorCall:
        now = timezone.now()
        with transaction.atomic():
            call, created = ProviderCall.objects.select_for_update().get_or_create(
                idempotency_key=key,
                defaults={
                    "provider": provider,
                    "model": model,
                    "fingerprint": fingerprint,
                    "status": ProviderCall.Status.IN_FLIGHT,
                    "claimed_at": now,
                },
            )
            if created:
                return PriorCall("new")
            if call.fingerprint != fingerprint:
                raise IdempotencyConflict(
                    f"idempotency key {key!r} was used before for a different request "
                    f"({call.provider} {call.model})",
                    provider=provider,
                )
            if call.status == ProviderCall.Status.SUCCEEDED:
                return PriorCall("succeeded", handle=call.handle, result=_read_result(call))
            if call.status == ProviderCall.Status.FAILED:
                return PriorCall("failed", handle=call.handle, error=_rebuild_error(call))
            if call.status == ProviderCall.Status.SUBMITTED:
                # Polling and downloading are free: a second worker may follow the same operation.
                return PriorCall("submitted", handle=call.handle)
            if (
                call.status == ProviderCall.Status.IN_FLIGHT
                and call.claimed_at > now - self.stale_after
            ):
                raise CallInProgress(
                    f"another worker is making the call for key {key!r}", provider=provider
                )
            call.status = (
                ProviderCall.Status.SUBMITTED if call.handle else ProviderCall.Status.IN_FLIGHT
            )
            call.attempts += 1
            call.claimed_at = now
            call.save(update_fields=["status", "attempts", "claimed_at", "updated_at"])
            return PriorCall("submitted", handle=call.handle) if call.handle else PriorCall("new")

    def submitted(self, *, key: str, handle: str) -> None:
        ProviderCall.objects.filter(idempotency_key=key).update(
            status=ProviderCall.Status.SUBMITTED, handle=handle, updated_at=timezone.now()
        )

    def succeeded(self, *, key: str, result: StoredResult) -> None:
        with transaction.atomic():
            call = ProviderCall.objects.select_for_update().get(idempotency_key=key)
            if call.status == ProviderCall.Status.SUCCEEDED:
                return
            name = hashlib.sha256(key.encode()).hexdigest()[:32]
            if result.data:
                call.result.save(f"{name}{result.suffix}", ContentFile(result.data), save=False)
            if result.thumbnail:
                call.thumbnail.save(
                    f"{name}-thumb{result.thumbnail_suffix}",
                    ContentFile(result.thumbnail),
                    save=False,
                )
            call.meta = result.meta
            call.status = ProviderCall.Status.SUCCEEDED
            call.error_type = call.error_code = call.error_message = ""
            call.save()

    def failed(self, *, key: str, error: ProviderError, operation_ended: bool = False) -> None:
        """Record a failure. A retryable one releases the key for the next attempt, which resumes
        the remote operation unless ``operation_ended`` (the operation itself failed)."""
        update: dict[str, Any] = {
            "error_type": type(error).__name__,
            "error_code": error.code[:100],
            "error_message": error.message,
            "updated_at": timezone.now(),
        }
        if error.retryable:
            update["status"] = ProviderCall.Status.RELEASED
            if operation_ended:
                update["handle"] = ""
        else:
            update["status"] = ProviderCall.Status.FAILED
        ProviderCall.objects.filter(idempotency_key=key).exclude(
            status=ProviderCall.Status.SUCCEEDED
        ).update(**update)

    def release(self, *, key: str) -> None:
        """Give the key back after an unexpected exception (keeping any handle)."""
        ProviderCall.objects.filter(
            idempotency_key=key,
            status__in=(ProviderCall.Status.IN_FLIGHT, ProviderCall.Status.SUBMITTED),
        ).update(status=ProviderCall.Status.RELEASED, updated_at=timezone.now())

    def purge(self, *, older_than: timedelta) -> int:
        """Delete finished calls (and their files) last touched before ``older_than`` ago."""
        cutoff = timezone.now() - older_than
        calls = ProviderCall.objects.filter(
            updated_at__lt=cutoff,
            status__in=(
                ProviderCall.Status.SUCCEEDED,
                ProviderCall.Status.FAILED,
                ProviderCall.Status.RELEASED,
            ),
        )
        count = 0
        for call in calls.iterator():
            for stored in (call.result, call.thumbnail):
                if stored:
                    stored.delete(save=False)
            call.delete()
            count += 1
        return count


def _read_result(call: ProviderCall) -> StoredResult:
    return StoredResult(
        data=_read(call.result),
        thumbnail=_read(call.thumbnail),
        meta=dict(call.meta),
    )


def _read(stored) -> bytes:
    if not stored:
        return b""
    with stored.open("rb") as handle:
        return handle.read()


def _rebuild_error(call: ProviderCall) -> ProviderError:
    message = f"{call.error_message} (recorded for key {call.idempotency_key!r}; not called again)"
    cls = getattr(errors, call.error_type, None)
    if cls is SafetyBlocked:
        return SafetyBlocked(message, provider=call.provider, reason=call.error_code)
    if (
        isinstance(cls, type)
        and issubclass(cls, ProviderError)
        and cls.__init__ is (ProviderError.__init__)
    ):
        return cls(message, provider=call.provider, code=call.error_code, retryable=False)
    return ProviderError(message, provider=call.provider, code=call.error_code, retryable=False)
