"""Who is asking, for which tenant, in which role — and the view decorators built on that.

Super admins are Django superusers (the original system's ``super_user``); tenant users belong to
exactly one organisation through a ``Membership``. A super admin picks a tenant with
``?tenant=<id>``; a tenant user naming another tenant gets 404, the same answer as an unknown id.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse

from bakedbot.models import Membership, Organisation

SUPER_ADMIN = "super_admin"


def is_super_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def get_membership(user) -> Membership | None:
    """The user's membership, looked up once per user object (that is, once per request)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_membership_cache"):
        user._membership_cache = (
            Membership.objects.select_related("organisation").filter(user=user).first()
        )
    return user._membership_cache


def get_current_tenant(request: HttpRequest) -> Organisation | None:
    """The organisation this request acts for, or None (a super admin who picked none)."""
    if hasattr(request, "_current_tenant"):
        return request._current_tenant
    requested = request.GET.get("tenant", "").strip()
    membership = get_membership(request.user)
    tenant = membership.organisation if membership else None
    if requested and (tenant is None or requested != tenant.pk):
        if not is_super_admin(request.user):
            raise Http404("No such organisation")
        tenant = Organisation.objects.filter(pk=requested).first()
        if tenant is None:
            raise Http404("No such organisation")
    request._current_tenant = tenant
    return tenant


def get_tenant_role(request: HttpRequest) -> str | None:
    """``owner``, ``member``, ``super_admin`` (acting as platform staff) or None."""
    if is_super_admin(request.user):
        return SUPER_ADMIN
    membership = get_membership(request.user)
    return membership.role if membership else None


def can_manage_tenant(request: HttpRequest) -> bool:
    return get_tenant_role(request) in (Membership.Role.OWNER, SUPER_ADMIN)


def super_admin_required(view: Callable) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_super_admin(request.user):
            raise PermissionDenied("Super admins only")
        return view(request, *args, **kwargs)

    return wrapper


class OrganisationRequired(PermissionDenied):
    """An organisation's page opened without one: a super admin is offered the organisations
    (``bakedbot.views.permission_denied``); anyone else gets the plain 403."""


def _tenant_view(view: Callable, *, owner: bool, allow_all_tenants: bool) -> Callable:
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        tenant = get_current_tenant(request)
        if tenant is None and not (allow_all_tenants and is_super_admin(request.user)):
            raise OrganisationRequired("This page belongs to an organisation")
        if owner and not can_manage_tenant(request):
            raise PermissionDenied("Organisation owners only")
        request.tenant = tenant
        return view(request, *args, **kwargs)

    return wrapper


def tenant_member_required(view: Callable) -> Callable:
    """A member (or owner) of the current tenant; super admins with ``?tenant=``."""
    return _tenant_view(view, owner=False, allow_all_tenants=False)


def tenant_owner_required(view: Callable) -> Callable:
    """The owner of the current tenant; super admins with ``?tenant=``."""
    return _tenant_view(view, owner=True, allow_all_tenants=False)


def tenant_or_super_admin_required(view: Callable) -> Callable:
    """A tenant user for their own tenant, or a super admin across all (``request.tenant`` None)."""
    return _tenant_view(view, owner=False, allow_all_tenants=True)


def acting_tenant_id(request: HttpRequest) -> str:
    """The organisation a super admin is acting for (``?tenant=``), or "" for everyone else:
    a tenant user's links never need it."""
    if not is_super_admin(request.user):
        return ""
    tenant = getattr(request, "tenant", None)
    if tenant is not None:
        return tenant.pk
    return request.GET.get("tenant", "").strip()


def tenant_url(request: HttpRequest, name: str, *args, **query) -> str:
    """``reverse(name, args)`` with ``query`` (empty values dropped) and, for a super admin acting
    for an organisation, ``tenant=<id>``: the one rule every link, form action and redirect that
    must stay in the same organisation follows."""
    params = {key: value for key, value in query.items() if value not in ("", None)}
    # A link to another organisation's page names it (``tenant=``); every other link keeps the one
    # the super admin is acting for.
    if "tenant" not in params and (tenant := acting_tenant_id(request)):
        params["tenant"] = tenant
    url = reverse(name, args=args)
    return f"{url}?{urlencode(params)}" if params else url
