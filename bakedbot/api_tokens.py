"""API tokens: making, revoking and checking them, and the per-token rate limit.

A secret looks like ``bb_`` + 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored; a lookup by that hash finds the token, so the secret is never compared character by
character and never kept. A fast hash is enough here (unlike passwords): the secret is random
and long, so there is nothing to guess.

Rate limit: a fixed window of ``API_RATE_LIMIT_WINDOW_SECONDS`` (aligned to the epoch) allowing
``API_RATE_LIMIT`` requests per token, counted on the token's own row. One UPDATE both marks the
token used and counts the request, and the database serialises the UPDATEs of one row, so every
web process and worker shares the count. The Django cache would not do: the default local-memory
cache counts per process, and the database cache backend's ``incr`` is a read then a write that
loses concurrent increments.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from bakedbot.errors import InvalidInput
from bakedbot.models import ApiToken, Organisation
from bakedbot.validation import clean_text

SECRET_PREFIX = "bb_"
SHOWN_PREFIX_LENGTH = 10  # "bb_" and 7 characters: enough to tell tokens apart, useless alone
NAME_MAX_LENGTH = 80
MAX_ACTIVE_TOKENS = 25


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewApiToken:
    """``create_api_token``: the token and its secret (shown once, never stored)."""

    token: ApiToken
    secret: str


def create_api_token(
    *, tenant: Organisation | None, name: str, created_by, platform: bool = False
) -> NewApiToken:
    """Make a token for ``tenant`` (an owner's or a super admin's request) or, with
    ``platform=True`` and no tenant, a platform token (super admins only).

    Raises ``InvalidInput`` naming the ``name`` field: a missing or too long name, too many
    active tokens.
    """
    if platform != (tenant is None):
        raise ValueError("A platform token has no tenant; a tenant token needs one")
    if platform and not (created_by and created_by.is_active and created_by.is_superuser):
        raise PermissionError("Only super admins make platform tokens")
    try:
        name = clean_text(name, max_length=NAME_MAX_LENGTH)
    except ValueError as exc:
        raise InvalidInput(name=str(exc)) from None
    if not name:
        raise InvalidInput(name="Name the token after what will use it, such as “Looker export”.")
    if _active(tenant).count() >= MAX_ACTIVE_TOKENS:
        raise InvalidInput(name=f"At most {MAX_ACTIVE_TOKENS} active tokens: revoke one first.")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        tenant=tenant,
        name=name,
        prefix=secret[:SHOWN_PREFIX_LENGTH],
        secret_hash=hash_secret(secret),
        created_by=created_by,
    )
    return NewApiToken(token, secret)


def _active(tenant: Organisation | None):
    return ApiToken.objects.filter(tenant=tenant, revoked_at__isnull=True)


def revoke_api_token(*, tenant: Organisation | None, token_id: str) -> ApiToken | None:
    """Revoke one of ``tenant``'s tokens (None: a platform token); None when there is no such
    token there. Revoking twice keeps the first time."""
    token = ApiToken.objects.filter(tenant=tenant, pk=token_id).first()
    if token is None:
        return None
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        token.refresh_from_db(fields=["revoked_at"])
    return token


def get_api_tokens(tenant: Organisation | None) -> list[ApiToken]:
    """``tenant``'s tokens (None: the platform tokens), active first, newest first."""
    tokens = ApiToken.objects.filter(tenant=tenant).select_related("created_by")
    return sorted(tokens, key=lambda t: t.revoked_at is not None)


def authenticate_api_token(secret: str) -> ApiToken | None:
    """The active token with this secret, or None. A platform token stops working when its
    creator is no longer an active super admin."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("tenant", "created_by")
        .filter(secret_hash=hash_secret(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    if token.is_platform:
        creator = token.created_by
        if creator is None or not (creator.is_active and creator.is_superuser):
            return None
    return token


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window resets (0 when allowed)


def register_api_request(token: ApiToken, *, now: datetime | None = None) -> RateDecision:
    """Count one request of ``token`` in the current window and mark the token used."""
    now = now or timezone.now()
    limit = settings.API_RATE_LIMIT
    length = settings.API_RATE_LIMIT_WINDOW_SECONDS
    window_start = datetime.fromtimestamp(now.timestamp() // length * length, tz=UTC)
    with transaction.atomic():
        # In SQL every SET expression reads the row as it was, so the CASE sees the old window.
        ApiToken.objects.filter(pk=token.pk).update(
            rate_window_count=Case(
                When(rate_window_start=window_start, then=F("rate_window_count") + 1),
                default=Value(1),
            ),
            rate_window_start=window_start,
            last_used_at=now,
        )
        count = ApiToken.objects.filter(pk=token.pk).values_list("rate_window_count", flat=True)[0]
    if count <= limit:
        return RateDecision(True, limit, limit - count, 0)
    resets_in = window_start.timestamp() + length - now.timestamp()
    return RateDecision(False, limit, 0, max(1, math.ceil(resets_in)))
