"""Idempotency keys that mean what they say (the API's ``Idempotency-Key`` header).

A key answers the first result of the request it came with: the same key with the same
parameters answers it again and does nothing new; the same key with other parameters is a client
bug (a reused counter, a key not reset between requests) and is refused, never answered with the
result of a different request. The key and the fingerprint of its request live in the Django
database (``ApiIdempotencyKey``) whatever the cost store is, so one rule covers every operation
that takes a key (generation events in the cost store, playbook runs in the database).

Usage: inside the ``transaction.atomic()`` that does the work, ``claim_idempotency_key`` first;
a refusal or a failure later in the transaction rolls the claim back with everything else.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction

from bakedbot.models import ApiIdempotencyKey


class IdempotencyKeyReused(Exception):
    """The key was used before with other parameters (the API answers 422)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was used before with a different body; "
            "send a new key for a new request."
        )
        self.key = key


def request_fingerprint(parameters: Any) -> str:
    """SHA-256 of the canonical JSON of ``parameters`` (keys sorted, no spaces): two requests
    that mean the same (key order, defaults spelt out) have the same fingerprint."""
    canonical = json.dumps(
        parameters, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim_idempotency_key(*, tenant_id: str, scope: str, key: str, fingerprint: str) -> bool:
    """True: the key's first use, now recorded (in the caller's transaction). False: used before
    with the same fingerprint, so the caller answers the first result. ``IdempotencyKeyReused``
    when it was used with another fingerprint."""
    try:
        with transaction.atomic():
            ApiIdempotencyKey.objects.create(
                tenant_id=tenant_id, scope=scope, key=key, fingerprint=fingerprint
            )
        return True
    except IntegrityError:
        stored = (
            ApiIdempotencyKey.objects.filter(tenant_id=tenant_id, scope=scope, key=key)
            .values_list("fingerprint", flat=True)
            .first()
        )
        if stored is None:  # not a clash on the key (an unknown tenant): not ours to hide
            raise
        if stored != fingerprint:
            raise IdempotencyKeyReused(key) from None
        return False
