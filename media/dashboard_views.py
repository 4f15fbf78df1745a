"""``/dashboard/media``: the tenant's budgets, spend and alerts. Owners edit the budget; members
read it. Every action works as a plain form post and, with HTMX, swaps only its own panel."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from bakedbot.errors import InvalidInput
from bakedbot.tenancy import (
    can_manage_tenant,
    tenant_member_required,
    tenant_owner_required,
    tenant_url,
)
from costs.budget_selectors import (
    count_unacknowledged_alerts,
    get_media_cost_alerts,
)
from costs.budgets import (
    acknowledge_cost_alert,
    budget_limits_below_spend,
    raise_budget_alerts,
    update_media_budget,
)
from media.dashboard import (
    ALERTS_SHOWN,
    budget_form_fields,
    budget_form_values,
    budget_updates_from_form,
    get_budget_panel,
    get_media_dashboard,
)

TEMPLATE = "media/dashboard.html"


def _budget_form(values: dict[str, object], errors: dict[str, str] | None = None) -> dict:
    errors = errors or {}
    return {
        "form_values": values,
        "form_errors": errors,
        "form_fields": budget_form_fields(values, errors),
    }


def _context(request: HttpRequest, **overrides) -> dict:
    dashboard = get_media_dashboard(request.tenant.pk)
    return {
        "tenant": request.tenant,
        "dashboard": dashboard,
        "status": dashboard.status,
        "costs_unavailable": dashboard.unavailable,
        "alerts": dashboard.alerts,
        "unacknowledged_alerts": dashboard.unacknowledged_alerts,
        "can_edit": can_manage_tenant(request),
        **_budget_form(budget_form_values(dashboard.config)),
        **overrides,
    }


@require_GET
@tenant_member_required
def media_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATE, _context(request))


@require_POST
@tenant_owner_required
def media_budget_update(request: HttpRequest) -> HttpResponse:
    updates = budget_updates_from_form(request.POST)
    below = budget_limits_below_spend(request.tenant.pk, updates)
    if below and request.POST.get("confirm_below_spend") != "yes":
        # Asked first: a limit below what is already spent stops paid generations at once.
        form = {**_budget_form(updates), "below_spend": below}
        if not request.htmx:
            return render(request, TEMPLATE, _context(request, **form), status=409)
        return _budget_panel(request, form, saved=False)
    try:
        update_media_budget(request.tenant.pk, updates, updated_by=request.user)
    except InvalidInput as exc:
        form = _budget_form(updates, exc.errors)
        if not request.htmx:
            return render(request, TEMPLATE, _context(request, **form), status=400)
        return _budget_panel(request, form, saved=False)
    if below:
        # The limit is passed already: its alert (and the owners' bell) says so now, not at the
        # next generation.
        raise_budget_alerts(tenant_id=request.tenant.pk)
    if not request.htmx:
        messages.success(request, "Budget saved.")
        return redirect(tenant_url(request, "media:dashboard"))
    return _budget_panel(request, None, saved=True)


def _budget_panel(request: HttpRequest, form: dict | None, *, saved: bool) -> HttpResponse:
    """The budget panel alone, for HTMX: the new limits move the progress bars too. ``form``
    None shows the settings as saved."""
    panel = get_budget_panel(request.tenant.pk)
    form = form or _budget_form(budget_form_values(panel.config))
    context = {
        "tenant": request.tenant,
        "status": panel.status,
        "costs_unavailable": panel.unavailable,
        "can_edit": True,
        "saved": saved,
        **form,
    }
    return render(request, f"{TEMPLATE}#budget-panel", context)


@require_POST
@tenant_member_required
def media_alert_acknowledge(request: HttpRequest, alert_id: str) -> HttpResponse:
    if (
        acknowledge_cost_alert(tenant_id=request.tenant.pk, alert_id=alert_id, user=request.user)
        is None
    ):
        raise Http404("No such alert")
    if not request.htmx:
        messages.success(request, "Alert acknowledged.")
        return redirect(tenant_url(request, "media:dashboard"))
    context = {
        "tenant": request.tenant,
        "alerts": get_media_cost_alerts(request.tenant.pk, limit=ALERTS_SHOWN),
        "unacknowledged_alerts": count_unacknowledged_alerts(request.tenant.pk),
    }
    return render(request, f"{TEMPLATE}#alerts-panel", context)
