"""Checking preset input: one error message per field, keyed by the input's field name.

The input is a flat mapping (the same names as the create dialog's fields)::

    name, description, style_prompt, negative_prompt,
    aspect_ratios (list, first = default), primary_color, secondary_color, accent_color,
    font_family, font_size, font_weight, tags (list, or one comma-separated string), is_public

Text, choices and the public flag use the shared cleaners of ``bakedbot.validation``; the rules
only presets have (colours, aspect ratios, tags, font family) are written here, once.
Uniqueness of the name needs the database and is checked by the services.
"""

import functools
from collections.abc import Callable, Mapping
from typing import Any

from bakedbot.errors import FieldErrors
from bakedbot.validation import clean_choice, clean_flag, clean_text
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


def _colour(label: str) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if not isinstance(value, str) or not HEX_COLOUR.match(value.strip()):
            raise ValueError(f"{label} must be a colour like #1F3A5F.")
        return value.strip().upper()

    return clean


def clean_aspect_ratios(value: Any) -> list[str]:
    """A list of at least one of ``ASPECT_RATIOS``, duplicates dropped, order kept."""
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError("Aspect ratios must be a list such as ['1:1', '16:9'].")
    ratios: list[str] = []
    for ratio in value:
        if ratio not in ASPECT_RATIOS:
            raise ValueError(f"“{ratio}” is not an aspect ratio; use {', '.join(ASPECT_RATIOS)}.")
        if ratio not in ratios:
            ratios.append(ratio)
    if not ratios:
        raise ValueError("Choose at least one aspect ratio.")
    return ratios


def clean_tags(value: Any) -> list[str]:
    """A list of words or one comma-separated text: lower case, spaces collapsed, no repeats."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(tag, str) for tag in value):
        raise ValueError("Tags must be a list of words or a comma-separated text.")
    tags: list[str] = []
    for raw in value:
        tag = " ".join(raw.split()).lower()
        if len(tag) > TAG_MAX:
            raise ValueError(f"Tag “{tag}” is longer than {TAG_MAX} characters.")
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > TAGS_MAX:
        raise ValueError(f"Use at most {TAGS_MAX} tags (there are {len(tags)}).")
    return tags


def clean_font_family(value: Any) -> str:
    """A font family name: it ends up in a style attribute, so letters, digits, spaces and
    hyphens only."""
    family = clean_text(value, max_length=FONT_FAMILY_MAX, required=True, label="Font family")
    if not FONT_FAMILY.match(family):
        raise ValueError("Font family may use letters, digits, spaces and hyphens only.")
    return family


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": functools.partial(clean_text, max_length=NAME_MAX, required=True, label="Name"),
    "description": functools.partial(clean_text, max_length=DESCRIPTION_MAX, label="Description"),
    "style_prompt": functools.partial(
        clean_text, max_length=PROMPT_MAX, required=True, label="Style prompt"
    ),
    "negative_prompt": functools.partial(
        clean_text, max_length=PROMPT_MAX, label="Negative prompt"
    ),
    "aspect_ratios": clean_aspect_ratios,
    "primary_color": _colour("Primary colour"),
    "secondary_color": _colour("Secondary colour"),
    "accent_color": _colour("Accent colour"),
    "font_family": clean_font_family,
    "font_size": functools.partial(clean_choice, choices=FONT_SIZES, label="Font size"),
    "font_weight": functools.partial(clean_choice, choices=FONT_WEIGHTS, label="Font weight"),
    "tags": clean_tags,
    # JSON-like input: a bool, not the words a form would send.
    "is_public": functools.partial(clean_flag, strict=True, label="Public"),
}
FIELDS = tuple(CLEANERS)


def check_preset_input(
    data: Mapping[str, Any], *, partial: bool
) -> tuple[dict[str, Any], FieldErrors]:
    """``(cleaned, errors)``: the valid fields cleaned, and what is wrong with the others (the
    services add the name's uniqueness; the live preview shows what it can while a person is
    still typing). With ``partial`` (an update) only the given fields are checked; otherwise
    required fields must be present and the rest get their defaults."""
    cleaned: dict[str, Any] = {}
    errors = FieldErrors()
    for key in data:
        if key not in CLEANERS:
            errors.add(key, f"Unknown field “{key}”.")
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
        value = errors.clean(key, clean, value)
        if key not in errors:
            cleaned[key] = value
    return cleaned, errors


def clean_preset_input(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """The cleaned input (see ``check_preset_input``), or ``InvalidInput`` naming every field
    at fault."""
    cleaned, errors = check_preset_input(data, partial=partial)
    errors.raise_if_any()
    return cleaned
