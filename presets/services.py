"""Writes: creating, editing, deleting, publishing and copying custom presets, and counting uses.

The public names are the original system's API in snake_case. Every service is keyword-only and
says no one way: bad input raises ``bakedbot.errors.InvalidInput`` (``{field: message}``;
``"preset"`` for a built-in, which is immutable) before anything is written, and an unknown id or
another tenant's preset raises ``PresetNotFound`` (a 404 in a view). Writes that make or change a
preset return it as ``StylePresetData``.

``get_style_presets`` is a read and lives in ``presets.selectors``; it is re-exported here
because the original system lists it with these.
"""

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from bakedbot.errors import InvalidInput
from bakedbot.selectors import organisation_exists
from presets.builtins import BUILTINS_BY_ID, is_builtin_id
from presets.domain import NAME_MAX, PresetNotFound, StylePresetData
from presets.models import BuiltinPresetUsage, StylePreset
from presets.selectors import (
    get_published_preset,
    get_style_preset,
    get_style_presets,
    preset_data_from_model,
    preset_input_from_data,
)
from presets.validation import check_preset_input, clean_preset_input

__all__ = [
    "copy_style_preset",
    "create_style_preset",
    "delete_style_preset",
    "get_style_presets",
    "set_style_preset_public",
    "track_preset_usage",
    "update_style_preset",
]

NOT_FOUND = "No such preset in your library."
NOT_FOUND_TO_COPY = "No such preset to copy."
BUILTIN_IMMUTABLE = "Built-in presets cannot be changed or deleted; copy one to customise it."
NAME_TAKEN = "You already have a preset with this name."
NAME_BUILTIN = "This is the name of a built-in preset; choose another."
NO_ORGANISATION = "No such organisation."


def _name_error(tenant_id: str, name: str, *, exclude_id: str | None = None) -> str | None:
    if any(builtin.name.lower() == name.lower() for builtin in BUILTINS_BY_ID.values()):
        return NAME_BUILTIN
    taken = StylePreset.objects.filter(tenant_id=tenant_id, name__iexact=name)
    if exclude_id:
        taken = taken.exclude(pk=exclude_id)
    return NAME_TAKEN if taken.exists() else None


def _clean(
    tenant_id: str, data: Mapping[str, Any], *, partial: bool, exclude_id: str | None = None
) -> dict[str, Any]:
    """The cleaned input with a free name, or ``InvalidInput`` naming every field at fault."""
    cleaned, errors = check_preset_input(data, partial=partial)
    if "name" in cleaned and (
        message := _name_error(tenant_id, cleaned["name"], exclude_id=exclude_id)
    ):
        errors.add("name", message)
    errors.raise_if_any()
    return cleaned


def _require_organisation(tenant_id: str) -> None:
    if not organisation_exists(tenant_id):
        raise InvalidInput(tenant_id=NO_ORGANISATION)


def create_style_preset(*, tenant_id: str, data: Mapping[str, Any]) -> StylePresetData:
    """Create a custom preset from the flat input described in ``presets.validation`` and
    return it. Raises ``InvalidInput`` ({field: message}, every bad field at once; nothing is
    written)."""
    _require_organisation(tenant_id)
    cleaned = _clean(tenant_id, data, partial=False)
    return _insert(tenant_id, cleaned)


def _insert(tenant_id: str, cleaned: Mapping[str, Any], **extra: Any) -> StylePresetData:
    try:
        with transaction.atomic():
            preset = StylePreset.objects.create(tenant_id=tenant_id, **cleaned, **extra)
    except IntegrityError:
        # Another request took the name between the check and the insert.
        raise InvalidInput(name=NAME_TAKEN) from None
    return preset_data_from_model(preset)


def _require_custom(tenant_id: str, preset_id: str) -> None:
    """Built-ins are refused as bad input (they exist but cannot change); an unknown id or
    another tenant's preset is not found."""
    if preset_id in BUILTINS_BY_ID:
        raise InvalidInput(preset=BUILTIN_IMMUTABLE)
    if is_builtin_id(preset_id):
        raise PresetNotFound(NOT_FOUND)
    if not StylePreset.objects.filter(tenant_id=tenant_id, pk=preset_id).exists():
        raise PresetNotFound(NOT_FOUND)


def update_style_preset(
    *, tenant_id: str, preset_id: str, updates: Mapping[str, Any]
) -> StylePresetData:
    """Change some fields of one of the tenant's custom presets (only the fields given) and
    return it. ``InvalidInput`` for bad fields or a built-in; ``PresetNotFound`` for an unknown
    id or another tenant's preset."""
    _require_custom(tenant_id, preset_id)
    cleaned = _clean(tenant_id, updates, partial=True, exclude_id=preset_id)
    try:
        with transaction.atomic():
            rows = StylePreset.objects.select_for_update().filter(tenant_id=tenant_id)
            preset = rows.filter(pk=preset_id).first()
            if preset is None:  # deleted since the check above
                raise PresetNotFound(NOT_FOUND)
            for field, value in cleaned.items():
                setattr(preset, field, value)
            preset.save()
    except IntegrityError:
        raise InvalidInput(name=NAME_TAKEN) from None
    return preset_data_from_model(preset)


def delete_style_preset(*, tenant_id: str, preset_id: str) -> None:
    """Delete one of the tenant's custom presets. Copies other tenants made of it stay theirs.
    ``InvalidInput`` for a built-in; ``PresetNotFound`` for an unknown or another tenant's."""
    _require_custom(tenant_id, preset_id)
    StylePreset.objects.filter(tenant_id=tenant_id, pk=preset_id).delete()


def set_style_preset_public(*, tenant_id: str, preset_id: str, public: bool) -> StylePresetData:
    """Publish (or withdraw) a custom preset: published presets can be browsed and copied by
    other tenants. Withdrawing leaves existing copies alone."""
    return update_style_preset(
        tenant_id=tenant_id, preset_id=preset_id, updates={"is_public": public}
    )


def copy_style_preset(*, tenant_id: str, source_id: str) -> StylePresetData:
    """Copy a preset into the tenant's library and return the copy: another tenant's published
    preset, a built-in (to customise it) or one of the tenant's own. The copy is private, starts
    with no uses and is independent of its source; its name gets " (copy)" when the name is
    taken. ``PresetNotFound`` for anything else."""
    _require_organisation(tenant_id)
    try:
        source = get_style_preset(tenant_id, source_id)
    except PresetNotFound:
        try:
            source = get_published_preset(tenant_id, source_id)
        except PresetNotFound:
            raise PresetNotFound(NOT_FOUND_TO_COPY) from None
    cleaned = clean_preset_input(preset_input_from_data(source), partial=False)
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


def track_preset_usage(*, tenant_id: str, preset_id: str) -> int:
    """Count one use of a preset by the tenant (call it when a generation applies the preset)
    and return the tenant's new count. Built-ins are counted per tenant. Raises
    ``PresetNotFound`` for an unknown id or another tenant's preset."""
    if is_builtin_id(preset_id):
        if preset_id not in BUILTINS_BY_ID or not organisation_exists(tenant_id):
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
