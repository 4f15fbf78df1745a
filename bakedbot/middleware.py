"""Pages meet an outage with a clear answer, not a 500: a store that did not answer in time
(``bakedbot.errors.Unavailable``) anywhere a view did not handle it becomes a 503 page saying
what is unavailable, with ``Retry-After``. Views that can show the rest of their page handle it
themselves (the CEO tab, the media dashboard, the Creative Center); the JSON API has its own
handler in ``bakedbot.api``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.html import escape

from bakedbot.errors import Unavailable
from bakedbot.tenancy import get_current_tenant, is_super_admin

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Temporarily unavailable</title></head><body><main>
<h1>Temporarily unavailable</h1><p data-testid="unavailable">{message}</p>
<p>Nothing was lost. <a href="{path}">Try again</a> in a little while.</p></main></body></html>"""


class UnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, Unavailable):
            return None
        body = PAGE.format(message=escape(exc.message), path=escape(request.get_full_path()))
        response = HttpResponse(body, status=503)
        response["Retry-After"] = str(exc.retry_after)
        return response


NUL = "\x00"
REFUSED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Not accepted</title></head><body><main>
<h1>Not accepted</h1><p data-testid="refused">{field} contains a NUL character (\\x00), which no
field accepts. Remove it and try again.</p></main></body></html>"""


def _nul_field(request: HttpRequest) -> str | None:
    """The first part of the request carrying a NUL: the path, or a field of the query string or
    of a submitted form (names included)."""
    if NUL in request.path:
        return "The address"
    for data in (request.GET, request.POST):
        for name, values in data.lists():
            if NUL in name or any(NUL in value for value in values):
                return name.replace(NUL, "") or "A field"
    return None


class RefuseNulMiddleware:
    """Text with a NUL character is refused with a 400 before any page sees it: PostgreSQL
    refuses to store or even compare such text (a 500 wherever it reached a query), no person
    types one, and Django's own form fields refuse it too. The JSON API answers bad input in its
    own envelope (``bakedbot.api``), so its paths are left to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and (field := _nul_field(request)):
            return HttpResponse(REFUSED_PAGE.format(field=escape(field)), status=400)
        return self.get_response(request)


class ForeignTenantMiddleware:
    """A tenant user naming another organisation (``?tenant=``, or one that does not exist) gets
    404 on every page, as ``bakedbot.tenancy.get_current_tenant`` rules: also on the pages that
    act for no organisation (notifications, the super admin's pages), so no page can tell an
    outsider which organisations exist. Super admins' choices are each page's to check; the JSON
    API names organisations with its own ``tenant_id``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            "tenant" in request.GET
            and request.user.is_authenticated
            and not is_super_admin(request.user)
            and not request.path.startswith("/api/")
        ):
            get_current_tenant(request)  # Http404 for another organisation
        return self.get_response(request)
