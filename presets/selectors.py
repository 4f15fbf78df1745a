"""Reads: presets as ``StylePresetData``, for this app's views and for other apps.

A tenant sees the built-ins, its own custom presets, and — only through
``get_published_presets`` — other tenants' published ones. Any other id answers
``PresetNotFound``, whether it is unknown or belongs to another tenant.
"""

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from django.db.models import Q
from django.utils import timezone

from bakedbot.validation import clean_text
from presets.builtins import BUILTIN_PRESETS, BUILTINS_BY_ID, is_builtin_id
from presets.domain import (
    BUILT_IN,
    CUSTOM,
    SEARCH_MAX,
    ColorPalette,
    PickerOption,
    PresetNotFound,
    PresetPage,
    PresetPicker,
    PublishedPreset,
    StylePresetData,
    Typography,
)
from presets.models import BuiltinPresetUsage, StylePreset
from presets.validation import DEFAULTS, check_preset_input


def preset_data_from_model(preset: StylePreset) -> StylePresetData:
    return StylePresetData(
        id=preset.id,
        tenant_id=preset.tenant_id,
        category=CUSTOM,
        name=preset.name,
        description=preset.description,
        style_prompt=preset.style_prompt,
        negative_prompt=preset.negative_prompt,
        aspect_ratios=tuple(preset.aspect_ratios),
        color_palette=ColorPalette(
            preset.primary_color, preset.secondary_color, preset.accent_color
        ),
        typography=Typography(preset.font_family, preset.font_size, preset.font_weight),
        tags=tuple(preset.tags),
        usage_count=preset.usage_count,
        is_public=preset.is_public,
        created_at=preset.created_at,
        updated_at=preset.updated_at,
    )


def _builtins_for(tenant_id: str) -> list[StylePresetData]:
    counts = dict(
        BuiltinPresetUsage.objects.filter(tenant_id=tenant_id).values_list(
            "preset_id", "usage_count"
        )
    )
    return [replace(preset, usage_count=counts.get(preset.id, 0)) for preset in BUILTIN_PRESETS]


def _matches(preset: StylePresetData, *, tag: str, search: str) -> bool:
    return (not tag or tag in preset.tags) and (not search or search in preset.name.lower())


def get_style_presets(
    tenant_id: str, *, category: str = "", tag: str = "", search: str = ""
) -> list[StylePresetData]:
    """The tenant's library: its custom presets (by name), then the built-ins (in their fixed
    order), each with this tenant's usage count. Optional filters: ``category`` (``built-in`` or
    ``custom``), ``tag`` (exact), ``search`` (part of the name, any case)."""
    tag = tag.strip().lower()
    search = search.strip().lower()
    presets: list[StylePresetData] = []
    if category != BUILT_IN:
        rows = StylePreset.objects.filter(tenant_id=tenant_id)
        if search:
            rows = rows.filter(name__icontains=search)
        presets += [preset_data_from_model(row) for row in rows.order_by("name")]
    if category != CUSTOM:
        presets += _builtins_for(tenant_id)
    return [preset for preset in presets if _matches(preset, tag=tag, search=search)]


PAGE_SIZE = 24


