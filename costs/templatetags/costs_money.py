"""Dollar filters for templates: ``{% load costs_money %}`` then ``{{ amount|dollars }}`` for a
``Decimal`` (or numeric string; a unit price keeps its sub-cent digits), ``{{ total|cents }}`` for
a total shown to the cent, and ``{{ row.cost_micros|micros_dollars }}`` for micro-dollars."""

from django import template

from costs.money import format_cents, format_micros, format_usd, to_decimal

register = template.Library()


@register.filter
def dollars(value) -> str:
    if value is None or value == "":
        return ""
    return format_usd(value)


@register.filter
def cents(value) -> str:
    if value is None or value == "":
        return ""
    return format_cents(value)


@register.filter
def micros_dollars(value) -> str:
    if value is None or value == "":
        return ""
    return format_micros(int(value))


@register.filter
def percent(value) -> str:
    """A fraction as a percentage with one decimal: ``0.955`` -> ``95.5%``."""
    if value is None or value == "":
        return ""
    return f"{to_decimal(value) * 100:.1f}%"


@register.filter
def signed_percent(value) -> str:
    """A relative change: ``0.125`` -> ``+12.5%``; None -> an em dash (nothing to compare)."""
    if value is None or value == "":
        return "—"
    amount = to_decimal(value) * 100
    return f"{'+' if amount > 0 else ''}{amount:.1f}%"
