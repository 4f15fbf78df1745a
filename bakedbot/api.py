"""The JSON API under ``/api/v1/``: one ``NinjaAPI`` with bearer-token auth, the error format,
the rate limit, and the helpers the apps' routers use to find the tenant a request may act for.

Apps own their endpoints (``costs/api.py``, ``abtests/api.py``); the root ``bakedbot/urls.py``
adds their routers to ``api``, so this module imports no feature app. Sessions never
authenticate the API: only ``Authorization: Bearer bb_...`` does, so there is no CSRF surface.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Union, get_args

from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Path, Query
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic import Field as PydanticField

from bakedbot.api_tokens import RateDecision, authenticate_api_token, register_api_request
from bakedbot.errors import InvalidInput, Unavailable
from bakedbot.idempotency import IdempotencyKeyReused
from bakedbot.models import ApiToken, Organisation
from bakedbot.validation import DOLLARS_MAX, INT64_MAX, clean_date

logger = logging.getLogger("django.request")

DESCRIPTION = """
Costs, budgets, A/B metrics and playbook webhooks of BakedBot Media for external integrations.

**Authentication.** Every endpoint needs `Authorization: Bearer bb_…`. Organisation owners make
tenant tokens under *Dashboard → API tokens*; a tenant token sees its own organisation only.
Super admins make platform tokens there: they read the global endpoints and, with `tenant_id`,
any organisation's reads (they cannot write). Session cookies do not authenticate the API.

