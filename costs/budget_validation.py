"""Validation of budget settings: turns user input (form strings or typed values) into clean
settings, or ``InvalidInput`` naming every bad field. Pure: no database, so the rules are tested on
their own and nothing is saved unless every field is valid. Switches, percentages and the parsing
of amounts are the shared ``bakedbot.validation`` rules, said in the budget form's words."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from bakedbot.errors import FieldErrors
from bakedbot.validation import (
    NUMBER_MAX_CHARS,
    clean_decimal,
    clean_flag,
    clean_whole_number,
)
from costs.money import decimal_to_micros, format_micros
from costs.periods import BudgetPeriod

MAX_LIMIT = Decimal("1000000")
MAX_RECIPIENTS = 20
DEFAULT_SOFT_THRESHOLD_PERCENT = 80

LIMIT_FIELDS: dict[str, BudgetPeriod] = {
    "daily_limit": BudgetPeriod.DAY,
    "weekly_limit": BudgetPeriod.WEEK,
    "monthly_limit": BudgetPeriod.MONTH,
}
FIELDS = (*LIMIT_FIELDS, "soft_threshold_percent", "hard_limit_enabled", "alert_recipients")
LABELS = {
    "daily_limit": "Daily limit",
    "weekly_limit": "Weekly limit",
    "monthly_limit": "Monthly limit",
    "soft_threshold_percent": "Warning threshold",
    "hard_limit_enabled": "Hard limit",
    "alert_recipients": "Alert recipients",
}

# ASCII digits only: ``\d`` would accept other scripts' digits, and Decimal() alone would accept
# "NaN", "Infinity", "1e3" and "1_000".
_AMOUNT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


@dataclass(frozen=True)
class BudgetSettings:
    """A tenant's budget configuration as stored (limits in micro-dollars; None = no limit)."""

    daily_limit_micros: int | None = None
    weekly_limit_micros: int | None = None
    monthly_limit_micros: int | None = None
    soft_threshold_percent: int = DEFAULT_SOFT_THRESHOLD_PERCENT
    hard_limit_enabled: bool = True
    alert_recipients: tuple[str, ...] = ()

    def limit_micros(self, period: BudgetPeriod) -> int | None:
        return getattr(self, f"{period.adjective}_limit_micros")


PLAIN_NUMBER = "Enter a plain number like 25 or 25.50."
MAX_LIMIT_MESSAGE = "Must be at most $1,000,000."
PERCENT = "Enter a whole number from 1 to 100."


def _clean_limit(value: object) -> int | None:
    """A limit in dollars -> micro-dollars (None: no limit). Stricter than money elsewhere: a
    plain number (no symbols, separators or exponents), whole cents, at most $1,000,000."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | float):
        # Money never travels as a float; a bool is not an amount.
        raise ValueError("Enter the amount as text or a Decimal, like 25 or 25.50.")
    if isinstance(value, str):
        text = value.strip()
        if len(text) > NUMBER_MAX_CHARS or not _AMOUNT.fullmatch(text):
            raise ValueError("Enter a plain number like 25 or 25.50 (no symbols or exponents).")
        whole = text.lstrip("-").split(".")[0].lstrip("0")
        if len(whole) > len(str(int(MAX_LIMIT))):
            # A plain number, only far too large or small (99999999999999999999999): say so.
            raise ValueError("Must be 0 or more." if text.startswith("-") else MAX_LIMIT_MESSAGE)
        value = text
    elif not isinstance(value, int | Decimal):
        raise ValueError(PLAIN_NUMBER)
    try:
        amount = clean_decimal(value)
    except ValueError:
        raise ValueError(PLAIN_NUMBER) from None
    if amount < 0:
        raise ValueError("Must be 0 or more.")
    if amount > MAX_LIMIT:
        raise ValueError(MAX_LIMIT_MESSAGE)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("Use at most 2 decimal places (whole cents).")
    return decimal_to_micros(amount)


def _clean_percent(value: object) -> int:
    if isinstance(value, str) and len(value.strip()) > 3:
        raise ValueError(PERCENT)
    try:
        return clean_whole_number(value, minimum=1, maximum=100)
    except ValueError:
        raise ValueError(PERCENT) from None


def _clean_switch(value: object) -> bool:
    try:
        return clean_flag(value)
    except ValueError:
        raise ValueError("Must be on or off.") from None


def _clean_recipients(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        candidates: Iterable[object] = re.split(r"[\s,;]+", value)
    elif isinstance(value, list | tuple):
        candidates = value
    else:
        raise ValueError("Enter e-mail addresses separated by commas or new lines.")
    recipients: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        if not isinstance(candidate, str):
            raise ValueError("Enter e-mail addresses separated by commas or new lines.")
        address = candidate.strip()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            invalid.append(address)
            continue
        if address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(address)
    if invalid:
        shown = ", ".join(invalid[:5]) + (" …" if len(invalid) > 5 else "")
        raise ValueError(f"Not a valid e-mail address: {shown}")
    if len(recipients) > MAX_RECIPIENTS:
        raise ValueError(f"At most {MAX_RECIPIENTS} recipients.")
    return tuple(recipients)


_CLEANERS = {
    "daily_limit": _clean_limit,
    "weekly_limit": _clean_limit,
    "monthly_limit": _clean_limit,
    "soft_threshold_percent": _clean_percent,
    "hard_limit_enabled": _clean_switch,
    "alert_recipients": _clean_recipients,
}


def _order_errors(settings: BudgetSettings, updated: set[str]) -> dict[str, str]:
    """daily <= weekly <= monthly where both are set; the error goes on the field that changed."""
    errors: dict[str, str] = {}
    fields = list(LIMIT_FIELDS)
    for i, shorter in enumerate(fields):
        for longer in fields[i + 1 :]:
            small = getattr(settings, f"{shorter}_micros")
            large = getattr(settings, f"{longer}_micros")
            if small is None or large is None or small <= large:
                continue
            message = (
                f"{LABELS[shorter]} ({format_micros(small)}) can't be more than the "
                f"{LABELS[longer].lower()} ({format_micros(large)})."
            )
            field = shorter if shorter in updated or longer not in updated else longer
            errors.setdefault(field, message)
    return errors


def clean_budget_updates(updates: Mapping[str, object], current: BudgetSettings) -> BudgetSettings:
    """``current`` with ``updates`` (a partial mapping of FIELDS) applied, or ``InvalidInput``
    with an error for every bad field (then nothing may be saved).

    Limits are dollars (strings like "25.50", ints or Decimals; empty or None removes the limit),
    the threshold a whole percent, recipients a list or a comma/line-separated string of
    addresses.
    """
    errors = FieldErrors()
    changes: dict[str, object] = {}
    for field, value in updates.items():
        cleaner = _CLEANERS.get(field)
        if cleaner is None:
            errors.add(field, f"Unknown budget setting “{field}”.")
            continue
        cleaned_value = errors.clean(field, cleaner, value)
        if field not in errors:
            changes[f"{field}_micros" if field in LIMIT_FIELDS else field] = cleaned_value
    cleaned = replace(current, **changes)
    if not any(field in errors for field in LIMIT_FIELDS):
        # A form posts every field: the ones whose value changed are the ones being edited.
        changed = {
            field
            for field in LIMIT_FIELDS
            if getattr(cleaned, f"{field}_micros") != getattr(current, f"{field}_micros")
        }
        for field, message in _order_errors(cleaned, changed).items():
            errors.add(field, message)
    errors.raise_if_any()
    return cleaned
