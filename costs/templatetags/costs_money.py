"""Dollar filters for templates: ``{% load costs_money %}`` then ``{{ amount|dollars }}`` for a
``Decimal`` (or numeric string) and ``{{ row.cost_micros|micros_dollars }}`` for micro-dollars."""

from django import template

from costs.money import format_micros, format_usd

register = template.Library()


@register.filter
def dollars(value) -> str:
    if value is None or value == "":
        return ""
    return format_usd(value)


@register.filter
def micros_dollars(value) -> str:
    if value is None or value == "":
        return ""
    return format_micros(int(value))
