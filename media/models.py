from functools import partial

from django.conf import settings
from django.db import models
from django.utils import timezone

from bakedbot.ids import new_id
from bakedbot.models import Organisation


class ProviderCall(models.Model):
    """One paid provider call, remembered under the caller's idempotency key, so that a duplicate
    job delivery resumes or reuses the first call instead of paying again (see
    media/providers/README.md)."""

    class Status(models.TextChoices):
        # Claimed: the create request may be on the wire right now.
        IN_FLIGHT = "in_flight", "in flight"
        # A long-running operation exists at the provider; ``handle`` names it.
        SUBMITTED = "submitted", "submitted"
        SUCCEEDED = "succeeded", "succeeded"
        # Failed for good: a repeat gets the same error without a call.
        FAILED = "failed", "failed"
        # Failed in a way a later attempt may fix: the next call with this key claims it again.
        RELEASED = "released", "released"

    idempotency_key = models.CharField(max_length=200, unique=True)
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=200)
    # SHA-256 of the request, so that a key reused for a different request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices)
    # Veo's operation name or Sora's video id.
    handle = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    result = models.FileField(upload_to="provider-calls/%Y/%m/", blank=True)
    thumbnail = models.FileField(upload_to="provider-calls/%Y/%m/", blank=True)
    meta = models.JSONField(default=dict, blank=True)
    error_type = models.CharField(max_length=60, blank=True)
    error_code = models.CharField(max_length=100, blank=True)
    error_message = models.TextField(blank=True)
    claimed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["updated_at"], name="media_providercall_updated")]

    def __str__(self) -> str:
        return f"{self.provider} {self.idempotency_key} ({self.status})"


def _upload_to(instance: "MediaAsset", filename: str) -> str:
    # Tenant first, so a bucket can be browsed (and lifecycle rules scoped) per organisation.
    created = instance.created_at or timezone.now()
    return f"generated/{instance.tenant_id}/{created:%Y/%m}/{filename}"


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class GenerationRequestFields(models.Model):
    """What a generation asked for: the job that makes it and the asset it makes both keep it."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    provider = models.CharField(max_length=40)
    model = models.CharField(max_length=200)
    # What the user asked for; what was sent (preset applied); what the provider was told to avoid.
    prompt = models.TextField()
    composed_prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    preset_id = models.CharField(max_length=40, blank=True)
    preset_name = models.CharField(max_length=80, blank=True)
    # aspect_ratio, duration_seconds, clip_plan, billed_seconds, resolution, image_size, palette
    params = models.JSONField(default=dict, blank=True)
    simulated = models.BooleanField(default=False)
    # SHA-256 of tenant, provider, model, normalised prompt and parameters (media/validation.py).
    cache_key = models.CharField(max_length=64)
    playbook_run_id = models.CharField(max_length=64, blank=True)
    content_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @classmethod
    def request_field_names(cls) -> list[str]:
        return [field.attname for field in GenerationRequestFields._meta.fields]


class MediaAsset(GenerationRequestFields):
    """One generated image or video (or a generation that failed for good), as the gallery and
    the duplicate-prompt cache see it. Files live in Django's default storage."""

    Kind = MediaKind

    class Status(models.TextChoices):
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "med"))
    tenant = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="media_assets")
    file = models.FileField(upload_to=_upload_to, blank=True, max_length=300)
    mime_type = models.CharField(max_length=60, blank=True)
    thumbnail = models.FileField(upload_to=_upload_to, blank=True, max_length=300)
    thumbnail_mime_type = models.CharField(max_length=60, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    # What this generation was charged (0 for a failure that paid for nothing).
    cost_micros = models.BigIntegerField(default=0)
    # How many later requests were answered from this asset by the duplicate-prompt cache.
    cache_hits = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    error = models.TextField(blank=True)
    event_id = models.CharField(max_length=200, blank=True)
    generation_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["tenant", "-created_at"], name="media_asset_tenant_recent"),
            models.Index(fields=["tenant", "cache_key", "created_at"], name="media_asset_cache"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.provider}, {self.status})"


class GenerationJob(GenerationRequestFields):
    """One generation request, queued or run in the caller: the unit of progress, retries,
    idempotency keys (``{job}:image``, ``{job}:clip:{k}``) and the budget hold."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "job"))
    tenant = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="generation_jobs"
    )
    # The id recorded on cost events ("system" for a scheduled playbook).
    user_ref = models.CharField(max_length=64)
    use_cache = models.BooleanField(default=True)
    estimate_micros = models.BigIntegerField(default=0)
    # Run by the caller (a playbook step) rather than a queue worker.
    inline = models.BooleanField(default=False)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    status_note = models.CharField(max_length=300, blank=True)
    clips_total = models.PositiveSmallIntegerField(default=1)
    clips_done = models.PositiveSmallIntegerField(default=0)
    clip_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    # The slowest clip so far (ms): how a worker judges whether one more clip fits in its task.
    slowest_clip_ms = models.PositiveIntegerField(null=True, blank=True)
    # Deliveries that claimed the job (each failed one is recorded as "{job}:failed:{attempts}");
    # tries that failed in a retryable way and were queued again (a worker that died counts);
    # failures recorded as cost events.
    attempts = models.PositiveIntegerField(default=0)
    retries = models.PositiveSmallIntegerField(default=0)
    failures = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    # The worker that runs the job holds the lease; a dead worker's lease runs out.
    lease_token = models.CharField(max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    hold_id = models.CharField(max_length=40, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)

    asset = models.ForeignKey(
        MediaAsset, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    event_id = models.CharField(max_length=200, blank=True)
    cost_micros = models.BigIntegerField(default=0)
    cache_hit = models.BooleanField(default=False)
    saved_micros = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    retryable = models.BooleanField(default=False)

    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["tenant", "status", "-created_at"], name="media_job_tenant_status"
            ),
            models.Index(fields=["status", "updated_at"], name="media_job_status_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.id} ({self.status})"


class ProviderSlot(models.Model):
    """One of a provider's concurrency slots (``MEDIA_PROVIDER_CONCURRENCY``): a job holds one
    while it calls the provider. A dead worker's slot frees itself when its lease runs out."""

    provider = models.CharField(max_length=40)
    index = models.PositiveSmallIntegerField()
    job_id = models.CharField(max_length=40, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "index"], name="media_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.provider} slot {self.index} ({self.job_id or 'free'})"


class CreativeContent(models.Model):
    """Content awaiting approval before it is published: media plus a caption for a platform,
    submitted by a playbook or by a user. pending -> approved | rejected."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    class Source(models.TextChoices):
        PLAYBOOK = "playbook", "Playbook"
        USER = "user", "User"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "cnt"))
    tenant = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="creative_content"
    )
    title = models.CharField(max_length=200)
    caption = models.TextField(blank=True)
    platform = models.CharField(max_length=40)
    media = models.ManyToManyField(MediaAsset, related_name="content_items")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    source = models.CharField(max_length=10, choices=Source.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    playbook_run_id = models.CharField(max_length=64, blank=True)
    review_comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="media_content_status"),
            models.Index(fields=["tenant", "status", "-created_at"], name="media_content_tenant"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.status})"
