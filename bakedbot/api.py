"""The JSON API under ``/api/v1/``: one ``NinjaAPI`` with bearer-token auth, the error format,
the rate limit, and the helpers the apps' routers use to find the tenant a request may act for.

Apps own their endpoints (``costs/api.py``, ``abtests/api.py``); the root ``bakedbot/urls.py``
adds their routers to ``api``, so this module imports no feature app. Sessions never
authenticate the API: only ``Authorization: Bearer bb_...`` does, so there is no CSRF surface.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.security import HttpBearer
from pydantic import BaseModel

from bakedbot.api_tokens import RateDecision, authenticate_api_token, register_api_request
from bakedbot.errors import InvalidInput, Unavailable
from bakedbot.models import ApiToken, Organisation

logger = logging.getLogger("django.request")

DESCRIPTION = """
Costs, budgets, A/B metrics and playbook webhooks of BakedBot Media for external integrations.

**Authentication.** Every endpoint needs `Authorization: Bearer bb_…`. Organisation owners make
tenant tokens under *Dashboard → API tokens*; a tenant token sees its own organisation only.
Super admins make platform tokens there: they read the global endpoints and, with `tenant_id`,
any organisation's reads (they cannot write). Session cookies do not authenticate the API.

**Errors** are JSON: `{"error": {"code": "…", "message": "…", "fields": {"field": "problem"}}}`
— 400 `invalid` (with the fields at fault), 401 `unauthenticated`, 403 `forbidden`,
404 `not_found` (also for another organisation's ids), 409 `conflict` (e.g. a disabled playbook),
429 `rate_limited` with `Retry-After`, 503 `unavailable` with `Retry-After` (a store did not answer
in time; nothing was written: retry the same request).

**Money** is a decimal string of US dollars (`"0.625"`) with its exact integer twin in
micro-dollars (`cost_micros: 625000`). Dates are the organisation's local dates.
"""

STATUS_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limited",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    """Raised by endpoints: answered as the error format with ``status``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code or STATUS_CODES.get(status, "error")
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def invalid(fields: dict[str, str], message: str = "") -> ApiError:
    """A 400 naming the fields at fault."""
    first = next(iter(fields.items()), ("", ""))
    return ApiError(400, message or f"{first[0]}: {first[1]}", fields=fields)


class RateLimited(Exception):
    def __init__(self, decision: RateDecision):
        super().__init__("rate limited")
        self.decision = decision


@dataclass(frozen=True)
class ApiCaller:
    """``request.auth`` on every endpoint: the token that authenticated the request."""

    token: ApiToken

    @property
    def tenant_id(self) -> str | None:
        return self.token.tenant_id

    @property
    def is_platform(self) -> bool:
        return self.token.is_platform


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer bb_...``; counts the request against the token's rate limit."""

    def __call__(self, request: HttpRequest) -> ApiCaller | None:
        # Not HttpBearer's own: in DEBUG it logs a header with another scheme, secret included.
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> ApiCaller | None:
        found = authenticate_api_token(token.strip())
        if found is None:
            return None
        decision = register_api_request(found)
        if not decision.allowed:
            raise RateLimited(decision)
        return ApiCaller(found)


api = NinjaAPI(
    title="BakedBot Media API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    # Swagger UI from ninja's bundled static files ("ninja" is an installed app); no validator
    # badge, which Swagger UI would otherwise fetch from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
)


def error_response(
    request: HttpRequest,
    status: int,
    message: str,
    *,
    fields: dict[str, str] | None = None,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body = {
        "error": {
            "code": code or STATUS_CODES.get(status, "error"),
            "message": message,
            "fields": fields or {},
        }
    }
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries documenting the error format for ``statuses`` (plus 401 and 429,
    which every authenticated endpoint can answer)."""
    return {status: ErrorOut for status in sorted({401, 429, *statuses})}


def _field_name(loc: tuple) -> str:
    # ("query", "start_date"), ("header", "Idempotency-Key"), ("body", "payload", "cost", 0)
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body":
        parts = parts[1:]  # drop the parameter name of the body schema
    return ".".join(parts) or str(loc[0] if loc else "body")


def _validation_fields(errors: list[dict]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        name = _field_name(tuple(error.get("loc") or ()))
        message = str(error.get("msg") or "Invalid value.")
        if error.get("type") == "missing":
            message = "This field is required."
        elif error.get("type") == "extra_forbidden":
            message = "Unknown field."
        fields.setdefault(name, message)
    return fields


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(
        request, exc.status, exc.message, fields=exc.fields, code=exc.code, headers=exc.headers
    )


@api.exception_handler(InvalidInput)
def _invalid_input(request, exc: InvalidInput):
    """A service refused the input: 400 naming its fields (nothing was written)."""
    return error_response(request, 400, str(exc), fields=exc.errors)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    fields = _validation_fields(exc.errors)
    first = next(iter(fields.items()))
    return error_response(request, 400, f"{first[0]}: {first[1]}", fields=fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request,
        401,
        "Send a valid API token: Authorization: Bearer bb_… (revoked tokens no longer work).",
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


@api.exception_handler(RateLimited)
def _rate_limited(request, exc: RateLimited):
    decision = exc.decision
    return error_response(
        request,
        429,
        f"Rate limit of {decision.limit} requests reached; retry in {decision.retry_after} s.",
        headers={"Retry-After": str(decision.retry_after)},
    )


@api.exception_handler(Unavailable)
@api.exception_handler(OperationalError)
def _unavailable(request, exc: Exception):
    """A store (the cost store, the database) did not answer within its deadline: 503 with
    ``Retry-After``. Nothing was written, so the client retries the same request (with the same
    ``Idempotency-Key``)."""
    if isinstance(exc, Unavailable):
        message, retry_after = exc.message, exc.retry_after
    else:
        logger.warning("Database unavailable: %s (%s)", exc, request.path)
        message, retry_after = "The database did not answer in time; retry later.", 15
    return error_response(request, 503, message, headers={"Retry-After": str(retry_after)})


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(request, 404, str(exc) or "Not found.")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE and the like: the client's fault, not ours.
    return error_response(request, 400, "The request was refused.", fields={"body": str(exc)})


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja's own 400 is a body that is not JSON.
    fields = {"body": "Send a JSON object."} if exc.status_code == 400 else None
    return error_response(request, exc.status_code, str(exc), fields=fields)


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request": request},
    )
    return error_response(request, 500, "Something went wrong on our side.", code="server_error")


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under /api/v1/: the error format, not the HTML 404 page."""
    return error_response(request, 404, f"No endpoint /api/v1/{path}; see /api/v1/docs.")


TENANT_ID_DESCRIPTION = (
    "The organisation (platform tokens only, and required for them; a tenant token may name only "
    "its own organisation)."
)


def caller(request: HttpRequest) -> ApiCaller:
    return request.auth  # type: ignore[attr-defined]


def read_tenant(request: HttpRequest, tenant_id: str | None) -> str:
    """The organisation a read acts for: a tenant token's own (naming another one answers 404,
    like an unknown id); for a platform token, the ``tenant_id`` it names."""
    who = caller(request)
    requested = (tenant_id or "").strip()
    if not who.is_platform:
        if requested and requested != who.tenant_id:
            raise ApiError(404, "No such organisation.")
        return who.tenant_id  # type: ignore[return-value]
    if not requested:
        raise invalid({"tenant_id": "A platform token names the organisation: tenant_id=org_…"})
    if not Organisation.objects.filter(pk=requested).exists():
        raise ApiError(404, "No such organisation.")
    return requested


def write_tenant(request: HttpRequest) -> str:
    """The organisation a write acts for: a tenant token's own; platform tokens only read."""
    who = caller(request)
    if who.is_platform:
        raise ApiError(403, "Platform tokens only read; use the organisation's own token to write.")
    return who.tenant_id  # type: ignore[return-value]


def require_platform(request: HttpRequest) -> None:
    if not caller(request).is_platform:
        raise ApiError(403, "This endpoint needs a platform (super admin) token.")
