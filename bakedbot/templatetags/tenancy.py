"""Links that keep the tenant a super admin is acting for.

``{% tenant_url 'presets:edit' preset.id tag='x' %}`` reverses a URL, adds keyword arguments as the
query string and, when a super admin is acting for a tenant (``?tenant=``), keeps that tenant in
the link so that following it (or posting to it) stays in the same organisation.
``{% tenant_field %}`` is the same for GET forms, whose action query string browsers drop.
"""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from bakedbot.tenancy import is_super_admin

register = template.Library()


def _acting_tenant(context) -> str:
    request = context.get("request")
    if request is None or not is_super_admin(request.user):
        return ""
    return request.GET.get("tenant", "").strip()


@register.simple_tag(takes_context=True)
def tenant_url(context, name: str, *args, **query) -> str:
    params = {key: value for key, value in query.items() if value not in ("", None)}
    if tenant := _acting_tenant(context):
        params["tenant"] = tenant
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params)}" if params else url


@register.simple_tag(takes_context=True)
def tenant_field(context) -> str:
    if tenant := _acting_tenant(context):
        return format_html('<input type="hidden" name="tenant" value="{}">', tenant)
    return ""
