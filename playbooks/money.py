"""Prices the playbooks read from outside sources and write into step results (as strings of
dollars and cents, so a JSON result never holds a float). Conversions are ``costs.money``'s."""

from decimal import ROUND_HALF_UP, Decimal

from costs.money import decimal_to_micros, micros_to_decimal

CENT = Decimal("0.01")


def dollars(micros: int) -> str:
    """“12.50”."""
    return str(micros_to_decimal(micros).quantize(CENT, rounding=ROUND_HALF_UP))


def price_micros(value: object) -> int:
    """A price from JSON (a decimal string, or a number), to the cent, in micro-dollars;
    ``ValueError`` when it is not a non-negative amount."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{value!r} is not an amount")
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{value!r} is not an amount")
    return decimal_to_micros(amount.quantize(CENT, rounding=ROUND_HALF_UP))
