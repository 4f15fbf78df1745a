"""SQL storage of the cost store (``COSTS_STORE=sql``). Only ``costs.repository_sql`` touches these
models for cost data; everything else goes through ``costs.selectors`` and ``costs.services``.

Tenant ids are plain strings, not foreign keys: the same data lives in Firestore in production, and
history must survive an organisation being removed.
"""

from functools import partial

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bakedbot.ids import new_id


class GenerationEvent(models.Model):
    """One generation as charged (the Firestore ``media_generation_events`` document)."""

    id = models.CharField(primary_key=True, max_length=200)
    tenant_id = models.CharField(max_length=40)
    user_id = models.CharField(max_length=150, blank=True)
    type = models.CharField(max_length=20)
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=120, blank=True)
    prompt = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    cost_micros = models.BigIntegerField()
    price_version = models.CharField(max_length=40)
    success = models.BooleanField()
    error = models.TextField(blank=True)
    generation_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    # The tenant-local date the event was aggregated under, kept so a rebuild uses the same key.
    local_date = models.DateField()
    content_id = models.CharField(max_length=120, blank=True)
    playbook_run_id = models.CharField(max_length=120, blank=True)
    cache_hit = models.BooleanField(default=False)
    saved_micros = models.BigIntegerField(default=0)
    simulated = models.BooleanField(default=False)
    # The billed dimensions the event was priced on (``costs.pricing``).
    image_size = models.CharField(max_length=10, blank=True)
    resolution = models.CharField(max_length=10, blank=True)
    audio = models.BooleanField(null=True, blank=True)
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant_id", "-created_at"], name="costs_event_tenant_recent"),
            models.Index(fields=["-created_at"], name="costs_event_recent"),
            models.Index(fields=["provider", "-created_at"], name="costs_event_provider_recent"),
            models.Index(fields=["success", "-created_at"], name="costs_event_success_recent"),
            models.Index(fields=["tenant_id", "local_date"], name="costs_event_tenant_date"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.tenant_id}, {self.provider})"


TOTALS_FIELDS = ["cost_micros", "count", "successes", "failures", "saved_micros", "cache_hits"]


class UsageTotalsFields(models.Model):
    cost_micros = models.BigIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    successes = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    saved_micros = models.BigIntegerField(default=0)
    cache_hits = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class TenantDailyUsage(UsageTotalsFields):
    """A tenant's totals for one local date, one provider and one type (the daily aggregate;
    by-provider and by-type totals are sums of these cells)."""

    tenant_id = models.CharField(max_length=40)
    date = models.DateField()
    provider = models.CharField(max_length=40)
    type = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "date", "provider", "type"], name="costs_tenant_daily_cell"
            )
        ]
        # Covering: a tenant's range is summed from the index alone (no table reads).
        indexes = [
            models.Index(
                fields=["tenant_id", "date", "provider", "type", *TOTALS_FIELDS],
                name="costs_tenant_daily_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.date} {self.provider}/{self.type}"


class TenantUsageRollup(UsageTotalsFields):
    """A tenant's totals over one local day or one week (from Monday), all providers together:
    the by-tenant breakdown over a long period reads weeks plus the days at its edges."""

    class Period(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week"

    period = models.CharField(max_length=8, choices=Period.choices)
    start = models.DateField()
    tenant_id = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "start", "tenant_id"], name="costs_tenant_rollup_key"
            )
        ]
        # Covering: the by-tenant breakdown is summed from the index alone (no table reads).
        indexes = [
            models.Index(
                fields=["period", "start", "tenant_id", *TOTALS_FIELDS],
                name="costs_tenant_rollup_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.period} {self.start}"


class GlobalDailyUsage(UsageTotalsFields):
    """All tenants' totals for one local date, one provider and one type (tenants' local dates,
    so a global total always equals the sum of the tenant totals)."""

    date = models.DateField()
    provider = models.CharField(max_length=40)
    type = models.CharField(max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["date", "provider", "type"], name="costs_global_cell")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.provider}/{self.type}"


# Budgets (issue 5): settings, holds and alerts. Only ``costs.budgets`` (writes) and
# ``costs.budget_selectors`` (reads) touch these models. Unlike the cost store they live only in
# the Django database, whatever COSTS_STORE says, so they reference the organisation directly.


class MediaBudget(models.Model):
    """A tenant's budget settings (the original ``MediaBudgetConfig``). Limits are micro-dollars,
    None meaning no limit. Placing a hold the long way locks this row, which serialises holds
    per tenant; ``headroom_micros`` (valid until ``headroom_until``) is what a hold may take
    without that (``costs.headroom``)."""

    tenant = models.OneToOneField(
        "bakedbot.Organisation",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="media_budget",
    )
    daily_limit_micros = models.BigIntegerField(null=True, blank=True)
    weekly_limit_micros = models.BigIntegerField(null=True, blank=True)
    monthly_limit_micros = models.BigIntegerField(null=True, blank=True)
    soft_threshold_percent = models.PositiveSmallIntegerField(default=80)
    hard_limit_enabled = models.BooleanField(default=True)
    alert_recipients = models.JSONField(default=list, blank=True)
    headroom_micros = models.BigIntegerField(default=0)
    headroom_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(daily_limit_micros__isnull=True) | Q(daily_limit_micros__gte=0))
                    & (Q(weekly_limit_micros__isnull=True) | Q(weekly_limit_micros__gte=0))
                    & (Q(monthly_limit_micros__isnull=True) | Q(monthly_limit_micros__gte=0))
                ),
                name="costs_budget_limits_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(soft_threshold_percent__gte=1, soft_threshold_percent__lte=100),
                name="costs_budget_threshold_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"Media budget of {self.tenant_id}"


