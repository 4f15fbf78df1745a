"""A/B tests of generated media: the test, its variants (the first is the control) and one
result row of cumulative counts per variant, plus the snapshots those counts came from.

Rules (transitions, frozen variants, metric validation) live in ``abtests.services``.
"""

from decimal import Decimal
from functools import partial

from django.conf import settings
from django.db import models

from bakedbot.ids import new_id
from bakedbot.models import Organisation
from costs.money import micros_to_decimal


class MediaABTest(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"

    class PrimaryMetric(models.TextChoices):
        CTR = "ctr", "CTR (clicks / impressions)"
        CVR = "cvr", "CVR (conversions / clicks)"
        ENGAGEMENT_RATE = "engagement_rate", "Engagement rate (engaged / impressions)"
        CPC = "cpc", "CPC (cost / clicks, lower is better)"

    class Adjustment(models.TextChoices):
        HOLM = "holm", "Holm (family-wise error)"
        BH = "bh", "Benjamini-Hochberg (false discovery rate)"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "abt"))
    tenant = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="ab_tests")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    base_prompt = models.TextField(blank=True)
    primary_metric = models.CharField(
        max_length=20, choices=PrimaryMetric.choices, default=PrimaryMetric.CTR
    )
    # Chosen raw metrics, a subset of impressions, clicks, conversions, engagement, cost.
    metrics = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # Decision settings: the winner's chance to be best, and the smallest absolute change in the
    # primary rate the test is sized to detect.
    confidence_threshold = models.DecimalField(
        max_digits=4, decimal_places=3, default=Decimal("0.950")
    )
    minimum_detectable_effect = models.DecimalField(
        max_digits=6, decimal_places=4, default=Decimal("0.0100")
    )
    adjustment = models.CharField(max_length=4, choices=Adjustment.choices, default=Adjustment.HOLM)
    # Bandit mode: a scheduled task re-weights the split by top-two Thompson sampling every
    # ``bandit_interval_hours`` (once every arm has 100 impressions), never below
    # ``bandit_floor_percent`` per arm, until one arm's chance to be best passes the threshold.
    bandit_mode = models.BooleanField(default=False)
    bandit_interval_hours = models.PositiveSmallIntegerField(default=24)
    bandit_floor_percent = models.PositiveSmallIntegerField(default=5)
    bandit_stopped_at = models.DateTimeField(null=True, blank=True)
    wizard_step = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return self.name


class MediaABTestVariant(models.Model):
    """One arm: a preset (by id; presets are another app's) and/or a custom prompt, the media
    generated for it, and its share of the audience."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "abv"))
    test = models.ForeignKey(MediaABTest, on_delete=models.CASCADE, related_name="variants")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80)
    preset_id = models.CharField(max_length=64, blank=True)
    custom_prompt = models.TextField(blank=True)
    media_ref = models.CharField(max_length=500, blank=True)
    media_cost_micros = models.BigIntegerField(default=0)
    # The media generation job making this variant's next image (queued by the wizard, run by a
    # worker); cleared when its image is attached. A failed job stays so its reason is shown.
    media_job_id = models.CharField(max_length=40, blank=True)
    split_percent = models.PositiveSmallIntegerField(default=0)
    # Impressions when the split last changed (a bandit re-split): the sample-ratio check
    # compares only the impressions counted since then with the current split.
    impressions_at_split = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["test", "position"]
        # Names are unique per test too, checked in validation: a draft may swap two names.
        constraints = [
            models.UniqueConstraint(fields=["test", "position"], name="abtests_variant_position"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_control(self) -> bool:
        return self.position == 0

    @property
    def media_cost(self) -> Decimal:
        return micros_to_decimal(self.media_cost_micros)


class MediaABTestResult(models.Model):
    """A variant's latest cumulative counts, and the winner flag and confidence (its chance to
    be best on the primary metric) from the last analysis."""

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "abr"))
    test = models.ForeignKey(MediaABTest, on_delete=models.CASCADE, related_name="results")
    variant = models.OneToOneField(
        MediaABTestVariant, on_delete=models.CASCADE, related_name="result"
    )
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    conversions = models.PositiveBigIntegerField(default=0)
    engagement = models.PositiveBigIntegerField(default=0)
    cost_micros = models.PositiveBigIntegerField(default=0)
    is_winner = models.BooleanField(default=False)
    confidence = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["variant__position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(clicks__lte=models.F("impressions")),
                name="abtests_result_clicks_lte_impressions",
            ),
            models.CheckConstraint(
                condition=models.Q(conversions__lte=models.F("clicks")),
                name="abtests_result_conversions_lte_clicks",
            ),
            models.CheckConstraint(
                condition=models.Q(engagement__lte=models.F("impressions")),
                name="abtests_result_engagement_lte_impressions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.variant}: {self.impressions} impressions"

    @property
    def cost(self) -> Decimal:
        return micros_to_decimal(self.cost_micros)

    @property
    def ctr(self) -> Decimal | None:
        return Decimal(self.clicks) / self.impressions if self.impressions else None

    @property
    def cvr(self) -> Decimal | None:
        return Decimal(self.conversions) / self.clicks if self.clicks else None

    @property
    def cpc(self) -> Decimal | None:
        return self.cost / self.clicks if self.clicks else None

    @property
    def engagement_rate(self) -> Decimal | None:
        return Decimal(self.engagement) / self.impressions if self.impressions else None


class MediaABTestMetricSnapshot(models.Model):
    """Every cumulative snapshot received (form, CSV or API), kept for the audit trail."""

    class Source(models.TextChoices):
        FORM = "form", "Form"
        CSV = "csv", "CSV upload"
        API = "api", "API"

    variant = models.ForeignKey(
        MediaABTestVariant, on_delete=models.CASCADE, related_name="snapshots"
    )
    impressions = models.PositiveBigIntegerField()
    clicks = models.PositiveBigIntegerField()
    conversions = models.PositiveBigIntegerField()
    engagement = models.PositiveBigIntegerField()
    cost_micros = models.PositiveBigIntegerField()
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.API)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["variant", "recorded_at"]

    def __str__(self) -> str:
        return f"{self.variant} @ {self.recorded_at:%Y-%m-%d %H:%M}"


class MediaABTestSplitChange(models.Model):
    """The split in force from ``changed_at`` until the next change: one row when the test
    starts and one per re-split (an owner's or the bandit's). ``impressions`` holds each
    variant's cumulative impressions at the change, so the sample-ratio check can compare the
    traffic of every period with the split of that period."""

    class Reason(models.TextChoices):
        START = "start", "Test started"
        MANUAL = "manual", "Applied by an owner"
        BANDIT = "bandit", "Bandit re-weighting"
        STOP = "stop", "Bandit stopped exploring"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "abs"))
    test = models.ForeignKey(MediaABTest, on_delete=models.CASCADE, related_name="split_changes")
    changed_at = models.DateTimeField()
    reason = models.CharField(max_length=8, choices=Reason.choices)
    split = models.JSONField()  # variant id -> whole percent
    impressions = models.JSONField()  # variant id -> cumulative impressions at the change
    # variant id -> chance to be best on the primary metric, in basis points (bandit changes).
    chance_best_bp = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["test", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.test_id} {self.reason} @ {self.changed_at:%Y-%m-%d %H:%M}"
