from django.shortcuts import render
from django.views.decorators.http import require_GET

from bakedbot.tenancy import tenant_member_required


@require_GET
@tenant_member_required
def gallery(request):
    return render(request, "presets/gallery.html", {"tenant": request.tenant})
