"""Money in one place: integer micro-dollars in storage, ``Decimal`` in code, strings for people.

$0.625 is stored as 625000. Floats are refused everywhere: they cannot hold most cent values.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MICROS_PER_DOLLAR = 1_000_000
_MICRO = Decimal("0.000001")
_FOUR_PLACES = Decimal("0.0001")


def to_decimal(amount: Decimal | int | str) -> Decimal:
    """A dollar amount as ``Decimal``; ints and numeric strings are accepted, floats are not."""
    if isinstance(amount, bool | float):
        raise TypeError(f"money must be a Decimal, int or string, not {type(amount).__name__}")
    if isinstance(amount, Decimal):
        return amount
    try:
        return Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money") from None


def micros_to_decimal(micros: int) -> Decimal:
    """Micro-dollars to dollars, exactly: 625000 -> Decimal('0.625000')."""
    if isinstance(micros, bool) or not isinstance(micros, int):
        raise TypeError(f"micros must be an int, not {type(micros).__name__}")
    return Decimal(micros).scaleb(-6)


def decimal_to_micros(amount: Decimal | int | str) -> int:
    """Dollars to micro-dollars; an amount finer than a micro-dollar is an error, not rounded."""
    value = to_decimal(amount)
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not a finite amount of money")
    micros = value * MICROS_PER_DOLLAR
    if micros != micros.to_integral_value():
        raise ValueError(f"{amount!r} has more than six decimal places")
    return int(micros)


def format_usd(amount: Decimal | int | str) -> str:
    """``$1,234.50``, ``$0.625``, ``-$0.0125``: two decimals, up to four when they matter."""
    value = to_decimal(amount).quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.4f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return f"{sign}${whole}.{fraction}"


def format_cents(amount: Decimal | int | str) -> str:
    """A total to the cent, half up: ``$476.39`` for 476.385 (``format_usd`` keeps a unit price's
    sub-cent digits: ``$0.625``)."""
    value = to_decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def format_micros(micros: int) -> str:
    """``format_usd`` for an amount stored in micro-dollars."""
    return format_usd(micros_to_decimal(micros))


def dollars(micros: int) -> str:
    """Micro-dollars as a plain decimal string of dollars, exact, at least to the cent:
    ``625000`` -> ``"0.625"``, ``12500000`` -> ``"12.50"`` (the API's and JSON results' form)."""
    whole, _, fraction = f"{micros_to_decimal(micros):f}".partition(".")
    return f"{whole}.{fraction.rstrip('0').ljust(2, '0')}"
