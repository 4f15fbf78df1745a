"""Schemathesis against the OpenAPI document, through the WSGI app, with every check it has
(``not_a_server_error``, ``status_code_conformance``, ``content_type_conformance``,
``response_headers_conformance``, ``response_schema_conformance``, ``negative_data_rejection``,
``positive_data_acceptance``, ``missing_required_header``, ``unsupported_method``,
``ignored_auth``, ...): valid data (by the document) is accepted, invalid data refused, and every
answer is one the document describes. Tenant operations run with organisation A's token and
real ids (an A/B test and its variant, a playbook and its run); the global ones with a platform
token. Examples are bounded so the run takes a minute or two.

The document cannot state a rule between fields or against the clock (a range of at most 366
days, created_at not in the future). Those rules are in the operations' descriptions and refused
with a 400 naming the fields; ``breaks_a_stated_rule`` below recognises them, so a positive case
refused for one of them is not a failure, and nothing else is excused.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.openapi.checks import RejectedPositiveData

from abtests.models import MediaABTestResult
from bakedbot.validation import INT64_MAX
from bakedbot.wsgi import application
from tests.api.conftest import path_ids, record

EXAMPLES_PER_OPERATION = 30
COUNTS = ("impressions", "clicks", "conversions", "engagement")
PRICED_DIMENSIONS = {"model", "image_size", "resolution", "audio", "input_tokens", "output_tokens"}

# Loaded when the module is collected (the document needs no database); schemathesis's lazy
# from_fixture loader does not work with pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Both kinds of data: valid by the document (must be accepted) and invalid (must be refused).
# No NUL in generated text: the API refuses it in every body (PostgreSQL stores none), as its
# description says; tests/api/test_hostile_input.py sends it on purpose.
# The Authorization header is the test's (a real token), not generated data: ignored_auth sends
# requests without it.
schema.config.generation.update(
    modes=["positive", "negative"], allow_x00=False, with_security_parameters=False
)


def _json_numbers(value) -> list:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _json_numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _json_numbers(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def _date(text) -> date | None:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def _is_cursor(text: str) -> bool:
    try:
        at, event_id = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return datetime.fromisoformat(at).tzinfo is not None and isinstance(event_id, str)
    except (ValueError, TypeError):
        return False


def _range_rules(query: dict, today: date) -> bool:
    start, end = _date(query.get("start_date")), _date(query.get("end_date"))
    if query.get("period") and (start or end):
        return True
    if start or end:
        end = end or max(today + timedelta(days=1), start)
        start = start or end - timedelta(days=29)
        return end < start or (end - start).days >= 366
    return False


def response_fields(response) -> dict:
    try:
        return response.json()["error"]["fields"]
    except (ValueError, KeyError, TypeError):
        return {}


def breaks_a_stated_rule(case, response) -> bool:
    """Whether a request valid by the document breaks a rule its operation's description states
    (and the API refuses with a 400 naming the fields)."""
    query, body = case.query or {}, case.body if isinstance(case.body, dict) else {}
    today = datetime.now(UTC).date()
    path = case.operation.path
    if path in (
        "/api/v1/usage",
        "/api/v1/costs/by-provider",
        "/api/v1/global/costs",
        "/api/v1/global/reconciliation",
    ):
        # "today" is the organisation's local date: a day either side of UTC's.
        return _range_rules(query, today) or _range_rules(query, today - timedelta(days=1))
    if path == "/api/v1/estimate":
        # Billed dimensions (size, resolution, audio, tokens): the price book's, per type.
        fields = set(response_fields(response))
        if fields and fields <= (PRICED_DIMENSIONS | {"type"}) & (set(query) | {"type"}):
            return True
        video = query.get("type") == "video"
        providers = ("veo", "sora") if video else ("gemini-flash", "gemini-pro", "imagen")
        return (
            query.get("provider") not in providers
            or video == ("duration_seconds" not in query)
            or (video and "count" in query)
        )
    if path == "/api/v1/events" and case.method == "GET" and "cursor" in query:
        return not _is_cursor(query["cursor"])  # opaque: next_cursor as it came
    if path == "/api/v1/events" and case.method == "POST":
        # The price book decides which models and dimensions it prices, by date.
        fields = set(response_fields(response))
        if fields and fields <= PRICED_DIMENSIONS & set(body):
            return True
        if body.get("params") and fields and all(f.startswith("params") for f in fields):
            return True
        created_at = body.get("created_at")
        if created_at:
            at = datetime.fromisoformat(created_at)
            if at < datetime(2026, 2, 1, tzinfo=UTC) or at > datetime.now(UTC):
                return True
        return len(json.dumps(body.get("params", {}))) > 10_000 or any(
            abs(n) > INT64_MAX for n in _json_numbers(body.get("params", {}))
        )
    if path.endswith("/metrics"):
        # Against the variant's stored totals (earlier examples wrote some): clicks at most
        # impressions, conversions at most clicks, engagement at most impressions.
        stored = MediaABTestResult.objects.get(variant_id=case.path_parameters["variant_id"])
        totals = {name: getattr(stored, name) for name in COUNTS} | {
            name: body[name] for name in COUNTS if name in body
        }
        return (
            totals["clicks"] > totals["impressions"]
            or totals["conversions"] > totals["clicks"]
            or totals["engagement"] > totals["impressions"]
        )
    if path.endswith("/runs") and case.method == "POST":
        variables = body.get("variables", {})
        return (
            len(json.dumps(variables)) > 10_000
            or not isinstance(variables.get("guidance", ""), str)
            or len(variables.get("guidance", "")) > 1000
            or any(abs(n) > INT64_MAX for n in _json_numbers(variables))
        )
    return False


@schema.hook
def filter_failure(context, failure, case, response):
    """Keep every failure except a valid-by-the-document request refused for a stated rule."""
    if isinstance(failure, RejectedPositiveData):
        return not (response.status_code == 400 and breaks_a_stated_rule(case, response))
    return True


@pytest.fixture(autouse=True)
def in_process_app(settings, sql_store):
    """Like Django's test client: keep the test's database connection (and its transaction)
    open across requests; and a rate limit the run itself cannot reach."""
    settings.API_RATE_LIMIT = 100_000
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def data(org_a, org_b):
    """Something to report: events of both organisations, a running A/B test of A's and an
    installed playbook of A's with a run (never executed: on_commit does not fire here)."""
    now = datetime.now(UTC)
    for n, provider in enumerate(["imagen", "veo", "gemini-flash"]):
        record(org_a, n, at=now, provider=provider)
    record(org_b, 1, at=now, provider="sora")
    return path_ids(org_a)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    derandomize=True,  # the same cases on every run: a failure is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_as_the_openapi_document_says(case, token_a, platform_token, data):
    token = platform_token if case.path.startswith("/api/v1/global/") else token_a
    # Random ids only ever find 404 (tested elsewhere): valid ones reach the operation. An id
    # generated to be invalid (negative data) is kept, to be refused.
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if case.path_parameters and positive:
        case.path_parameters = {name: data[name] for name in case.path_parameters}
    # A valid key is a new key: the same key with another body is refused (422) by design, as
    # the description says (tests/api/test_record_event.py and test_playbook_webhook.py).
    if positive and "Idempotency-Key" in (case.headers or {}):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    # Uncompressed: schemathesis's WSGI transport reads the body as sent (GZipMiddleware).
    headers = {"Authorization": f"Bearer {token.secret}", "Accept-Encoding": "identity"}
    case.call_and_validate(headers=headers)
