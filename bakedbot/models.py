import zoneinfo
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from bakedbot.ids import new_id

DEFAULT_TIME_ZONE = "America/Los_Angeles"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (for example America/Denver).")


class Organisation(models.Model):
    """A tenant: a cannabis brand or a dispensary."""

    class Kind(models.TextChoices):
        BRAND = "brand", "Brand"
        DISPENSARY = "dispensary", "Dispensary"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "org"))
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    time_zone = models.CharField(
        max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    """A user's one organisation and their role in it."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MEMBER = "member", "Member"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} of {self.organisation}"


class Notice(models.Model):
    """A notice in one person's bell (the header): a budget alert, content waiting for their
    approval, a failed playbook run. Written only through ``bakedbot.notices``, which the apps
    above call. ``key`` names what it is about (``approval:cnt_…``): one notice per person and
    key, so posting again never makes a duplicate, and resolving the key (the content was
    reviewed) takes it out of every bell."""

    class Kind(models.TextChoices):
        BUDGET = "budget", "Budget alert"
        APPROVAL = "approval", "Waiting for approval"
        RUN = "run", "Playbook run"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "ntc"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=300, blank=True)
    link = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="bakedbot_notice_user_key")
        ]
        indexes = [
            models.Index(
                fields=["user", "resolved_at", "-created_at"], name="bakedbot_notice_bell"
            ),
            models.Index(fields=["organisation", "key"], name="bakedbot_notice_key"),
        ]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A bearer token for the JSON API (``Authorization: Bearer bb_...``).

    A tenant token reads and writes its organisation's data only; a platform token (no tenant,
    made by a super admin) reads the global endpoints and any tenant's data. Only the SHA-256 of
    the secret is kept: the secret is shown once, when the token is made. ``prefix`` (the first
    characters of the secret) lets people tell their tokens apart. The rate-limit window lives on
    the row, so one UPDATE per request counts the request and marks the token used.
    """

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "tok"))
    tenant = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="Empty for a platform (super-admin) token.",
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rate_window_start = models.DateTimeField(null=True, blank=True)
    rate_window_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="bakedbot_token_tenant")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_platform(self) -> bool:
        return self.tenant_id is None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiIdempotencyKey(models.Model):
    """An ``Idempotency-Key`` an API client used, with the fingerprint (SHA-256 of the canonical
    request parameters) of the request it first came with: the same key with another body is
    refused, like Stripe does. Written in the same transaction as what the request does, so a
    refused or failed request leaves no key behind; the unique index makes a concurrent second
    use wait for the first and then see it. ``scope`` is the operation the key belongs to
    (``events``, ``playbook:<id>``)."""

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "scope", "key"], name="bakedbot_idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
