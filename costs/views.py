from django.shortcuts import render
from django.views.decorators.http import require_GET

from bakedbot.tenancy import super_admin_required


@require_GET
@super_admin_required
def ceo(request):
    return render(request, "costs/ceo.html", {"tab": request.GET.get("tab", "costs")})