**Errors** are JSON: `{"error": {"code": "…", "message": "…", "fields": {"field": "problem"}}}`
— 400 `invalid` (with the fields at fault; nothing was written), 401 `unauthenticated`,
403 `forbidden`, 404 `not_found` (also for another organisation's ids), 405
`method_not_allowed` (with `Allow`), 409 `conflict` (e.g. a disabled playbook), 422
`idempotency_key_reused` (an `Idempotency-Key` sent again with a different body),
429 `rate_limited` with `Retry-After`, 503 `unavailable` with `Retry-After` (a store did not answer
in time; nothing was written: retry the same request).

**Bodies** are JSON objects. Numbers are finite (`NaN`, `Infinity` and numbers past ±1.8e308 are
refused) and whole numbers fit in 64 bits (±9223372036854775807), in every field including
free-form ones (`params`, `variables`); text never contains the NUL character (U+0000). A rule
between fields that this document cannot state (e.g. a date range of at most 366 days) is in the
operation's description and refused with a 400 naming the fields.

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
    422: "idempotency_key_reused",
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
    """Raised by endpoints: answered as the error format with ``status`` (bad input is
    ``InvalidInput``, answered as a 400 naming its fields)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


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


def body_value_problems(data: Any) -> dict[str, str]:
    """``{field: problem}`` for the values a JSON body may not hold anywhere: non-finite numbers
    (Python's ``json`` reads ``NaN``, ``Infinity`` and ``1e309`` as floats no field can store),
    whole numbers past 64 bits (Firestore and PostgreSQL store at most that) and NUL characters
    (PostgreSQL text and jsonb refuse them). Fields are named like validation errors
    (``variables.x``, ``params.sizes.0``)."""
    problems: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(problems) < 10:
        path, value = stack.pop()
        name = path or "body"
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    problems.setdefault(name, "Names must not contain the NUL character.")
                stack.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            problems[name] = "Must be a finite number (not NaN, Infinity or past ±1.8e308)."
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
            problems[name] = f"Whole numbers are at most {INT64_MAX} in size."
        elif isinstance(value, str) and "\x00" in value:
            problems[name] = "Must not contain the NUL character."
    return problems


class JsonBodyParser(Parser):
    """ninja's parser, refusing what ``body_value_problems`` finds (a 400 naming the field)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body)
        if problems := body_value_problems(data):
            raise InvalidInput(problems)
        return data


def _json_method_not_allowed(view):
    """ninja answers a method a path does not have with a plain-text 405: answer it in the
    error format instead, keeping ``Allow``."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",")))
            return error_response(
                request,
                405,
                f"{request.method} is not allowed here; this path answers {allowed}.",
                headers={"Allow": allowed},
            )
        return response

    return wrapped


RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before sending the same request again",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
ERROR_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each field at fault; nothing was written",
    401: "No, unknown or revoked API token",
    403: "This token may not do this",
    404: "No such resource for this organisation",
    409: "The resource's state does not allow it",
    422: "This Idempotency-Key was used with a different body",
    429: "Rate limit reached: retry after Retry-After seconds",
    503: "A store did not answer in time; nothing was written: retry after Retry-After seconds",
}


class BakedBotApi(NinjaAPI):
    """The ``NinjaAPI`` with the error format on 405s and the errors' headers documented."""

    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        for pattern in patterns:
            pattern.callback = _json_method_not_allowed(pattern.callback)
        return patterns, app_name, namespace

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation["responses"].items():
                    code = int(status)
                    if code in ERROR_DESCRIPTIONS and response.get("description") in (
                        None,
                        "",
                        "Bad Request",
                        "Unauthorized",
                        "Forbidden",
                        "Not Found",
                        "Conflict",
                        "Unprocessable Content",
                        "Unprocessable Entity",
                        "Too Many Requests",
                        "Service Unavailable",
                    ):
                        response["description"] = ERROR_DESCRIPTIONS[code]
                    if code in (429, 503):
                        response["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
        return schema


api = BakedBotApi(
    title="BakedBot Media API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=ApiTokenAuth(),
    # Swagger UI from ninja's bundled static files ("ninja" is an installed app); no validator
    # badge, which Swagger UI would otherwise fetch from validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None}),
    parser=JsonBodyParser(),
)


def _note_unknown_query_parameters(run):
    """(ninja "view" decorator: before auth and validation) Note on the request the query
    parameters its operation does not have; ``_refuse_unknown_query_parameters`` refuses them
    once the caller is known, so an anonymous request still answers 401 first."""
    operation = run.__self__
    known = {
        field.alias or name
        for model in operation.models
        if getattr(model, "__ninja_param_source__", None) == "query"
        for name, field in model.model_fields.items()
    }

    @functools.wraps(run)
    def noted(request: HttpRequest, *args, **kwargs):
        request.unknown_query_parameters = sorted(set(request.GET) - known)
        return run(request, *args, **kwargs)

    return noted


def _refuse_unknown_query_parameters(view):
    """(ninja "operation" decorator: after auth and validation) A misspelt parameter
    (``?start=`` for ``?start_date=``) is refused, never silently ignored."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args, **kwargs):
        if unknown := getattr(request, "unknown_query_parameters", None):
            raise InvalidInput(dict.fromkeys(unknown[:10], "Unknown parameter."))
        return view(request, *args, **kwargs)

    return checked


api.add_decorator(_note_unknown_query_parameters, mode="view")
api.add_decorator(_refuse_unknown_query_parameters, mode="operation")


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
    """``response=`` entries documenting the error format for ``statuses``, plus the ones every
    authenticated endpoint can answer: 401, 429 and 503 (the token's own row is in the database,
    and a store may not answer in time)."""
    return {status: ErrorOut for status in sorted({401, 429, 503, *statuses})}


# The tags of the bodies made with ``one_of``: pydantic puts the tag in an error's location
# (("body", "payload", "video", "duration_seconds")), a client names the field without it.
_UNION_TAGS: set[str] = set()


def one_of(*models: type[BaseModel], tag: str = "type", **field: Any) -> Any:
    """A body that is one of ``models``, told apart by their ``tag`` field (a ``Literal``): the
    document says ``oneOf`` with a discriminator, so each kind states its own fields, enums
    and required ones."""
    for model in models:
        _UNION_TAGS.update(get_args(model.model_fields[tag].annotation))
    return Annotated[Union[models], PydanticField(discriminator=tag, **field)]  # noqa: UP007


def _field_name(loc: tuple) -> str:
    # ("query", "start_date"), ("header", "Idempotency-Key"), ("body", "payload", "cost", 0)
    parts = [str(part) for part in loc[1:]]
    if loc and loc[0] == "body":
        parts = parts[1:]  # drop the parameter name of the body schema
        if parts and parts[0] in _UNION_TAGS:
            parts = parts[1:]
    return ".".join(parts) or str(loc[0] if loc else "body")


def _validation_fields(errors: list[dict]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for error in errors:
        name = _field_name(tuple(error.get("loc") or ()))
        message = str(error.get("msg") or "Invalid value.")
        kind = error.get("type")
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            ctx = error.get("ctx") or {}
            tag = str(ctx.get("discriminator", "type")).strip("'\"")
            name = f"{name}.{tag}" if name != "body" else tag
            message = (
                f"Must be one of: {ctx.get('expected_tags', '')}."
                if kind == "union_tag_invalid"
                else "This field is required."
            )
        elif kind == "value_error" and error.get("ctx", {}).get("error"):
            message = str(error["ctx"]["error"])  # ours, without pydantic's "Value error, "
        elif error.get("type") == "missing":
            message = "This field is required."
        elif error.get("type") == "extra_forbidden":
            message = "Unknown field."
        fields.setdefault(name, message)
    return fields


@api.exception_handler(ApiError)
def _api_error(request, exc: ApiError):
    return error_response(request, exc.status, exc.message)


@api.exception_handler(InvalidInput)
def _invalid_input(request, exc: InvalidInput):
    """A service refused the input: 400 naming its fields (nothing was written)."""
    return error_response(request, 400, str(exc), fields=exc.errors)


@api.exception_handler(IdempotencyKeyReused)
def _idempotency_key_reused(request, exc: IdempotencyKeyReused):
    """The key was used before with another body: 422, never the other request's result."""
    return error_response(
        request,
        422,
        str(exc),
        fields={"Idempotency-Key": "Used before with a different body."},
    )


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
    # ninja's own 400 is a body the parser refused: not JSON, or values JsonBodyParser refuses.
    if isinstance(exc.__cause__, InvalidInput):
        return _invalid_input(request, exc.__cause__)
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


# -- strict field types the apps' schemas share ------------------------------------------------
# pydantic's lax mode reads "0" as 1970-01-01, 0 as false and "5" as 5 in a JSON body; the API
# takes what its document says and nothing else (bodies use pydantic's Strict* types for the
# rest). The years are bounded so that no date arithmetic leaves the calendar.

# Money in: dollars as a decimal string up to DOLLARS_MAX ($999,999,999.99) in micro-dollar steps,
# or whole micro-dollars up to the same amount. [0-9], not \d: a regex's \d also matches digits
# of other scripts ("١٢").
DOLLARS_PATTERN = r"^([0-9]{1,8}(\.[0-9]{1,6})?|[0-9]{9}(\.[0-9]{1,2})?)$"
MICROS_MAX = int(DOLLARS_MAX * 1_000_000)
DATE_PATTERN = r"^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = (
    r"^2[0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def _api_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):  # a default
        return value
    if isinstance(value, str) and re.fullmatch(DATE_PATTERN, value):
        try:
            return clean_date(value)
        except ValueError:
            pass
    raise ValueError("Enter a date as YYYY-MM-DD, from 2000-01-01 to 2999-12-31.")


def _api_datetime(value: Any) -> datetime:
    if isinstance(value, str) and re.fullmatch(DATETIME_PATTERN, value):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(
        "Enter a time as YYYY-MM-DDThh:mm:ss with a time zone (Z or ±hh:mm), years 2000 to 2999."
    )


def _query_bool(value: Any) -> bool:
    if isinstance(value, bool):  # the default
        return value
    if value in ("true", "false"):
        return value == "true"
    raise ValueError("Must be true or false.")


def query_int(minimum: int, maximum: int) -> Any:
    """A whole number query parameter in ASCII digits from ``minimum`` to ``maximum`` (the
    bounds in the document too, also when the parameter is optional)."""

    def parse(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):  # the default
            number = value
        # "5.0" is the integer 5 to the document (JSON Schema), so to the code too.
        elif isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}(\.0{1,6})?", value):
            number = int(value.partition(".")[0])
        else:
            raise ValueError("Must be a whole number written with the digits 0-9.")
        if not minimum <= number <= maximum:
            raise ValueError(f"Must be from {minimum:,} to {maximum:,}.")
        return number

    return Annotated[
        int,
        BeforeValidator(parse),
        WithJsonSchema({"type": "integer", "minimum": minimum, "maximum": maximum}),
    ]


def _json_integer(value: Any) -> Any:
    # JSON Schema's integer is a number without a fraction, so 8.0 and 1e3 are ones (the
    # document says integer, so the code takes them); true, "8" and 8.5 are no integers.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("Must be a whole number.")
    return value


# A body's whole number: an int or an integral JSON number, never a bool or a string.
JsonInt = Annotated[int, BeforeValidator(_json_integer)]
ApiDate = Annotated[
    date,
    BeforeValidator(_api_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
ApiDateTime = Annotated[
    datetime,
    BeforeValidator(_api_datetime),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}),
]
# Query parameters arrive as text: "true"/"false" and ASCII digits only.
QueryBool = Annotated[bool, BeforeValidator(_query_bool), WithJsonSchema({"type": "boolean"})]


def with_rules(rules: str):
    """Append ``rules`` (what the schema cannot say, such as a rule between two fields) to the
    endpoint's docstring, which is its description in the OpenAPI document. Put it under the
    router's decorator."""

    def add(view):
        view.__doc__ = f"{inspect.cleandoc(view.__doc__ or '')}\n\n**Rules.** {rules}"
        return view

    return add


TENANT_ID_DESCRIPTION = (
    "The organisation (platform tokens only, and required for them; a tenant token may name only "
    "its own organisation)."
)


# Our ids (``org_3f9a1c0b7d2e``): anything else cannot name a row, and hostile text (NUL, very
# long strings) never reaches a query.
ID_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
TenantId = Annotated[str | None, Query(None, description=TENANT_ID_DESCRIPTION, pattern=ID_PATTERN)]
PathId = Annotated[str, Path(..., pattern=ID_PATTERN)]


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
        raise InvalidInput(tenant_id="A platform token names the organisation: tenant_id=org_…")
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
