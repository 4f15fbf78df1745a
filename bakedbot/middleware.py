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
