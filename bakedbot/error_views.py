"""The error pages people see: 403 and 404 inside the dashboard shell (``templates/403.html`` and
``404.html``, which Django's own handlers render with the request, so the shell's context runs),
and the 500 page here, because Django renders ``500.html`` without the request. The shell reads
the database (the sidebar, the bell), which may be what just failed: if it cannot be drawn the
same page is drawn without it."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

logger = logging.getLogger(__name__)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        body = loader.render_to_string("500.html", {"shell": "dashboard/shell.html"}, request)
    except Exception:  # the shell's own reads failed: the page without them
        logger.warning("500 page drawn without the dashboard shell", exc_info=True)
        body = loader.render_to_string("500.html", {})
    return HttpResponseServerError(body)


class ExpectedErrorsWithoutTraceback(logging.Filter):
    """Django logs every 403 with the PermissionDenied's traceback. A 403 or 404 is an expected
    answer (a member opening an owner's page), not a fault: its one warning line stays, its
    traceback goes. A 5xx keeps everything."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) in (403, 404) and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
