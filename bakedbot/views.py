from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from bakedbot.navigation import sidebar_sections


@require_GET
def home(request):
    return redirect("dashboard")


@require_GET
@login_required
def dashboard(request):
    return render(request, "dashboard/home.html", {"sections": sidebar_sections(request)})
