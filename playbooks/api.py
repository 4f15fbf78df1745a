"""The playbook webhook of the JSON API (mounted under ``/api/v1/`` by ``bakedbot/urls.py``):
another system (a POS, a CMS, Zapier) starts a playbook run, which the worker executes like Run
now, and reads its progress."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Header, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, StrictBool

from bakedbot.api import (
    ApiError,
    PathId,
    TenantId,
    error_responses,
    read_tenant,
    with_rules,
    write_tenant,
)
from costs.money import dollars
from playbooks.models import Playbook, PlaybookRun
from playbooks.services import (
    GUIDANCE_MAX_CHARS,
    WEBHOOK_VARIABLES_MAX_CHARS,
    PlaybookDisabled,
    start_webhook_run,
)

router = Router(tags=["playbooks"])

KEY_PATTERN = r"^[A-Za-z0-9._:-]{1,100}$"


class RunIn(Schema):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"variables": {"campaign": "420"}, "dry_run": False}]},
    )

    variables: dict[str, Any] = Field(
        default_factory=dict,
        description="Handed to the steps as context.variables (JSON, at most 10,000 characters; "
        "guidance, a string, reaches the caption and media prompts)",
    )
    dry_run: StrictBool = Field(False, description="Simulate mode: no provider is paid")


class RunStartedOut(BaseModel):
    run_id: str
    playbook_id: str
    status: str
    triggered_by: str
    dry_run: bool
    url: str = Field(description="The run's page in the dashboard")
    status_url: str = Field(description="This API's status of the run")


class StepOut(BaseModel):
    step_id: str
    type: str
    status: str
    result: dict[str, Any]
    error: str
    cost: str = Field(description="US dollars")
    cost_micros: int
    duration_ms: int
    started_at: datetime | None
    finished_at: datetime | None


class RunOut(RunStartedOut):
    error: str
    total_cost: str = Field(description="US dollars")
    total_cost_micros: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    steps: list[StepOut]


def _started(request: HttpRequest, run: PlaybookRun) -> dict:
    return {
        "run_id": run.pk,
        "playbook_id": run.playbook_id,
        "status": run.status,
        "triggered_by": run.triggered_by,
        "dry_run": run.dry_run,
        "url": request.build_absolute_uri(reverse("playbooks:run_detail", args=[run.pk])),
        "status_url": request.build_absolute_uri(
            reverse("api-v1:playbook_run_status", args=[run.playbook_id, run.pk])
        ),
    }


@router.post(
    "/playbooks/{playbook_id}/runs",
    response={
        200: RunStartedOut,
        202: RunStartedOut,
        **error_responses(400, 403, 404, 409, 422),
    },
    openapi_extra={
        "responses": {200: {"description": "Already started under this key (same body)"}}
    },
)
@with_rules(
    f"variables at most {WEBHOOK_VARIABLES_MAX_CHARS:,} characters of JSON; variables.guidance "
    f"text of at most {GUIDANCE_MAX_CHARS:,} characters. The same Idempotency-Key with another "
    "body (variables, dry_run) answers 422 (idempotency_key_reused) and starts nothing."
)
def start_run(
    request: HttpRequest,
    playbook_id: PathId,
    idempotency_key: Annotated[
        str | None,
        Header(
            None,
            alias="Idempotency-Key",
            pattern=KEY_PATTERN,
            description="Your delivery id: the same key and body again answers the first run "
            "(200) and starts nothing; the same key with another body is refused (422)",
            example="pos-delivery-8812",
        ),
    ] = None,
    payload: RunIn | None = None,
):
    """Start a run of one of the organisation's playbooks (202, triggered_by webhook), executed
    by the worker like Run now; follow it at status_url. A disabled playbook answers 409.
    Tenant tokens only; another organisation's playbook answers 404, like an unknown id."""
    tenant = write_tenant(request)
    playbook = get_object_or_404(
        Playbook.objects.select_related("template", "organisation"),
        pk=playbook_id,
        organisation_id=tenant,
    )
    payload = payload or RunIn()
    try:
        started = start_webhook_run(
            playbook=playbook,
            idempotency_key=idempotency_key,
            variables=payload.variables,
            dry_run=payload.dry_run,
        )
    except PlaybookDisabled as exc:
        raise ApiError(409, str(exc)) from None
    return Status(202 if started.created else 200, _started(request, started.run))


@router.get(
    "/playbooks/{playbook_id}/runs/{run_id}",
    response={200: RunOut, **error_responses(400, 404)},
    url_name="playbook_run_status",
)
def run_status(
    request: HttpRequest, playbook_id: PathId, run_id: PathId, tenant_id: TenantId = None
):
    """A run's status, cost and per-step results (any trigger)."""
    tenant = read_tenant(request, tenant_id)
    run = get_object_or_404(
        PlaybookRun.objects.prefetch_related("step_results"),
        pk=run_id,
        playbook_id=playbook_id,
        organisation_id=tenant,
    )
    return {
        **_started(request, run),
        "error": run.error,
        "total_cost": dollars(run.total_cost_micros),
        "total_cost_micros": run.total_cost_micros,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "steps": [
            {
                "step_id": row.step_id,
                "type": row.step_type,
                "status": row.status,
                "result": row.result,
                "error": row.error,
                "cost": dollars(row.cost_micros),
                "cost_micros": row.cost_micros,
                "duration_ms": row.duration_ms,
                "started_at": row.started_at,
                "finished_at": row.finished_at,
            }
            for row in run.step_results.all()
        ],
    }
