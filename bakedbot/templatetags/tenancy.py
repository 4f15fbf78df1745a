"""Links that keep the tenant a super admin is acting for.

``{% tenant_url 'presets:edit' preset.id tag='x' %}`` reverses a URL, adds keyword arguments as the
query string and, when a super admin is acting for a tenant (``?tenant=``), keeps that tenant in
the link so that following it (or posting to it) stays in the same organisation.
``{% tenant_field %}`` is the same for GET forms, whose action query string browsers drop.
"""

from django import template
from django.utils.html import format_html

from bakedbot import tenancy

register = template.Library()


@register.simple_tag(takes_context=True)
def tenant_url(context, name: str, *args, **query) -> str:
    return tenancy.tenant_url(context["request"], name, *args, **query)


@register.simple_tag(takes_context=True)
def tenant_field(context) -> str:
    if tenant := tenancy.acting_tenant_id(context["request"]):
        return format_html('<input type="hidden" name="tenant" value="{}">', tenant)
    return ""
