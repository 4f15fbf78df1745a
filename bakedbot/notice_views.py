"""The bell in the header and the notifications page. Every signed-in person has their own
notices; another person's notice id is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from bakedbot.notices import PAGE_SIZE, get_bell, notice_mark_read, notices_mark_all_read

TEMPLATE = "dashboard/notifications.html"


def _back(request: HttpRequest, fallback: str) -> str:
    """Where to go after a POST: the notice's own page or the page the bell was on (same site
    only), else ``fallback``."""
    target = request.POST.get("next", "")
    # A path on this site: anything else (``²``, ``notifications``) would be taken by redirect()
    # for a URL name to reverse, and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _bell(request: HttpRequest) -> HttpResponse:
    return render(request, "components/bell.html", {"bell": get_bell(user=request.user)})


@require_GET
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """The whole page (and the bell's link without JavaScript); the bell itself for HTMX."""
    if request.htmx and not request.htmx.history_restore_request:
        return _bell(request)
    return render(request, TEMPLATE, {"bell": get_bell(user=request.user, limit=PAGE_SIZE)})


@require_POST
@login_required
def notification_read(request: HttpRequest, notice_id: str) -> HttpResponse:
    """Mark a notice read, then open what it is about (or go back)."""
    notice = notice_mark_read(user=request.user, notice_id=notice_id)
    if notice is None:
        raise Http404("No such notification")
    if request.htmx and "next" not in request.POST:
        return _bell(request)
    return redirect(_back(request, notice.link or "notifications"))


@require_POST
@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notices_mark_all_read(user=request.user)
    if request.htmx:
        return _bell(request)
    return redirect(_back(request, "notifications"))
