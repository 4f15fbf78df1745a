"""The A/B testing endpoints of the JSON API (mounted under ``/api/v1/`` by ``bakedbot/urls.py``):
metrics uploads from ad platforms and analytics exports."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import BaseModel, ConfigDict, StrictInt

from abtests.services import update_ab_test_metrics
from bakedbot.api import error_responses, write_tenant
from bakedbot.errors import InvalidInput

router = Router(tags=["abtests"])

Count = Annotated[StrictInt, Field(ge=0)] | None


class MetricsIn(Schema):
    """A variant's cumulative totals so far (a snapshot, not increments); fields left out keep
    their value."""

    model_config = ConfigDict(extra="forbid")

    impressions: Count = None
    clicks: Count = Field(None, description="At most impressions")
    conversions: Count = Field(None, description="At most clicks")
    engagement: Count = Field(None, description="Engaged impressions, at most impressions")
    cost: str | None = Field(
        None, pattern=r"^\d{1,9}(\.\d{1,6})?$", description="Media spend in US dollars"
    )
    cost_micros: Count = Field(None, description="The spend in micro-dollars instead of cost")


class MetricsOut(BaseModel):
    test_id: str
    variant_id: str
    impressions: int
    clicks: int
    conversions: int
    engagement: int
    cost_micros: int
    is_winner: bool
    confidence: float | None = Field(description="Chance to be best on the primary metric")


@router.post(
    "/abtests/{test_id}/variants/{variant_id}/metrics",
    response={200: MetricsOut, **error_responses(400, 403, 404)},
)
def upload_metrics(request: HttpRequest, test_id: str, variant_id: str, payload: MetricsIn):
    """Record a running (or paused) test variant's cumulative metrics. A test or variant of
    another organisation answers 404, like an unknown id; a refusal names its fields (400)."""
    tenant = write_tenant(request)
    metrics = payload.model_dump(exclude_none=True)
    if not metrics:
        raise InvalidInput(metrics="Send at least one metric.")
    if "cost" in metrics and "cost_micros" in metrics:
        raise InvalidInput(cost="Send cost or cost_micros, not both.")
    saved = update_ab_test_metrics(
        tenant_id=tenant, test_id=test_id, variant_id=variant_id, metrics=metrics
    )
    return {
        "test_id": saved.test_id,
        "variant_id": saved.variant_id,
        "impressions": saved.impressions,
        "clicks": saved.clicks,
        "conversions": saved.conversions,
        "engagement": saved.engagement,
        "cost_micros": saved.cost_micros,
        "is_winner": saved.is_winner,
        "confidence": None if saved.confidence is None else float(saved.confidence),
    }
