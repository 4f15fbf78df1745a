"""Playbook templates (global), installed playbooks, their runs and step results, plus the small
stores the step executors read: the tenant's products and deals, and the scheduler's state
(heartbeat and, for tests and demos only, a clock override). In-app notices are the bell's
(``bakedbot.notices``)."""

from functools import partial

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from bakedbot.ids import new_id
from bakedbot.models import Organisation


class Agent(models.TextChoices):
    CRAIG = "craig", "Craig (marketer)"
    EZAL = "ezal", "Ezal (intel)"


class PlaybookTemplate(models.Model):
    """A global template every organisation can install (the original ``playbook_templates``)."""

    id = models.SlugField(primary_key=True, max_length=80)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    agent = models.CharField(max_length=10, choices=Agent.choices)
    schedule = models.CharField(
        max_length=120, blank=True, help_text="Cron, 5 fields; blank: manual"
    )
    requires_approval = models.BooleanField(default=False)
    # Ordered list of {"id": "step-1", "type": "fetch_deals", "params": {...}}.
    steps = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Playbook(models.Model):
    """A template installed for one organisation, with its own schedule and parameter overrides."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "pb"))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="playbooks"
    )
    template = models.ForeignKey(
        PlaybookTemplate, on_delete=models.PROTECT, related_name="installations"
    )
    name = models.CharField(max_length=120)
    enabled = models.BooleanField(default=True)
    schedule = models.CharField(max_length=120, blank=True)
    # {"step-2": {"provider": "sora"}}: merged over the template's params, step by step.
    param_overrides = models.JSONField(default=dict, blank=True)
    # The next scheduled slot (UTC), computed in the tenant's time zone; null when not scheduled.
    next_run_at = models.DateTimeField(null=True, blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "template"], name="playbook_one_install_per_org"
            )
        ]
        indexes = [models.Index(fields=["enabled", "next_run_at"], name="playbook_due_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation_id})"


class PlaybookRun(models.Model):
    class Trigger(models.TextChoices):
        MANUAL = "manual", "Manual"
        SCHEDULE = "schedule", "Schedule"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "run"))
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="runs")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="playbook_runs"
    )
    triggered_by = models.CharField(max_length=10, choices=Trigger.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    dry_run = models.BooleanField(default=False)
    # One run per playbook and scheduled slot ("schedule:<playbook>:<slot UTC>"), per webhook
    # delivery ("webhook:<playbook>:<Idempotency-Key>"); others get "<trigger>:<run id>". The
    # unique index is what keeps two schedulers (or deliveries) from starting a run twice.
    run_key = models.CharField(max_length=160, unique=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    missed_slots = models.PositiveIntegerField(default=0)
    # The effective steps at the time the run was started, so later edits don't change it.
    steps = models.JSONField(default=list)
    variables = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    rerun_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )
    rerun_from_step = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    total_cost_micros = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="run_org_recent_idx")]

    def __str__(self) -> str:
        return self.id

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class PlaybookStepResult(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        REUSED = "reused", "Reused"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"

    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="step_results")
    position = models.PositiveSmallIntegerField()
    step_id = models.CharField(max_length=40)
    step_type = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True)
    cost_micros = models.BigIntegerField(default=0)
    duration_ms = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "step_id"], name="step_result_once_per_run")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.step_id}"


class Product(models.Model):
    """A product the tenant sells (read by ``select_product`` and ``analyze_pricing``)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="products"
    )
    sku = models.CharField(max_length=60)
    name = models.CharField(max_length=160)
    category = models.CharField(max_length=60, blank=True)
    description = models.TextField(blank=True)
    price_micros = models.BigIntegerField()
    in_stock = models.BooleanField(default=True)
    last_spotlighted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "sku"], name="product_sku_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    """A tenant's deal (the original ``fetch_deals {source: firestore}`` store)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="deals")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="deals"
    )
    title = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    discount_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    deal_price_micros = models.BigIntegerField(null=True, blank=True)
    # Tenant-local calendar dates, inclusive.
    starts_on = models.DateField()
    ends_on = models.DateField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_on", "title"]

    def __str__(self) -> str:
        return self.title


class SchedulerState(models.Model):
    """A single row: the scheduler's heartbeat, and a clock override honoured only when the
    ``PLAYBOOKS_CLOCK_OVERRIDE`` setting is on (tests and demos drive time with it)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    clock_override = models.DateTimeField(null=True, blank=True)
    last_tick_at = models.DateTimeField(null=True, blank=True)
    ticks = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return "Playbook scheduler state"
