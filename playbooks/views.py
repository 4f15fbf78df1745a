from django.shortcuts import render
from django.views.decorators.http import require_GET

from bakedbot.tenancy import super_admin_required, tenant_member_required


@require_GET
@tenant_member_required
def playbook_list(request):
    return render(request, "playbooks/list.html", {"tenant": request.tenant})


@require_GET
@super_admin_required
def ceo_library(request):
    return render(request, "playbooks/ceo_library.html")
