from django.shortcuts import render
from django.views.decorators.http import require_GET

from bakedbot.tenancy import tenant_member_required


@require_GET
@tenant_member_required
def test_list(request):
    return render(request, "abtests/list.html", {"tenant": request.tenant})