def get_style_presets_page(
    tenant_id: str,
    *,
    category: str = "",
    tag: str = "",
    search: str = "",
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> PresetPage:
    """One page of ``get_style_presets`` (same order and filters): only the page's rows are
    read and drawn, so the gallery costs the same at 30 presets and at thousands. ``page`` past
    the end is the last page."""
    tag = tag.strip().lower()
    search = search.strip().lower()
    rows = StylePreset.objects.none()
    custom_total = 0
    if category != BUILT_IN:
        rows = StylePreset.objects.filter(tenant_id=tenant_id)
        if search:
            rows = rows.filter(name__icontains=search)
        rows = rows.order_by("name")
        if tag:  # tags are a JSON list: matched here on (id, tags) pairs, not whole rows
            ids = [pk for pk, tags in rows.values_list("pk", "tags") if tag in tags]
            rows, custom_total = StylePreset.objects.filter(pk__in=ids).order_by("name"), len(ids)
        else:
            custom_total = rows.count()
    builtins = []
    if category != CUSTOM:
        builtins = [p for p in _builtins_for(tenant_id) if _matches(p, tag=tag, search=search)]
    total = custom_total + len(builtins)
    pages = max(1, -(-total // per_page))
    number = min(max(1, page), pages)
    start, end = (number - 1) * per_page, number * per_page
    presets = (
        [preset_data_from_model(row) for row in rows[start:end]] if start < custom_total else []
    )
    presets += builtins[max(0, start - custom_total) : max(0, end - custom_total)]
    return PresetPage(presets=tuple(presets), number=number, pages=pages, total=total)


def get_style_preset(tenant_id: str, preset_id: str) -> StylePresetData:
    """One preset the tenant may use: a built-in or one of its own. Raises ``PresetNotFound``
    for an unknown id or another tenant's preset (published or not: copy it first)."""
    if is_builtin_id(preset_id):
        builtin = BUILTINS_BY_ID.get(preset_id)
        if builtin is None:
            raise PresetNotFound(f"No preset {preset_id}")
        usage = BuiltinPresetUsage.objects.filter(tenant_id=tenant_id, preset_id=preset_id).first()
        return replace(builtin, usage_count=usage.usage_count if usage else 0)
    row = StylePreset.objects.filter(tenant_id=tenant_id, pk=preset_id).first()
    if row is None:
        raise PresetNotFound(f"No preset {preset_id}")
    return preset_data_from_model(row)


def get_preset_names(tenant_id: str, preset_ids: Iterable[str]) -> dict[str, str]:
    """The names of these presets the tenant may use (built-ins and its own), by id; ids it
    may not use are left out. Reads only those rows, however large the library."""
    ids = {str(preset_id) for preset_id in preset_ids}
    names = {i: BUILTINS_BY_ID[i].name for i in ids if i in BUILTINS_BY_ID}
    custom = ids - names.keys()
    if custom:
        rows = StylePreset.objects.filter(tenant_id=tenant_id, pk__in=custom)
        names.update(rows.values_list("pk", "name"))
    return names


def get_preset_tags(tenant_id: str) -> list[str]:
    """Every tag in the tenant's library, sorted: the choices of the gallery's tag filter."""
    tags = {tag for preset in BUILTIN_PRESETS for tag in preset.tags}
    for row_tags in StylePreset.objects.filter(tenant_id=tenant_id).values_list("tags", flat=True):
        tags.update(row_tags)
    return sorted(tags)


def get_published_presets(tenant_id: str, *, search: str = "") -> list[PublishedPreset]:
    """Presets other tenants have published, newest first, and whether this tenant already
    holds a copy."""
    rows = (
        StylePreset.objects.filter(is_public=True)
        .exclude(tenant_id=tenant_id)
        .select_related("tenant")
        .order_by("-updated_at", "name")
    )
    search = search.strip()
    if search:
        rows = rows.filter(Q(name__icontains=search) | Q(tenant__name__icontains=search))
    copied = set(
        StylePreset.objects.filter(tenant_id=tenant_id, copied_from__isnull=False).values_list(
            "copied_from_id", flat=True
        )
    )
    return [
        PublishedPreset(preset_data_from_model(row), row.tenant.name, row.id in copied)
        for row in rows
    ]


def get_published_preset(tenant_id: str, preset_id: str) -> StylePresetData:
    """A preset another tenant has published; ``PresetNotFound`` for anything else."""
    row = (
        StylePreset.objects.filter(pk=preset_id, is_public=True)
        .exclude(tenant_id=tenant_id)
        .first()
    )
    if row is None:
        raise PresetNotFound(f"No published preset {preset_id}")
    return preset_data_from_model(row)


PICKER_SIZE = 12


def get_preset_picker(
    tenant_id: str,
    *,
    selected_id: str = "",
    field_name: str = "preset_id",
    allow_none: bool = True,
    search: str = "",
    limit: int = PICKER_SIZE,
) -> PresetPicker:
    """Context for ``{% include "presets/_picker.html" with picker=... %}``: the built-ins and
    the first ``limit`` of the tenant's custom presets matching ``search`` (by name), plus the
    selected one wherever it sorts, as radio options named ``field_name``; a library larger than
    that is searched (its search box is named ``picker.search_name``), never listed whole, and
    ``more`` says how many matches are left out. A search longer than ``SEARCH_MAX`` is not
    applied (``search_error`` says why). An unknown or another tenant's ``selected_id`` selects
    nothing (or "No preset" when ``allow_none``)."""
    try:
        search, search_error = clean_text(search, max_length=SEARCH_MAX, label="Search"), ""
    except ValueError as exc:
        search, search_error = "", str(exc)
    page = get_style_presets_page(tenant_id, category=CUSTOM, search=search, per_page=limit)
    custom = list(page.presets)
    chosen = None
    if selected_id:
        try:
            chosen = get_style_preset(tenant_id, selected_id)
        except PresetNotFound:
            chosen = None
    if chosen is not None and not chosen.is_builtin and chosen.id not in {p.id for p in custom}:
        custom.insert(0, chosen)
    selected = chosen.id if chosen is not None else ""
    return PresetPicker(
        field_name=field_name,
        custom=tuple(PickerOption(preset, preset.id == selected) for preset in custom),
        builtin=tuple(PickerOption(p, p.id == selected) for p in _builtins_for(tenant_id)),
        allow_none=allow_none,
        none_selected=allow_none and not selected,
        custom_total=page.total,
        search=search,
        search_error=search_error,
        more=page.total - len(page.presets),
    )


def preview_style_preset(
    data: Mapping[str, Any], *, base: StylePresetData | None = None
) -> StylePresetData:
    """A transient preset for the dialog's live preview: the valid fields of ``data`` over
    ``base`` (the preset being edited) or the defaults. Nothing is saved."""
    cleaned, _errors = check_preset_input(data, partial=True)
    now = timezone.now()
    fallback: dict[str, Any] = dict(
        DEFAULTS, name="Untitled preset", style_prompt="", aspect_ratios=["1:1"]
    )
    if base is not None:
        fallback.update(preset_input_from_data(base))
    value = {**fallback, **cleaned}
    return StylePresetData(
        id=base.id if base else "",
        tenant_id=base.tenant_id if base else None,
        category=CUSTOM,
        name=value["name"],
        description=value["description"],
        style_prompt=value["style_prompt"],
        negative_prompt=value["negative_prompt"],
        aspect_ratios=tuple(value["aspect_ratios"]),
        color_palette=ColorPalette(
            value["primary_color"], value["secondary_color"], value["accent_color"]
        ),
        typography=Typography(value["font_family"], value["font_size"], value["font_weight"]),
        tags=tuple(value["tags"]),
        usage_count=base.usage_count if base else 0,
        is_public=base.is_public if base else False,
        created_at=base.created_at if base else now,
        updated_at=now,
    )


def preset_input_from_data(preset: StylePresetData) -> dict[str, Any]:
    """The flat input shape (see ``presets.validation``) of an existing preset: the edit
    dialog's initial values, and the start of a copy."""
    return {
        "name": preset.name,
        "description": preset.description,
        "style_prompt": preset.style_prompt,
        "negative_prompt": preset.negative_prompt,
        "aspect_ratios": list(preset.aspect_ratios),
        "primary_color": preset.color_palette.primary,
        "secondary_color": preset.color_palette.secondary,
        "accent_color": preset.color_palette.accent,
        "font_family": preset.typography.font_family,
        "font_size": preset.typography.font_size,
        "font_weight": preset.typography.font_weight,
        "tags": list(preset.tags),
    }
