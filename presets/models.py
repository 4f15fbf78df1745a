"""Custom presets and per-tenant usage of the built-ins. Private to the presets app: other apps go
through ``presets.selectors`` and ``presets.services``.

Every stored preset is a custom one (category ``custom``); built-ins live in ``presets.builtins``.
"""

from functools import partial

from django.db import models
from django.db.models.functions import Lower

from bakedbot.ids import new_id
from bakedbot.models import Organisation
from presets.domain import FONT_FAMILY_MAX, NAME_MAX


class StylePreset(models.Model):
    class FontSize(models.TextChoices):
        SMALL = "small", "Small"
        MEDIUM = "medium", "Medium"
        LARGE = "large", "Large"

    class FontWeight(models.TextChoices):
        LIGHT = "light", "Light"
        NORMAL = "normal", "Normal"
        BOLD = "bold", "Bold"

    id = models.CharField(primary_key=True, max_length=40, default=partial(new_id, "preset"))
    tenant = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="style_presets")
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(blank=True)
    style_prompt = models.TextField()
    negative_prompt = models.TextField(blank=True)
    aspect_ratios = models.JSONField(default=list)
    primary_color = models.CharField(max_length=7)
    secondary_color = models.CharField(max_length=7)
    accent_color = models.CharField(max_length=7)
    font_family = models.CharField(max_length=FONT_FAMILY_MAX)
    font_size = models.CharField(max_length=10, choices=FontSize.choices)
    font_weight = models.CharField(max_length=10, choices=FontWeight.choices)
    tags = models.JSONField(default=list, blank=True)
    usage_count = models.PositiveIntegerField(default=0)
    is_public = models.BooleanField(default=False)
    # Where a copy came from, for "already in your library"; the copy never follows its source.
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "tenant", Lower("name"), name="presets_stylepreset_unique_name_per_tenant"
            ),
        ]
        indexes = [models.Index(fields=["is_public", "tenant"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.tenant_id})"


class BuiltinPresetUsage(models.Model):
    """How often one tenant has used one built-in preset (built-ins have no row of their own)."""

    tenant = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="builtin_preset_usage"
    )
    preset_id = models.CharField(max_length=40)
    usage_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "preset_id"], name="presets_builtin_usage_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preset_id} used {self.usage_count} times ({self.tenant_id})"
