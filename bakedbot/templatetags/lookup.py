"""``{% load lookup %}``: ``mapping|get_field:key`` reads a dict entry whose key is in a variable
(Django's templates only look up literal names), "" when it is missing."""

from django import template

register = template.Library()


@register.filter
def get_field(mapping, key):
    return mapping.get(key, "") if mapping else ""
