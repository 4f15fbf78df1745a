from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bakedbot.api_tokens import create_api_token, get_api_tokens, revoke_api_token
from bakedbot.errors import InvalidInput
from bakedbot.home import home_panels
from bakedbot.models import Organisation
from bakedbot.navigation import organisation_pages, sidebar_sections, switch_target
from bakedbot.selectors import search_organisations
from bakedbot.tenancy import (
    OrganisationRequired,
    can_manage_tenant,
    get_current_tenant,
    is_super_admin,
    super_admin_required,
    tenant_url,
)


@require_GET
def home(request):
    if request.user.is_authenticated:
        # Another organisation's ``?tenant=`` is a 404 here as on every page; a super admin's
        # choice goes on to the dashboard.
        request.tenant = get_current_tenant(request)
        return redirect(tenant_url(request, "dashboard"))
    return redirect("dashboard")


@require_GET
@login_required
def dashboard(request):
    request.tenant = get_current_tenant(request)  # another organisation's ?tenant=: 404
    context = {"sections": sidebar_sections(request)}
    if is_super_admin(request.user):
        # The platform at a glance: each app contributes its panel (bakedbot.home).
        context["panels"] = home_panels(request)
    return render(request, "dashboard/home.html", context)


# -- the organisation switcher (super admins) ----------------------------------------------------


@require_GET
@super_admin_required
def organisations(request):
    """Organisations matching ``q``, each linking to the page ``next`` names for it (the header's
    switcher; the whole page without JavaScript, the result list for HTMX)."""
    query = request.GET.get("q", "").strip()[:100]
    target = switch_target(request.GET.get("next", ""))
    results = [
        (organisation, organisation_pages(organisation.id, current=target))
        for organisation in search_organisations(query)
    ]
    context = {"q": query, "next": target, "results": results}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "dashboard/organisations.html#results", context)
    return render(request, "dashboard/organisations.html", context)


def permission_denied(request, exception=None):
    """403: a super admin who opened an organisation's page without naming one is offered the
    organisations to open it for (still 403: the page itself was not shown)."""
    if isinstance(exception, OrganisationRequired) and is_super_admin(request.user):
        target = switch_target(request.path)
        results = [
            (organisation, organisation_pages(organisation.id, current=target))
            for organisation in search_organisations("")
        ]
        context = {"q": "", "next": target, "results": results, "required": True}
        return render(request, "dashboard/organisations.html", context, status=403)
    return defaults.permission_denied(request, exception)


# -- API tokens ------------------------------------------------------------------------------


def _token_scope(request) -> Organisation | None:
    """The organisation whose tokens this request manages; None: the platform tokens (a super
    admin who names no tenant). Owners manage their own organisation's; members may not."""
    if is_super_admin(request.user) and not request.GET.get("tenant", "").strip():
        return None
    tenant = get_current_tenant(request)  # another tenant's id: 404
    if tenant is None or not can_manage_tenant(request):
        raise PermissionDenied("Organisation owners manage API tokens")
    return tenant


def _token_page(request, scope, *, status=200, new_token=None, secret=None, errors=None, name=""):
    context = {
        "scope": scope,
        "tokens": get_api_tokens(scope),
        "new_token": new_token,
        "secret": secret,
        "errors": errors or {},
        "name": name,
    }
    response = render(request, "bakedbot/api_tokens.html", context, status=status)
    if secret:
        # The secret is in this page only: keep it out of every cache.
        add_never_cache_headers(response)
        response["Cache-Control"] += ", no-store"
    return response


# The secret of a token just made waits in the session for the page the POST redirects to, which
# shows it once: reloading that page shows the list, never makes a second token.
NEW_TOKEN_SESSION_KEY = "bakedbot.new_api_token"


@require_http_methods(["GET", "POST"])
@login_required
def api_tokens(request):
    """List the tokens; POST makes one and redirects to the list showing its secret, once."""
    scope = _token_scope(request)
    if request.method == "GET":
        new_token, secret = None, None
        shown = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
        if shown is not None:
            tokens = get_api_tokens(scope)
            new_token = next((t for t in tokens if str(t.pk) == shown["id"]), None)
            secret = shown["secret"] if new_token is not None else None
        return _token_page(request, scope, new_token=new_token, secret=secret)
    name = request.POST.get("name", "")
    try:
        made = create_api_token(
            tenant=scope, name=name, created_by=request.user, platform=scope is None
        )
    except InvalidInput as exc:
        return _token_page(request, scope, status=400, errors=exc.errors, name=name)
    request.session[NEW_TOKEN_SESSION_KEY] = {"id": str(made.token.pk), "secret": made.secret}
    return redirect(tenant_url(request, "api_tokens"))


@require_POST
@login_required
def api_token_revoke(request, token_id: str):
    scope = _token_scope(request)
    token = revoke_api_token(tenant=scope, token_id=token_id)
    if token is None:
        raise Http404("No such token")
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect(tenant_url(request, "api_tokens"))