class BudgetHold(models.Model):
    """Money set aside for a generation in flight. An active hold counts against every current
    period until it is settled, released or past ``expires_at``."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SETTLED = "settled", "Settled"
        RELEASED = "released", "Released"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "hold"))
    tenant = models.ForeignKey(
        "bakedbot.Organisation", on_delete=models.CASCADE, related_name="budget_holds"
    )
    amount_micros = models.BigIntegerField()
    actual_micros = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["tenant", "expires_at"],
                condition=Q(status="active"),
                name="costs_hold_active",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_micros__gte=0), name="costs_hold_amount_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.tenant_id}, {self.status})"


class CostAlert(models.Model):
    """A budget alert, raised at most once per tenant, kind, period and threshold."""

    class Kind(models.TextChoices):
        SOFT_THRESHOLD = "soft_threshold", "Warning threshold crossed"
        HARD_LIMIT = "hard_limit", "Limit reached"
        GENERATION_BLOCKED = "generation_blocked", "Generation blocked"

    class Period(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week"
        MONTH = "month", "Month"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "alert"))
    tenant = models.ForeignKey(
        "bakedbot.Organisation", on_delete=models.CASCADE, related_name="cost_alerts"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    threshold_percent = models.PositiveSmallIntegerField()
    limit_micros = models.BigIntegerField()
    spent_micros = models.BigIntegerField()
    held_micros = models.BigIntegerField(default=0)
    requested_micros = models.BigIntegerField(default=0)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "period", "period_start", "threshold_percent"],
                name="costs_alert_once_per_period",
            )
        ]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="costs_alert_recent")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period} {self.period_start} ({self.tenant_id})"


class PendingCostEvent(models.Model):
    """The outbox: a paid generation's event the cost store could not take when it was recorded.

    Written in the same transaction that settles the generation's hold, so the money never stops
    counting; budgets add these to the store's spend until ``costs.outbox.drain_cost_outbox``
    records the event (idempotent on its id) and deletes the row.
    """

    id = models.CharField(primary_key=True, max_length=200)  # the event id
    tenant_id = models.CharField(max_length=40)
    local_date = models.DateField()
    cost_micros = models.BigIntegerField()
    event = models.JSONField()  # the priced event (``created_at`` as ISO 8601)
    queued_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["tenant_id", "local_date"], name="costs_pending_tenant_date"),
            models.Index(fields=["local_date"], name="costs_pending_date"),
            models.Index(fields=["next_attempt_at"], name="costs_pending_due"),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.tenant_id}, waiting)"


class PriceVersion(models.Model):
    """A price book version added by a super admin (``costs.price_versions``): the files in
    ``costs/pricebook/`` are the base versions, shipped with the code; these are added without a
    code change. ``corrects`` names the version a correction replaces on the same date."""

    version = models.CharField(max_length=40, unique=True)
    effective_from = models.DateField()
    data = models.JSONField()
    corrects = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"price book {self.version} from {self.effective_from}"


class BillingImport(models.Model):
    """One imported bill file (``costs.reconciliation``): the same file twice is refused by its
    digest, and its rows are keyed so overlapping files add nothing twice."""

    source = models.CharField(max_length=20)  # "gcp_csv" or "openai_costs"
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.source} import {self.name} ({self.rows} lines)"


class BilledCost(models.Model):
    """One line of a provider's bill: what ``provider`` (``google`` or ``openai``) billed on a
    UTC ``day``, in micro-dollars (USD only)."""

    key = models.CharField(max_length=64, unique=True)  # a digest of the line (idempotent import)
    billing_import = models.ForeignKey(
        BillingImport, on_delete=models.CASCADE, related_name="lines"
    )
    provider = models.CharField(max_length=20)
    day = models.DateField()
    amount_micros = models.BigIntegerField()
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["day", "provider"], name="costs_billed_day")]

    def __str__(self) -> str:
        return f"{self.provider} {self.day}: {self.amount_micros} micro-dollars"
