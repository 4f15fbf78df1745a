"""Budget writes: settings, holds and alerts.

A generation places a hold of its estimated cost before it calls a provider. The hold is refused
(``BudgetExceeded``) when spend + active holds + the estimate would pass a hard limit of the
current day, week or month. The check and the insert run in one transaction that is serialised
per tenant: on PostgreSQL by locking the tenant's ``MediaBudget`` row (``SELECT ... FOR UPDATE``),
on SQLite by the write lock every transaction takes at BEGIN (``transaction_mode=IMMEDIATE``).
The generation service records the event through ``costs.services`` first and settles the hold
after, so between the two the money counts twice (never zero times); when the cost store is down
the event goes to the outbox in the transaction that settles the hold (``costs.outbox``), and
budgets count the outbox as spend. A hold left by a dead worker stops counting at ``expires_at``.

Alerts (soft threshold crossed, limit reached, generation blocked) are raised when a hold is
placed, settled or refused, at most once per tenant, kind, period and threshold, and e-mailed
to the budget's recipients after the transaction commits.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings as django_settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from bakedbot.errors import InvalidInput
from bakedbot.ids import new_id
from bakedbot.notices import notice_post, notice_resolve
from bakedbot.selectors import organisation_exists
from costs.budget_selectors import (
    BudgetBreach,
    BudgetPeriodStatus,
    CostAlertInfo,
    MediaBudgetConfig,
    budget_config_of,
    budget_settings_of,
    cost_alert_info,
    cost_micros_of,
    find_breach,
    get_media_budget_status,
    held_micros,
    period_statuses,
)
from costs.budget_validation import LIMIT_FIELDS, BudgetSettings, clean_budget_updates
from costs.headroom import (
    HEADROOM_TTL,
    UNLIMITED_MICROS,
    close_hold,
    insert_hold,
    place_hold_within_headroom,
    set_headroom,
)
from costs.models import BudgetHold, CostAlert, MediaBudget
from costs.money import format_micros, micros_to_decimal
from costs.periods import BudgetPeriod
from costs.repository import CostStoreUnavailable

logger = logging.getLogger(__name__)

# Longer than the longest job the queue lets run, so only a dead worker's hold expires.
HOLD_TTL_MARGIN = timedelta(minutes=10)
REASON_MAX_CHARS = 200


@dataclass(frozen=True)
class Hold:
    """A budget hold as handed to the generation service (pass it back to settle or release)."""

    id: str
    tenant_id: str
    amount_micros: int
    reason: str
    status: str
    created_at: datetime
    expires_at: datetime
    actual_micros: int | None = None
    closed_at: datetime | None = None

    @property
    def amount(self) -> Decimal:
        return micros_to_decimal(self.amount_micros)

    @property
    def actual(self) -> Decimal | None:
        return None if self.actual_micros is None else micros_to_decimal(self.actual_micros)


class BudgetExceeded(Exception):
    """A hold was refused: ``period`` would pass its hard limit by ``over_by`` dollars."""

    def __init__(self, tenant_id: str, breach: BudgetBreach) -> None:
        self.tenant_id = tenant_id
        self.period: BudgetPeriod = breach.status.period
        self.limit_micros = breach.status.limit_micros or 0
        self.spent_micros = breach.status.spent_micros
        self.held_micros = breach.status.held_micros
        self.requested_micros = breach.requested_micros
        self.over_by_micros = breach.over_by_micros
        self.resets_at = breach.status.next_reset
        super().__init__(breach.message)

    @property
    def over_by(self) -> Decimal:
        return micros_to_decimal(self.over_by_micros)

    @property
    def limit(self) -> Decimal:
        return micros_to_decimal(self.limit_micros)


def _hold_of(row: BudgetHold) -> Hold:
    return Hold(
        id=row.id,
        tenant_id=row.tenant_id,
        amount_micros=row.amount_micros,
        reason=row.reason,
        status=row.status,
        created_at=row.created_at,
        expires_at=row.expires_at,
        actual_micros=row.actual_micros,
        closed_at=row.closed_at,
    )


def default_hold_ttl() -> timedelta:
    return timedelta(seconds=django_settings.Q_TIMEOUT) + HOLD_TTL_MARGIN


def place_budget_hold(
    *,
    tenant_id: str,
    estimated_cost: Decimal | int | str,
    reason: str,
    ttl: timedelta | None = None,
) -> Hold:
    """Set ``estimated_cost`` dollars aside for a generation, or raise ``BudgetExceeded`` naming
    the period and the amount it would go over by. The hard limit holds under concurrency.
    ``CostStoreUnavailable`` when the spend or the budget lock cannot be had within the
    deadline: nothing is held."""
    requested = cost_micros_of(estimated_cost, field="estimated_cost")
    ttl = ttl or default_hold_ttl()
    if ttl <= timedelta(0):
        raise InvalidInput(ttl="ttl must be positive")
    try:
        return _place_hold(tenant_id, requested, reason, ttl)
    except OperationalError as exc:
        # The budget tables could not be locked within the deadline (the SQLite write lock or a
        # PostgreSQL row lock held too long): like an unreachable cost store, answer "not now".
        raise CostStoreUnavailable() from exc


def _place_hold(tenant_id: str, requested: int, reason: str, ttl: timedelta) -> Hold:
    hold = _new_hold(tenant_id, requested, reason, now=timezone.now(), ttl=ttl)
    if place_hold_within_headroom(**_columns(hold)):
        return hold
    return _place_checked(tenant_id, requested, reason, ttl)


def _new_hold(tenant_id: str, amount: int, reason: str, *, now: datetime, ttl: timedelta) -> Hold:
    return Hold(
        id=new_id("hold"),
        tenant_id=tenant_id,
        amount_micros=amount,
        reason=reason[:REASON_MAX_CHARS],
        status=BudgetHold.Status.ACTIVE,
        created_at=now,
        expires_at=now + ttl,
    )


def _columns(hold: Hold) -> dict:
    """``hold`` as ``costs.headroom`` inserts it."""
    return {
        "hold_id": hold.id,
        "tenant_id": hold.tenant_id,
        "amount": hold.amount_micros,
        "reason": hold.reason,
        "now": hold.created_at,
        "expires_at": hold.expires_at,
    }


def _place_checked(tenant_id: str, requested: int, reason: str, ttl: timedelta) -> Hold:
    """The long way: lock the budget, read spend and holds, check every limit, insert the hold
    and set the headroom the next holds take from."""
    statuses: list[BudgetPeriodStatus] = []
    after: list[BudgetPeriodStatus] = []
    breach: BudgetBreach | None = None
    settings = BudgetSettings()
    with transaction.atomic():
        # The lock (PostgreSQL; SQLite locked at BEGIN) comes first: the holds and the spend
        # are then read by statements that start after the previous holder committed.
        budget = (
            MediaBudget.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .filter(tenant_id=tenant_id)
            .first()
        )
        if budget is None and not organisation_exists(tenant_id):
            raise LookupError(f"No organisation {tenant_id!r}")
        now = timezone.now()
        if budget is not None:
            settings = budget_settings_of(budget)
        if budget is not None and any(settings.limit_micros(p) is not None for p in BudgetPeriod):
            held = held_micros(tenant_id, now=now)
            tz = budget.tenant.tz
            statuses = period_statuses(
                tenant_id, settings, tz, now=now, held=held, only_limited=True
            )
            if settings.hard_limit_enabled:
                breach = find_breach(statuses, requested)
        if breach is None:
            hold = _new_hold(tenant_id, requested, reason, now=now, ttl=ttl)
            insert_hold(**_columns(hold))
            after = [replace(s, held_micros=s.held_micros + requested) for s in statuses]
            if budget is not None:
                until = min((s.next_reset for s in after), default=now + HEADROOM_TTL)
                room = (s.micros_before_next_state for s in after)
                set_headroom(tenant_id, min(room, default=UNLIMITED_MICROS), until=until, now=now)
    if breach is not None:
        _raise_alerts(tenant_id, settings, [_blocked_alert(breach)])
        raise BudgetExceeded(tenant_id, breach)
    if statuses:
        _raise_alerts(tenant_id, settings, _threshold_alerts(after))
    return hold


def _close_hold(hold: Hold | str, status: str, actual_micros: int | None) -> tuple[Hold, bool]:
    """Close an active hold (``costs.headroom.close_hold``); returns it and whether this call
    closed it."""
    hold_id = hold if isinstance(hold, str) else hold.id
    now = timezone.now()
    closed = close_hold(hold_id=hold_id, status=status, actual_micros=actual_micros, now=now)
    if closed is not None:
        return Hold(**closed), True
    try:
        # Unknown, or already closed: settling or releasing twice changes nothing.
        return _hold_of(BudgetHold.objects.get(pk=hold_id)), False
    except BudgetHold.DoesNotExist:
        raise LookupError(f"No budget hold {hold_id!r}") from None


def settle_budget_hold(*, hold: Hold | str, actual_cost: Decimal | int | str) -> Hold:
    """Close a hold once its generation has been recorded (``track_media_generation``): the
    recorded spend now counts instead of the estimate. ``actual_cost`` is kept on the hold.

    Settling an expired hold still records it; settling a closed hold returns it unchanged.
    A settle that costs more than its estimate re-checks the alerts: usage may now be past a
    threshold that placing the hold did not reach. (One that costs no more than its estimate
    cannot raise usage above what was checked when it was placed.)
    """
    actual = cost_micros_of(actual_cost, field="actual_cost")
    settled, changed = _close_hold(hold, BudgetHold.Status.SETTLED, actual)
    if changed and actual > settled.amount_micros:
        try:
            with transaction.atomic():
                raise_budget_alerts(tenant_id=settled.tenant_id)
        except CostStoreUnavailable:
            # The outbox settles holds while the store is down (and in its transaction): the
            # next hold placed checks the budget again and raises what is due then.
            logger.warning("Budget alerts of %s not checked: cost store unavailable", hold)
    return settled


def release_budget_hold(*, hold: Hold | str) -> Hold:
    """Free a hold whose generation failed or was cancelled. Releasing twice changes nothing."""
    return _close_hold(hold, BudgetHold.Status.RELEASED, None)[0]


def raise_budget_alerts(*, tenant_id: str) -> list[CostAlertInfo]:
    """Raise the threshold and limit alerts the tenant's current status calls for (each once
    per period); returns the alerts raised now."""
    budget = MediaBudget.objects.select_related("tenant").filter(tenant_id=tenant_id).first()
    if budget is None:
        return []
    settings = budget_settings_of(budget)
    if all(settings.limit_micros(p) is None for p in BudgetPeriod):
        return []
    now = timezone.now()
    statuses = period_statuses(
        tenant_id,
        settings,
        budget.tenant.tz,
        now=now,
        held=held_micros(tenant_id, now=now),
        only_limited=True,
    )
    return _raise_alerts(tenant_id, settings, _threshold_alerts(statuses))


def _threshold_alerts(statuses: list[BudgetPeriodStatus]) -> list[CostAlert]:
    alerts = []
    for status in statuses:
        if status.state == "ok" or status.limit_micros is None:
            continue
        alerts.append(_alert(status, CostAlert.Kind.SOFT_THRESHOLD, status.soft_threshold_percent))
        if status.state == "exceeded":
            alerts.append(_alert(status, CostAlert.Kind.HARD_LIMIT, 100))
    return alerts


def _alert(
    status: BudgetPeriodStatus, kind: str, threshold: int, requested_micros: int = 0
) -> CostAlert:
    limit = status.limit_micros or 0
    used = format_micros(status.used_micros)
    name = f"{status.period.adjective} budget"
    if kind == CostAlert.Kind.SOFT_THRESHOLD:
        message = f"{threshold}% of the {name} used: {used} of {format_micros(limit)}."
    elif kind == CostAlert.Kind.HARD_LIMIT:
        message = f"The {name} of {format_micros(limit)} is reached: {used} used."
    else:
        message = (
            f"A generation of {format_micros(requested_micros)} was blocked: the {name} of "
            f"{format_micros(limit)} has {format_micros(status.remaining_micros or 0)} left."
        )
    return CostAlert(
        kind=kind,
        period=status.period.value,
        period_start=status.window.start_date,
        threshold_percent=threshold,
        limit_micros=limit,
        spent_micros=status.spent_micros,
        held_micros=status.held_micros,
        requested_micros=requested_micros,
        message=message[0].upper() + message[1:],
    )


def _blocked_alert(breach: BudgetBreach) -> CostAlert:
    return _alert(breach.status, CostAlert.Kind.GENERATION_BLOCKED, 100, breach.requested_micros)


def _raise_alerts(
    tenant_id: str, settings: BudgetSettings, candidates: list[CostAlert]
) -> list[CostAlertInfo]:
    if not candidates:
        return []
    keys = {(a.kind, a.period, a.period_start, a.threshold_percent) for a in candidates}
    existing = set(
        CostAlert.objects.filter(
            tenant_id=tenant_id,
            period_start__in={a.period_start for a in candidates},
        ).values_list("kind", "period", "period_start", "threshold_percent")
    )
    if keys <= existing:
        return []
    raised = []
    for alert in candidates:
        if (alert.kind, alert.period, alert.period_start, alert.threshold_percent) in existing:
            continue
        alert.tenant_id = tenant_id
        try:
            with transaction.atomic():
                alert.save(force_insert=True)
        except IntegrityError:
            continue  # raised by a concurrent request a moment ago
        raised.append(alert)
        notice_post(
            organisation_id=tenant_id,
            key=f"cost-alert:{alert.id}",
            kind="budget",
            title=f"Budget: {alert.get_kind_display().lower()} ({alert.period})",
            body=alert.message,
            link=reverse("media:dashboard"),
        )
    if raised and settings.alert_recipients:
        ids = [alert.id for alert in raised]
        recipients = list(settings.alert_recipients)
        transaction.on_commit(lambda: _email_alerts(tenant_id, ids, recipients))
    return [cost_alert_info(alert) for alert in raised]


def _email_alerts(tenant_id: str, alert_ids: list[str], recipients: list[str]) -> None:
    alerts = list(CostAlert.objects.filter(pk__in=alert_ids).select_related("tenant"))
    if not alerts:
        return
    org = alerts[0].tenant
    alerts.sort(key=lambda a: (list(BudgetPeriod).index(BudgetPeriod(a.period)), a.kind))
    worst = max(alerts, key=lambda a: a.kind != CostAlert.Kind.SOFT_THRESHOLD)
    subject = f"[BakedBot Media] {org.name}: {worst.get_kind_display().lower()}"
    lines = [f"Media budget alerts for {org.name}:", ""]
    lines += [f"- {alert.get_kind_display()} ({alert.period}): {alert.message}" for alert in alerts]
    lines += ["", "Budget settings and alerts: /dashboard/media"]
    try:
        send_mail(subject, "\n".join(lines), None, recipients)
    except Exception:
        # A broken mail server must not break generation; the alert stays listed, un-emailed.
        logger.exception("Could not e-mail budget alerts %s for %s", alert_ids, tenant_id)
        return
    CostAlert.objects.filter(pk__in=alert_ids).update(emailed_at=timezone.now())


def update_media_budget(
    tenant_id: str,
    updates: Mapping[str, object],
    *,
    updated_by: AbstractBaseUser | None = None,
) -> MediaBudgetConfig:
    """Change some of a tenant's budget settings and return them as saved, or raise
    ``InvalidInput`` with an error per bad field (``tenant`` for an unknown organisation) and
    nothing saved.

    Keys: ``daily_limit``, ``weekly_limit``, ``monthly_limit`` (dollars as "25.50", int or
    Decimal; empty or None removes the limit), ``soft_threshold_percent`` (1-100),
    ``hard_limit_enabled`` and ``alert_recipients`` (a list or comma-separated addresses).
    """
    with transaction.atomic():
        budget = MediaBudget.objects.select_for_update().filter(tenant_id=tenant_id).first()
        if budget is None and not organisation_exists(tenant_id):
            raise InvalidInput(tenant=f"No organisation {tenant_id!r}.")
        current = budget_settings_of(budget) if budget else BudgetSettings()
        cleaned = clean_budget_updates(updates, current)
        values = {
            f"{field}_micros": cleaned.limit_micros(period)
            for field, period in LIMIT_FIELDS.items()
        }
        budget, _ = MediaBudget.objects.update_or_create(
            tenant_id=tenant_id,
            defaults={
                **values,
                "soft_threshold_percent": cleaned.soft_threshold_percent,
                "hard_limit_enabled": cleaned.hard_limit_enabled,
                "alert_recipients": list(cleaned.alert_recipients),
                "updated_by": updated_by,
                "headroom_until": None,  # the next hold checks the new settings the long way
            },
        )
    return budget_config_of(tenant_id, budget)


def budget_limits_below_spend(tenant_id: str, updates: Mapping[str, object]) -> dict[str, str]:
    """The limits ``updates`` would set below what their period has already spent, as
    ``{field: message}`` for the person to confirm (saving them blocks paid generations until
    the period resets). Empty when none is, when ``updates`` has bad input (saving reports it)
    or when the spend cannot be read right now."""
    budget = MediaBudget.objects.filter(tenant_id=tenant_id).first()
    current = budget_settings_of(budget) if budget else BudgetSettings()
    try:
        cleaned = clean_budget_updates(updates, current)
        status = get_media_budget_status(tenant_id)
    except (InvalidInput, CostStoreUnavailable):
        return {}
    below = {}
    for field, period in LIMIT_FIELDS.items():
        limit = cleaned.limit_micros(period)
        spent = status.period(period).spent_micros
        if limit is not None and limit < spent and limit != current.limit_micros(period):
            below[field] = (
                f"{format_micros(limit)} is below the {format_micros(spent)} already spent this "
                f"{period.value}: paid generations stop until the {period.value} resets."
            )
    return below


def acknowledge_cost_alert(
    *, tenant_id: str, alert_id: str, user: AbstractBaseUser
) -> CostAlertInfo | None:
    """Mark one of the tenant's alerts as seen by ``user``; None when the tenant has no such
    alert. Acknowledging twice keeps the first acknowledgement."""
    CostAlert.objects.filter(pk=alert_id, tenant_id=tenant_id, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    notice_resolve(organisation_id=tenant_id, key=f"cost-alert:{alert_id}")
    alert = (
        CostAlert.objects.select_related("acknowledged_by")
        .filter(pk=alert_id, tenant_id=tenant_id)
        .first()
    )
    return None if alert is None else cost_alert_info(alert)
