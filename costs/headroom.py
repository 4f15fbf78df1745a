"""Budget headroom: what a tenant's next holds may take without reading its spend.

Placing a hold the long way (``costs.budgets``) locks the tenant's budget row, reads the spend of
the day, week and month (the cost store's and the outbox's) and the active holds, and checks
them against the limits: several round trips, and on Firestore a read of the store, while every
other hold of the tenant waits. Once it has done that it knows how much more the tenant can use
before anything changes — before a hard limit would refuse a hold, or a soft threshold or limit
alert would be due — and keeps it on the budget row as ``headroom_micros``, valid until
``headroom_until`` (the next period reset, and at most ``HEADROOM_TTL`` ahead). The next holds
take from it with one conditional ``UPDATE`` (``place_hold_within_headroom``): no spend read. On
PostgreSQL that update and the hold's insert are one statement, and so are a hold's close and
its give-back (``close_hold``): the row lock is held by the server alone, never across a return
to Python, where a thread may wait milliseconds for its process's GIL while every other hold of
the tenant waits for the lock. A hold that does not fit, or finds the headroom expired,
goes the long way, which sets it anew.

The headroom is exact or smaller than the truth, never larger: everything that adds to what the
tenant has used takes its amount off (a hold placed, an event recorded, an event queued in the
outbox), everything that frees money gives back no more than it freed (a hold settled or released
gives its amount back; an expired hold gives nothing until the headroom is set anew), and what
changes the sums in other ways forgets the headroom (new limits, a re-pricing, bulk imports).
A refresh that races with a recording may count that recording twice, never zero times.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from costs.models import BudgetHold, MediaBudget

HEADROOM_TTL = timedelta(seconds=10)
# The headroom of a budget without limits: larger than anything a tenant can spend.
UNLIMITED_MICROS = 2**62

_BUDGET = MediaBudget._meta.db_table
_HOLD = BudgetHold._meta.db_table
_ACTIVE = BudgetHold.Status.ACTIVE.value
_HOLD_COLUMNS = (
    "id",
    "tenant_id",
    "amount_micros",
    "reason",
    "status",
    "created_at",
    "expires_at",
    "actual_micros",
    "closed_at",
)
# Plain SQL: these run on every hold, settle and recorded event (the ORM's query building was
# most of their time). The two PostgreSQL ones are data-modifying CTEs (SQLite has none).
_PLACE_SQL_POSTGRESQL = f"""
WITH taken AS (
    UPDATE {_BUDGET} SET headroom_micros = headroom_micros - %(amount)s
    WHERE tenant_id = %(tenant)s AND headroom_until > %(now)s AND headroom_micros >= %(amount)s
    RETURNING tenant_id
)
INSERT INTO {_HOLD} (id, tenant_id, amount_micros, reason, status, created_at, expires_at)
SELECT %(id)s, tenant_id, %(amount)s, %(reason)s, '{_ACTIVE}', %(now)s, %(expires)s FROM taken
"""
_CLOSE_SQL_POSTGRESQL = f"""
WITH closed AS (
    UPDATE {_HOLD} SET status = %(status)s, actual_micros = %(actual)s, closed_at = %(now)s
    WHERE id = %(id)s AND status = '{_ACTIVE}'
    RETURNING {", ".join(_HOLD_COLUMNS)}
), given_back AS (
    UPDATE {_BUDGET} AS budget SET headroom_micros = budget.headroom_micros + closed.amount_micros
    FROM closed
    WHERE budget.tenant_id = closed.tenant_id AND budget.headroom_until > %(now)s
        AND closed.expires_at > %(now)s
)
SELECT * FROM closed
"""
_ADJUST_SQL = (
    f"UPDATE {_BUDGET} SET headroom_micros = headroom_micros + %s"
    " WHERE tenant_id = %s AND headroom_until > %s"
)


def place_hold_within_headroom(
    *, hold_id: str, tenant_id: str, amount: int, reason: str, now: datetime, expires_at: datetime
) -> bool:
    """Insert the active hold ``hold_id`` if the tenant's headroom is valid and has ``amount``,
    taking it from the headroom (True); False writes nothing. Safe under concurrency: the
    condition is checked against the row as the previous taker left it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _PLACE_SQL_POSTGRESQL,
                {
                    "id": hold_id,
                    "tenant": tenant_id,
                    "amount": amount,
                    "reason": reason,
                    "now": now,
                    "expires": expires_at,
                },
            )
            return cursor.rowcount == 1
    with transaction.atomic():
        taken = MediaBudget.objects.filter(
            tenant_id=tenant_id, headroom_until__gt=now, headroom_micros__gte=amount
        ).update(headroom_micros=F("headroom_micros") - amount)
        if taken:
            insert_hold(
                hold_id=hold_id,
                tenant_id=tenant_id,
                amount=amount,
                reason=reason,
                now=now,
                expires_at=expires_at,
            )
    return bool(taken)


def insert_hold(
    *, hold_id: str, tenant_id: str, amount: int, reason: str, now: datetime, expires_at: datetime
) -> None:
    """The active hold's row, as the long way inserts it once it has checked the limits (and
    ``place_hold_within_headroom`` on databases without data-modifying CTEs)."""
    BudgetHold.objects.create(
        id=hold_id,
        tenant_id=tenant_id,
        amount_micros=amount,
        reason=reason,
        created_at=now,
        expires_at=expires_at,
    )


def close_hold(
    *, hold_id: str, status: str, actual_micros: int | None, now: datetime
) -> dict[str, Any] | None:
    """Close the hold if it is active and return its row as closed (its columns by name); None
    when it is unknown or closed already (nothing changes). Its amount goes back to a valid
    headroom unless it had expired (an expired hold stopped counting already: the next long way
    sets the headroom without it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                _CLOSE_SQL_POSTGRESQL,
                {"id": hold_id, "status": status, "actual": actual_micros, "now": now},
            )
            row = cursor.fetchone()
        return None if row is None else dict(zip(_HOLD_COLUMNS, row, strict=True))
    with transaction.atomic():
        closed = BudgetHold.objects.filter(pk=hold_id, status=_ACTIVE).update(
            status=status, actual_micros=actual_micros, closed_at=now
        )
        if not closed:
            return None
        row = BudgetHold.objects.values(*_HOLD_COLUMNS).get(pk=hold_id)
        if row["expires_at"] > now:
            adjust_headroom(row["tenant_id"], row["amount_micros"], now=now)
    return row


def adjust_headroom(tenant_id: str, micros: int, *, now: datetime) -> None:
    """Add ``micros`` (negative: take them off) to a valid headroom; nothing when it is not."""
    if micros:
        with connection.cursor() as cursor:
            cursor.execute(
                _ADJUST_SQL, [micros, tenant_id, connection.ops.adapt_datetimefield_value(now)]
            )


def set_headroom(tenant_id: str, micros: int, *, until: datetime, now: datetime) -> None:
    """The headroom the long way found, valid until ``until`` (capped at ``HEADROOM_TTL``)."""
    MediaBudget.objects.filter(tenant_id=tenant_id).update(
        headroom_micros=micros, headroom_until=min(until, now + HEADROOM_TTL)
    )


def forget_headroom(tenant_ids: set[str] | None = None) -> None:
    """Make the next hold of these tenants (None: every tenant) go the long way."""
    budgets = MediaBudget.objects.filter(headroom_until__isnull=False)
    if tenant_ids is not None:
        budgets = budgets.filter(tenant_id__in=tenant_ids)
    budgets.update(headroom_until=None)
