"""Checking preset input: one error message per field, keyed by the input's field name.

The input is a flat mapping (the same names as the create dialog's fields)::

    name, description, style_prompt, negative_prompt,
    aspect_ratios (list, first = default), primary_color, secondary_color, accent_color,
    font_family, font_size, font_weight, tags (list, or one comma-separated string), is_public

Uniqueness of the name needs the database and is checked by the services.
"""

from collections.abc import Callable, Mapping
from typing import Any

from presets.domain import (
    ASPECT_RATIOS,
    DESCRIPTION_MAX,
    FONT_FAMILY,
    FONT_FAMILY_MAX,
    FONT_SIZES,
    FONT_WEIGHTS,
    HEX_COLOUR,
    NAME_MAX,
    PROMPT_MAX,
    TAG_MAX,
    TAGS_MAX,
)

DEFAULTS: dict[str, Any] = {
    "description": "",
    "negative_prompt": "",
    "primary_color": "#2F7D4F",
    "secondary_color": "#F6F7F4",
    "accent_color": "#B7791F",
    "font_family": "Inter",
    "font_size": "medium",
    "font_weight": "normal",
    "tags": [],
    "is_public": False,
}
REQUIRED = ("name", "style_prompt", "aspect_ratios")


class InvalidField(ValueError):
    """Raised by a field cleaner; the message is shown next to the field."""


def _text(value: Any, label: str, *, maximum: int, required: bool) -> str:
    if not isinstance(value, str):
        raise InvalidField(f"{label} must be text.")
    value = value.strip()
    if required and not value:
        raise InvalidField(f"Enter a {label.lower()}.")
    if len(value) > maximum:
        raise InvalidField(
            f"{label} must be at most {maximum:,} characters (it has {len(value):,})."
        )
    return value


def _colour(label: str) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if not isinstance(value, str) or not HEX_COLOUR.match(value.strip()):
            raise InvalidField(f"{label} must be a colour like #1F3A5F.")
        return value.strip().upper()

    return clean


def _choice(label: str, choices: tuple[str, ...]) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if value not in choices:
            raise InvalidField(f"{label} must be one of: {', '.join(choices)}.")
        return value

    return clean


def _aspect_ratios(value: Any) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise InvalidField("Aspect ratios must be a list such as ['1:1', '16:9'].")
    ratios: list[str] = []
    for ratio in value:
        if ratio not in ASPECT_RATIOS:
            raise InvalidField(f"“{ratio}” is not an aspect ratio; use {', '.join(ASPECT_RATIOS)}.")
        if ratio not in ratios:
            ratios.append(ratio)
    if not ratios:
        raise InvalidField("Choose at least one aspect ratio.")
    return ratios


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(tag, str) for tag in value):
        raise InvalidField("Tags must be a list of words or a comma-separated text.")
    tags: list[str] = []
    for raw in value:
        tag = " ".join(raw.split()).lower()
        if len(tag) > TAG_MAX:
            raise InvalidField(f"Tag “{tag}” is longer than {TAG_MAX} characters.")
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise InvalidField(f"Use at most {TAGS_MAX} tags (there are {len(tags)}).")
    return tags


def _font_family(value: Any) -> str:
    family = _text(value, "Font family", maximum=FONT_FAMILY_MAX, required=True)
    if not FONT_FAMILY.match(family):
        raise InvalidField("Font family may use letters, digits, spaces and hyphens only.")
    return family


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidField("Public must be true or false.")
    return value


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": lambda v: _text(v, "Name", maximum=NAME_MAX, required=True),
    "description": lambda v: _text(v, "Description", maximum=DESCRIPTION_MAX, required=False),
    "style_prompt": lambda v: _text(v, "Style prompt", maximum=PROMPT_MAX, required=True),
    "negative_prompt": lambda v: _text(v, "Negative prompt", maximum=PROMPT_MAX, required=False),
    "aspect_ratios": _aspect_ratios,
    "primary_color": _colour("Primary colour"),
    "secondary_color": _colour("Secondary colour"),
    "accent_color": _colour("Accent colour"),
    "font_family": _font_family,
    "font_size": _choice("Font size", FONT_SIZES),
    "font_weight": _choice("Font weight", FONT_WEIGHTS),
    "tags": _tags,
    "is_public": _flag,
}
FIELDS = tuple(CLEANERS)


def clean_preset_input(
    data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return ``(cleaned, errors)``. With ``partial`` (an update) only the given fields are
    checked; otherwise required fields must be present and the rest get their defaults."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in data:
        if key not in CLEANERS:
            errors[key] = f"Unknown field “{key}”."
    for key, clean in CLEANERS.items():
        if key in data:
            value = data[key]
        elif partial:
            continue
        elif key in REQUIRED:
            value = [] if key == "aspect_ratios" else ""
        else:
            cleaned[key] = DEFAULTS[key]
            continue
        try:
            cleaned[key] = clean(value)
        except InvalidField as exc:
            errors[key] = str(exc)
    return cleaned, errors
