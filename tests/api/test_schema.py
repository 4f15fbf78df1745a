"""Schemathesis against the OpenAPI document, through the WSGI app, with a valid tenant token
(a platform token for the global endpoints): no 5xx, and every response (status, content type,
headers, body) is the one the document describes. Examples are bounded so the run takes seconds.

Schema-valid requests may still get a 400: the document cannot say that a range is at most 366
days or that an event's created_at must fall under a price book, so schemathesis's
positive-data check is not run.
"""

from datetime import UTC, datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bakedbot.wsgi import application
from playbooks.models import Playbook
from playbooks.services import (
    install_playbook_template,
    seed_playbook_templates,
    start_playbook_run,
)
from tests.abtests.conftest import make_test, start, variant_ids
from tests.api.conftest import record

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

# Loaded when the module is collected (the document needs no database); schemathesis's lazy
# from_fixture loader does not work with pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


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
    test = start(make_test(org_a))
    seed_playbook_templates()
    installed = install_playbook_template(template_id="weekly-deals-video", org_id=org_a.pk)
    run = start_playbook_run(
        playbook=Playbook.objects.get(pk=installed.playbook_id), triggered_by="manual"
    )
    return {
        "abtest": {"test_id": test.pk, "variant_id": variant_ids(test)[0]},
        "playbook": {"playbook_id": installed.playbook_id, "run_id": run.pk},
    }


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_it_answers_as_the_openapi_document_says(case, token_a, platform_token, data):
    token = platform_token if case.path.startswith("/api/v1/global/") else token_a
    # Random ids only ever find 404 (tested elsewhere).
    if case.path_parameters and "test_id" in case.path_parameters:
        case.path_parameters = data["abtest"]
    if case.path_parameters and "playbook_id" in case.path_parameters:
        case.path_parameters = {name: data["playbook"][name] for name in case.path_parameters}
    case.call_and_validate(headers={"Authorization": f"Bearer {token.secret}"}, checks=CHECKS)
