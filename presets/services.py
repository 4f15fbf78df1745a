"""Writes: creating, editing, deleting, publishing and copying custom presets, and counting uses.

The public names are the original system's API in snake_case. Results are tuples so they read
like the original's ``{ success, presetId?, error? }``; ``error`` is a dict of field name to
message (``"preset"`` for the preset as a whole: unknown, another tenant's, or built-in).
Built-ins are immutable: edit and delete are refused with a message, never applied.

``get_style_presets`` is a read and lives in ``presets.selectors``; it is re-exported here
because the original system lists it with these.
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import F

from bakedbot.models import Organisation
from presets.builtins import BUILTINS_BY_ID, is_builtin_id
from presets.domain import NAME_MAX, PresetNotFound
from presets.models import BuiltinPresetUsage, StylePreset
from presets.selectors import (
    get_published_preset,
    get_style_preset,
    get_style_presets,
    preset_input_from_data,
)
from presets.validation import clean_preset_input

__all__ = [
    "PresetResult",
    "PresetWriteResult",
    "copy_style_preset",
    "create_style_preset",
    "delete_style_preset",
    "get_style_presets",
    "set_style_preset_public",
    "track_preset_usage",
    "update_style_preset",
]

NOT_FOUND = "No such preset in your library."
BUILTIN_IMMUTABLE = "Built-in presets cannot be changed or deleted; copy one to customise it."
NAME_TAKEN = "You already have a preset with this name."
NAME_BUILTIN = "This is the name of a built-in preset; choose another."


class PresetResult(NamedTuple):
    success: bool
    preset_id: str | None
    error: dict[str, str] | None


class PresetWriteResult(NamedTuple):
    success: bool
    error: dict[str, str] | None


def _name_error(tenant_id: str, name: str, *, exclude_id: str | None = None) -> str | None:
    if any(builtin.name.lower() == name.lower() for builtin in BUILTINS_BY_ID.values()):
        return NAME_BUILTIN
    taken = StylePreset.objects.filter(tenant_id=tenant_id, name__iexact=name)
    if exclude_id:
        taken = taken.exclude(pk=exclude_id)
    return NAME_TAKEN if taken.exists() else None


def create_style_preset(tenant_id: str, data: Mapping[str, Any]) -> PresetResult:
    """Create a custom preset from the flat input described in ``presets.validation``.
    Returns ``(True, preset_id, None)`` or ``(False, None, {field: message})``; nothing is
    written on error."""
    if not Organisation.objects.filter(pk=tenant_id).exists():
        return PresetResult(False, None, {"tenant_id": "No such organisation."})
    cleaned, errors = clean_preset_input(data, partial=False)
    if "name" in cleaned and (message := _name_error(tenant_id, cleaned["name"])):
        errors["name"] = message
    if errors:
        return PresetResult(False, None, errors)
    return _insert(tenant_id, cleaned)


def _insert(tenant_id: str, cleaned: Mapping[str, Any], **extra: Any) -> PresetResult:
    try:
        with transaction.atomic():
            preset = StylePreset.objects.create(tenant_id=tenant_id, **cleaned, **extra)
    except IntegrityError:
        # Another request took the name between the check and the insert.
        return PresetResult(False, None, {"name": NAME_TAKEN})
    return PresetResult(True, preset.id, None)


def _refusal(tenant_id: str, preset_id: str) -> dict[str, str] | None:
    if is_builtin_id(preset_id):
        return {"preset": BUILTIN_IMMUTABLE if preset_id in BUILTINS_BY_ID else NOT_FOUND}
    if not StylePreset.objects.filter(tenant_id=tenant_id, pk=preset_id).exists():
        return {"preset": NOT_FOUND}
    return None


def update_style_preset(
    tenant_id: str, preset_id: str, updates: Mapping[str, Any]
) -> PresetWriteResult:
    """Change some fields of one of the tenant's custom presets (only the fields given).
    Refused for built-ins, unknown ids and other tenants' presets."""
    if refusal := _refusal(tenant_id, preset_id):
        return PresetWriteResult(False, refusal)
    cleaned, errors = clean_preset_input(updates, partial=True)
    if "name" in cleaned and (
        message := _name_error(tenant_id, cleaned["name"], exclude_id=preset_id)
    ):
        errors["name"] = message
    if errors:
        return PresetWriteResult(False, errors)
    try:
        with transaction.atomic():
            rows = StylePreset.objects.select_for_update().filter(tenant_id=tenant_id)
            preset = rows.filter(pk=preset_id).first()
            if preset is None:  # deleted since the check above
                return PresetWriteResult(False, {"preset": NOT_FOUND})
            for field, value in cleaned.items():
                setattr(preset, field, value)
            preset.save()
    except IntegrityError:
        return PresetWriteResult(False, {"name": NAME_TAKEN})
    return PresetWriteResult(True, None)


