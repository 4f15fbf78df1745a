"""Field rules written once: cleaners that every app's services (and Django forms, as validators)
share. Each takes a raw value (form text or JSON) and returns the clean value, or raises
``ValueError`` with a message for a person; ``FieldErrors.clean`` puts that message under the field.

They refuse what would crash later: digits that are not ASCII (``²``, ``①`` pass ``str.isdigit``
but not ``int``), numbers past a documented range, floats for money, non-finite decimals.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

INT64_MAX = 2**63 - 1
# Longest numeric text accepted: longer than any allowed value, short enough to parse cheaply.
NUMBER_MAX_CHARS = 30


def _named(label: str, message: str) -> str:
    """A message said of a labelled field: ``"Must be text."`` -> ``"Name must be text."``,
    ``"At most 80 characters."`` -> ``"Name must be at most 80 characters."``."""
    if not label:
        return message
    if message.startswith("This field "):
        return f"{label} {message.removeprefix('This field ')}"
    for plain, predicate in _PREDICATES:
        if message.startswith(plain):
            return f"{label} {predicate}{message.removeprefix(plain)}"
    if message.startswith(("Must ", "Cannot ")):
        return f"{label} {message[0].lower()}{message[1:]}"
    return f"{label}: {message}"


# How a field's own message reads when the field is named in front of it.
_PREDICATES = (
    ("At most ", "must be at most "),
    ("Enter a number.", "must be a number."),
    ("Enter a date ", "must be a date "),
    ("Send a decimal string", "must be a decimal string"),
    ("Use at most ", "must have at most "),
)


def is_ascii_digits(text: str) -> bool:
    """``"12"`` yes; ``"²"``, ``"①"``, ``"١٢"`` and ``""`` no (``str.isdigit`` says yes to some)."""
    return bool(text) and text.isascii() and text.isdigit()


def clean_text(
    value: Any, *, max_length: int, required: bool = False, label: str = "", strip: bool = True
) -> str:
    """Text of at most ``max_length`` characters (None is empty)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(_named(label, "Must be text."))
    text = value.strip() if strip else value
    if required and not text.strip():
        raise ValueError(_named(label, "This field is required."))
    if len(text) > max_length:
        raise ValueError(_named(label, f"At most {max_length:,} characters ({len(text):,} given)."))
    return text


def clean_whole_number(
    value: Any, *, minimum: int = 0, maximum: int = INT64_MAX, label: str = ""
) -> int:
    """A whole number from an int or ASCII digits (``1,200`` allowed), within the range."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(_named(label, "Must be a whole number."))
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise ValueError(_named(label, "This field is required."))
        negative = text.startswith("-")
        digits = text[1:] if negative else text
        if len(digits) > NUMBER_MAX_CHARS or not is_ascii_digits(digits):
            raise ValueError(_named(label, "Must be a whole number."))
        value = -int(digits) if negative else int(digits)
    if value < minimum:
        if minimum == 0:
            raise ValueError(_named(label, "Cannot be negative."))
        raise ValueError(_named(label, f"Must be at least {minimum:,}."))
    if value > maximum:
        raise ValueError(_named(label, f"Must be at most {maximum:,}."))
    return value


def clean_decimal(
    value: Any,
    *,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    places: int | None = None,
    label: str = "",
) -> Decimal:
    """A finite decimal from text, an int or a ``Decimal`` (never a float), within the range and
    with at most ``places`` decimal places."""
    if isinstance(value, bool | float):
        raise ValueError(_named(label, "Send a decimal string, not a float."))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError(_named(label, "This field is required."))
        if len(text) > NUMBER_MAX_CHARS or not text.isascii():
            raise ValueError(_named(label, "Enter a number."))
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(_named(label, "Enter a number.")) from None
    if isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(_named(label, "Enter a number."))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        low = "" if minimum is None else f"{minimum}"
        high = "" if maximum is None else f"{maximum}"
        if minimum is not None and maximum is not None:
            raise ValueError(_named(label, f"Must be between {low} and {high}."))
        if minimum is not None:
            raise ValueError(_named(label, f"Must be at least {low}."))
        raise ValueError(_named(label, f"Must be at most {high}."))
    if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(_named(label, f"Use at most {places} decimal places."))
    return value


# The most money one field takes: a billion dollars, well inside what micro-dollars hold in a
# 64-bit integer (about $9.2 trillion).
DOLLARS_MAX = Decimal("999999999.99")
MICRO_PLACES = 6


def clean_dollars(value: Any, *, maximum: Decimal = DOLLARS_MAX, label: str = "") -> Decimal:
    """An amount of US dollars, as people type it (``12.50``, ``$1,250.50``) or a ``Decimal`` /
    int: finite, not negative, at most ``maximum``, no finer than a micro-dollar (six places).
    Never a float."""
    if isinstance(value, bool | float):
        raise ValueError(
            _named(label, "Send the amount as a decimal string such as 12.50, not a float.")
        )
    if isinstance(value, str):
        text = value.strip().removeprefix("$").replace(",", "")
        if not value.strip():
            raise ValueError(_named(label, "This field is required."))
        if len(text) > NUMBER_MAX_CHARS or not text.isascii():
            raise ValueError(_named(label, "Enter an amount in dollars, such as 12.50."))
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(_named(label, "Enter an amount in dollars, such as 12.50.")) from None
    if isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(_named(label, "Enter an amount in dollars, such as 12.50."))
    if value < 0:
        raise ValueError(_named(label, "Cannot be negative."))
    if value > maximum:
        raise ValueError(_named(label, f"Must be at most ${maximum:,}."))
    if value != value.quantize(Decimal(1).scaleb(-MICRO_PLACES)):
        raise ValueError(
            _named(label, f"Enter an amount in dollars with at most {MICRO_PLACES} decimal places.")
        )
    return value


TRUE_WORDS = frozenset({"true", "on", "1", "yes"})
FALSE_WORDS = frozenset({"false", "off", "0", "no", ""})


def clean_flag(value: Any, *, label: str = "", strict: bool = False) -> bool:
    """A yes/no: a bool, or (unless ``strict``, as for JSON) a form's on/off words."""
    if isinstance(value, bool):
        return value
    if not strict and isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise ValueError(_named(label, "Must be true or false."))


def clean_date(value: Any, *, label: str = "") -> datetime.date:
    """A calendar date as ``YYYY-MM-DD`` (or a ``date``)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if len(text) == 10 and text.isascii():
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(_named(label, "Enter a date as YYYY-MM-DD."))


def clean_choice(value: Any, choices: Iterable[str], *, label: str = "") -> str:
    """One of ``choices``."""
    options = tuple(choices)
    if isinstance(value, str) and value in options:
        return value
    raise ValueError(_named(label, f"Must be one of: {', '.join(options)}."))
