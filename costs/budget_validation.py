"""Validation of budget settings: turns user input (form strings or typed values) into clean values
plus field errors. Pure: no database, so the rules are tested on their own and nothing is saved
unless every field is valid."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

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
_WHOLE = re.compile(r"[0-9]{1,3}")
_TRUE = {"true", "on", "1", "yes"}
_FALSE = {"false", "off", "0", "no", ""}


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


class _FieldError(Exception):
    pass


def _parse_amount(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool | float):
        # Money never travels as a float; a bool is not an amount.
        raise _FieldError("Enter the amount as text or a Decimal, like 25 or 25.50.")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise _FieldError("Enter a plain number like 25 or 25.50.")
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) > 20 or not _AMOUNT.fullmatch(text):
            raise _FieldError("Enter a plain number like 25 or 25.50 (no symbols or exponents).")
        try:
            amount = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
            raise _FieldError("Enter a plain number like 25 or 25.50.") from None
    else:
        raise _FieldError("Enter a plain number like 25 or 25.50.")
    if amount < 0:
        raise _FieldError("Must be 0 or more.")
    if amount > MAX_LIMIT:
        raise _FieldError("Must be at most $1,000,000.")
    if amount != amount.quantize(Decimal("0.01")):
        raise _FieldError("Use at most 2 decimal places (whole cents).")
    return decimal_to_micros(amount)


def _parse_percent(value: object) -> int:
    if isinstance(value, bool | float):
        raise _FieldError("Enter a whole number from 1 to 100.")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise _FieldError("Enter a whole number from 1 to 100.")
    if not 1 <= number <= 100:
        raise _FieldError("Enter a whole number from 1 to 100.")
    return number


def _parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _FieldError("Must be on or off.")


def _parse_recipients(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        candidates: Iterable[object] = re.split(r"[\s,;]+", value)
    elif isinstance(value, list | tuple):
        candidates = value
    else:
        raise _FieldError("Enter e-mail addresses separated by commas or new lines.")
    recipients: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for candidate in candidates:
        if not isinstance(candidate, str):
            raise _FieldError("Enter e-mail addresses separated by commas or new lines.")
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
        raise _FieldError(f"Not a valid e-mail address: {shown}")
    if len(recipients) > MAX_RECIPIENTS:
        raise _FieldError(f"At most {MAX_RECIPIENTS} recipients.")
    return tuple(recipients)


_PARSERS = {
    "daily_limit": _parse_amount,
    "weekly_limit": _parse_amount,
    "monthly_limit": _parse_amount,
    "soft_threshold_percent": _parse_percent,
    "hard_limit_enabled": _parse_bool,
    "alert_recipients": _parse_recipients,
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


def clean_budget_updates(
    updates: Mapping[str, object], current: BudgetSettings
) -> tuple[BudgetSettings, dict[str, str]]:
    """Apply ``updates`` (a partial mapping of FIELDS) to ``current``.

    Returns the new settings and a dict of field errors; when the dict is not empty the settings
    must not be saved. Limits are dollars (strings like "25.50", ints or Decimals; empty or None
    removes the limit), the threshold a whole percent, recipients a list or a comma/line-separated
    string of addresses.
    """
    errors: dict[str, str] = {}
    changes: dict[str, object] = {}
    for field, value in updates.items():
        parser = _PARSERS.get(field)
        if parser is None:
            errors[field] = f"Unknown budget setting “{field}”."
            continue
        try:
            parsed = parser(value)
        except _FieldError as exc:
            errors[field] = str(exc)
            continue
        changes[f"{field}_micros" if field in LIMIT_FIELDS else field] = parsed
    cleaned = replace(current, **changes)
    if not any(field in errors for field in LIMIT_FIELDS):
        # A form posts every field: the ones whose value changed are the ones being edited.
        changed = {
            field
            for field in LIMIT_FIELDS
            if getattr(cleaned, f"{field}_micros") != getattr(current, f"{field}_micros")
        }
        errors.update(_order_errors(cleaned, changed))
    return cleaned, errors
