from django.db import models


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
