from django.shortcuts import render
from django.views.decorators.http import require_GET

from bakedbot.tenancy import tenant_member_required, tenant_or_super_admin_required


@require_GET
@tenant_member_required
def media_dashboard(request):
    return render(request, "media/dashboard.html", {"tenant": request.tenant})


@require_GET
@tenant_or_super_admin_required
def creative_center(request):
    return render(request, "media/creative.html", {"tenant": request.tenant})
