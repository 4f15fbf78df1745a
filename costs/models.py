"""SQL storage of the cost store (``COSTS_STORE=sql``). Only ``costs.repository_sql`` touches these
models for cost data; everything else goes through ``costs.selectors`` and ``costs.services``.

Tenant ids are plain strings, not foreign keys: the same data lives in Firestore in production, and
history must survive an organisation being removed.
"""

from django.db import models


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