def delete_style_preset(tenant_id: str, preset_id: str) -> PresetWriteResult:
    """Delete one of the tenant's custom presets. Copies other tenants made of it stay theirs."""
    if refusal := _refusal(tenant_id, preset_id):
        return PresetWriteResult(False, refusal)
    StylePreset.objects.filter(tenant_id=tenant_id, pk=preset_id).delete()
    return PresetWriteResult(True, None)


def set_style_preset_public(tenant_id: str, preset_id: str, *, public: bool) -> PresetWriteResult:
    """Publish (or withdraw) a custom preset: published presets can be browsed and copied by
    other tenants. Withdrawing leaves existing copies alone."""
    return update_style_preset(tenant_id, preset_id, {"is_public": public})


def copy_style_preset(tenant_id: str, source_id: str) -> PresetResult:
    """Copy a preset into the tenant's library: another tenant's published preset, a built-in
    (to customise it) or one of the tenant's own. The copy is private, starts with no uses and
    is independent of its source; its name gets " (copy)" when the name is taken."""
    if not Organisation.objects.filter(pk=tenant_id).exists():
        return PresetResult(False, None, {"tenant_id": "No such organisation."})
    try:
        source = get_style_preset(tenant_id, source_id)
    except PresetNotFound:
        try:
            source = get_published_preset(tenant_id, source_id)
        except PresetNotFound:
            return PresetResult(False, None, {"preset": "No such preset to copy."})
    cleaned, errors = clean_preset_input(preset_input_from_data(source), partial=False)
    if errors:
        return PresetResult(False, None, errors)
    cleaned["name"] = _free_name(tenant_id, source.name)
    copied_from = None if source.is_builtin else source.id
    return _insert(tenant_id, cleaned, copied_from_id=copied_from)


def _free_name(tenant_id: str, name: str) -> str:
    candidate, number = name, 1
    while _name_error(tenant_id, candidate):
        suffix = " (copy)" if number == 1 else f" (copy {number})"
        candidate = name[: NAME_MAX - len(suffix)].rstrip() + suffix
        number += 1
    return candidate


def track_preset_usage(tenant_id: str, preset_id: str) -> int:
    """Count one use of a preset by the tenant (call it when a generation applies the preset)
    and return the tenant's new count. Built-ins are counted per tenant. Raises
    ``PresetNotFound`` for an unknown id or another tenant's preset."""
    if is_builtin_id(preset_id):
        if (
            preset_id not in BUILTINS_BY_ID
            or not Organisation.objects.filter(pk=tenant_id).exists()
        ):
            raise PresetNotFound(f"No preset {preset_id}")
        with transaction.atomic():
            usage, _ = BuiltinPresetUsage.objects.get_or_create(
                tenant_id=tenant_id, preset_id=preset_id
            )
            BuiltinPresetUsage.objects.filter(pk=usage.pk).update(usage_count=F("usage_count") + 1)
            usage.refresh_from_db(fields=["usage_count"])
        return usage.usage_count
    with transaction.atomic():
        changed = StylePreset.objects.filter(tenant_id=tenant_id, pk=preset_id).update(
            usage_count=F("usage_count") + 1
        )
        if not changed:
            raise PresetNotFound(f"No preset {preset_id}")
        return StylePreset.objects.values_list("usage_count", flat=True).get(pk=preset_id)
