from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bakedbot.api_tokens import create_api_token, get_api_tokens, revoke_api_token
from bakedbot.errors import InvalidInput
from bakedbot.models import Organisation
from bakedbot.navigation import sidebar_sections
from bakedbot.tenancy import can_manage_tenant, get_current_tenant, is_super_admin, tenant_url


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
    return render(request, "dashboard/home.html", {"sections": sidebar_sections(request)})


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


@require_http_methods(["GET", "POST"])
@login_required
def api_tokens(request):
    """List the tokens; POST makes one and shows its secret, once."""
    scope = _token_scope(request)
    if request.method == "GET":
        return _token_page(request, scope)
    name = request.POST.get("name", "")
    try:
        made = create_api_token(
            tenant=scope, name=name, created_by=request.user, platform=scope is None
        )
    except InvalidInput as exc:
        return _token_page(request, scope, status=400, errors=exc.errors, name=name)
    return _token_page(request, scope, status=201, new_token=made.token, secret=made.secret)


@require_POST
@login_required
def api_token_revoke(request, token_id: str):
    scope = _token_scope(request)
    token = revoke_api_token(tenant=scope, token_id=token_id)
    if token is None:
        raise Http404("No such token")
    messages.success(request, f"Token “{token.name}” revoked: it no longer works.")
    return redirect(tenant_url(request, "api_tokens"))
