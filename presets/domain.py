"""The preset as other apps see it: plain frozen dataclasses, the allowed values, the not-found
error and prompt composition. Nothing here touches the database.

Other apps never get a ``StylePreset`` model instance; selectors return ``StylePresetData``.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from django.http import Http404

BUILT_IN = "built-in"
CUSTOM = "custom"
CATEGORIES = (BUILT_IN, CUSTOM)

ASPECT_RATIOS = ("1:1", "4:5", "16:9", "9:16")
FONT_SIZES = ("small", "medium", "large")
FONT_WEIGHTS = ("light", "normal", "bold")

NAME_MAX = 80
DESCRIPTION_MAX = 500
PROMPT_MAX = 1000
TAGS_MAX = 20
TAG_MAX = 30
FONT_FAMILY_MAX = 60
# A search of the library: longer than any preset or organisation name (80) with room to spare.
SEARCH_MAX = 200

HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# Font families end up in a style attribute: letters, digits, spaces and hyphens only.
FONT_FAMILY = re.compile(r"^[A-Za-z][A-Za-z0-9 \-]*$")


class PresetNotFound(Http404):
    """No preset with this id for this tenant: unknown, or another tenant's (the same answer).

    A subclass of ``Http404`` so that a view which lets it escape answers 404.
    """


@dataclass(frozen=True)
class ColorPalette:
    primary: str
    secondary: str
    accent: str

    @property
    def swatches(self) -> tuple[tuple[str, str], ...]:
        return (("Primary", self.primary), ("Secondary", self.secondary), ("Accent", self.accent))


@dataclass(frozen=True)
class Typography:
    font_family: str
    font_size: str
    font_weight: str


@dataclass(frozen=True)
class StylePresetData:
    """One preset, built-in or custom. ``usage_count`` is the asking tenant's count;
    ``tenant_id`` is None for built-ins."""

    id: str
    tenant_id: str | None
    category: str
    name: str
    description: str
    style_prompt: str
    negative_prompt: str
    aspect_ratios: tuple[str, ...]
    color_palette: ColorPalette
    typography: Typography
    tags: tuple[str, ...]
    usage_count: int
    is_public: bool
    created_at: datetime
    updated_at: datetime

    @property
    def is_builtin(self) -> bool:
        return self.category == BUILT_IN

    @property
    def default_aspect_ratio(self) -> str:
        return self.aspect_ratios[0]


@dataclass(frozen=True)
class PublishedPreset:
    """A preset another tenant has published, as the browsing tenant sees it."""

    preset: StylePresetData
    publisher_name: str
    in_my_library: bool


@dataclass(frozen=True)
class PickerOption:
    preset: StylePresetData
    selected: bool


@dataclass(frozen=True)
class PresetPage:
    """One page of a tenant's library (``selectors.get_style_presets_page``)."""

    presets: tuple[StylePresetData, ...]
    number: int
    pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


@dataclass(frozen=True)
class PresetPicker:
    """Context for ``templates/presets/_picker.html`` (see ``selectors.get_preset_picker``)."""

    field_name: str
    custom: tuple[PickerOption, ...]
    builtin: tuple[PickerOption, ...]
    allow_none: bool
    none_selected: bool
    custom_total: int = 0  # the tenant's custom presets matching ``search``; a page is listed
    search: str = ""
    search_error: str = ""  # why the search text was refused (it was not applied)
    more: int = 0  # matches beyond those listed: "refine your search"

    @property
    def searchable(self) -> bool:
        return bool(self.search or self.search_error) or self.custom_total > len(self.custom)

    @property
    def search_name(self) -> str:
        return picker_search_name(self.field_name)


def picker_search_name(field_name: str) -> str:
    """The name of a picker's search box in its host form: ``preset_id`` searches with
    ``preset_q``, ``variant-0-preset_id`` with ``variant-0-preset_q``."""
    return f"{field_name.removesuffix('_id')}_q"


class ComposedPrompt(NamedTuple):
    prompt: str
    negative_prompt: str
    aspect_ratio: str | None

    def as_single_prompt(self) -> str:
        """For providers without a negative-prompt field: the things to avoid, said in words."""
        if not self.negative_prompt:
            return self.prompt
        return f"{self.prompt} Avoid: {self.negative_prompt}"


def compose_prompt(
    base_prompt: str, preset: StylePresetData | None, *, aspect_ratio: str | None = None
) -> ComposedPrompt:
    """Apply a preset to a generation prompt.

    The prompt is the base prompt followed by the preset's style prompt (the base gets a closing
    full stop when it has none, so the two read as sentences). The negative prompt is the
    preset's. The aspect ratio is ``aspect_ratio`` when given, else the preset's first ratio.
    Without a preset the base prompt passes through unchanged. Composing does not count as a use:
    call ``services.track_preset_usage`` when the generation is actually made.
    """
    if aspect_ratio is not None and aspect_ratio not in ASPECT_RATIOS:
        raise ValueError(f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}")
    base = base_prompt.strip()
    if preset is None:
        return ComposedPrompt(base, "", aspect_ratio)
    style = preset.style_prompt.strip()
    if base and style and base[-1] not in ".!?":
        base += "."
    prompt = f"{base} {style}".strip()
    return ComposedPrompt(
        prompt, preset.negative_prompt.strip(), aspect_ratio or preset.default_aspect_ratio
    )
