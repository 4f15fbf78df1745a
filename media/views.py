from django.shortcuts import render
from django.views.decorators.http import require_GET

from bakedbot.tenancy import tenant_or_super_admin_required


@require_GET
@tenant_or_super_admin_required
def creative_center(request):
    return render(request, "media/creative.html", {"tenant": request.tenant})
