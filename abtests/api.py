"""The A/B testing endpoints of the JSON API (mounted under ``/api/v1/`` by ``bakedbot/urls.py``):
metrics uploads from ad platforms and analytics exports, and the style recommendations learnt
from the organisation's tests."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel, ConfigDict

from abtests.recommendations import (
    StyleRecommendations,
    get_platform_style_recommendations,
    get_style_recommendations,
)
from abtests.services import update_ab_test_metrics
from bakedbot.api import (
    DOLLARS_PATTERN,
    MICROS_MAX,
    JsonInt,
    PathId,
    TenantId,
    error_responses,
    read_tenant,
    with_rules,
    write_tenant,
)
from bakedbot.errors import InvalidInput
from bakedbot.validation import INT64_MAX

router = Router(tags=["abtests"])


def _count(description: str = "") -> Any:
    # Left out, never null (the schema and the code agree); a 64-bit whole number.
    return Field(None, ge=0, le=INT64_MAX, description=description or None)


class MetricsIn(Schema):
    """A variant's cumulative totals so far (a snapshot, not increments); fields left out keep
    their value. At least one field; cost or cost_micros, not both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"minProperties": 1, "not": {"required": ["cost", "cost_micros"]}},
    )

    impressions: JsonInt = _count()
    clicks: JsonInt = _count("At most impressions")
    conversions: JsonInt = _count("At most clicks")
    engagement: JsonInt = _count("Engaged impressions, at most impressions")
    cost: str = Field(None, pattern=DOLLARS_PATTERN, description="Media spend in US dollars")
    cost_micros: JsonInt = Field(
        None,
        ge=0,
        le=MICROS_MAX,
        description="The spend in micro-dollars instead of cost (not both)",
    )


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
@with_rules(
    "With the variant's stored totals (fields left out keep their value): clicks at most "
    "impressions, conversions at most clicks, engagement at most impressions (a 400 names the "
    "fields); a test that has not started (a draft) answers 400 naming status."
)
def upload_metrics(request: HttpRequest, test_id: PathId, variant_id: PathId, payload: MetricsIn):
    """Record a running (or paused) test variant's cumulative metrics. A test or variant of
    another organisation answers 404, like an unknown id; a refusal names its fields (400)."""
    tenant = write_tenant(request)
    metrics = payload.model_dump(exclude_none=True)
    if not metrics:
        raise InvalidInput(metrics="Send at least one metric.")
    if "cost" in metrics and "cost_micros" in metrics:
        message = "Send cost or cost_micros, not both."
        raise InvalidInput(cost=message, cost_micros=message)
    saved = update_ab_test_metrics(
        tenant_id=tenant, test_id=test_id, variant_id=variant_id, metrics=metrics
    )
    confidence = None if saved.confidence is None else float(saved.confidence)
    return asdict(saved) | {"confidence": confidence}


class PresetEffectOut(BaseModel):
    preset_id: str
    name: str
    lift: float = Field(description="Expected relative lift against the control (0.18 = +18%)")
    ci_low: float = Field(description="95% interval, low end")
    ci_high: float = Field(description="95% interval, high end")
    own_lift: float = Field(description="The preset's own tests alone, before pooling")
    pooling: float = Field(description="How far the estimate was pulled to the average, 0 to 1")
    tests: int
    wins: int = Field(description="Tests in which its variant had the best value")
    units: int = Field(description="Its variants' units (the metric's denominator)")
    organisations: int
    evidence: str


class PresetWaitingOut(BaseModel):
    preset_id: str
    name: str


class RecommendationsOut(BaseModel):
    scope: Literal["organisation", "platform"]
    metric: str
    unit: str
    lower_is_better: bool
    presets: list[PresetEffectOut] = Field(description="Enough evidence, best first")
    not_enough_evidence: list[PresetWaitingOut] = Field(description="Tested, below the minimum")
    minimum: str
    comparisons: int
    tests: int
    average_lift: float | None


class StyleRecommendationsOut(BaseModel):
    organisation: RecommendationsOut
    platform: RecommendationsOut = Field(
        description="Built-in presets across all organisations (aggregates only)"
    )


def _recommendations_out(found: StyleRecommendations) -> dict:
    # An organisation's own ids and tests are its own; platform-wide, counts only.
    platform = found.scope == "platform"
    return {
        "scope": found.scope,
        "metric": found.metric,
        "unit": found.unit_label,
        "lower_is_better": found.lower_is_better,
        "presets": [
            {
                "preset_id": e.preset_id,
                "name": e.name,
                "lift": e.lift,
                "ci_low": e.ci_low,
                "ci_high": e.ci_high,
                "own_lift": e.raw_lift,
                "pooling": e.pooling,
                "tests": e.tests,
                "wins": e.wins,
                "units": e.units,
                "organisations": e.organisations if platform else 1,
                "evidence": found.evidence(e),
            }
            for e in found.effects
        ],
        "not_enough_evidence": [{"preset_id": w.preset_id, "name": w.name} for w in found.waiting],
        "minimum": found.minimum,
        "comparisons": found.comparisons,
        "tests": found.tests,
        "average_lift": found.overall_lift,
    }


@router.get(
    "/abtests/recommendations",
    response={200: StyleRecommendationsOut, **error_responses(400, 404)},
)
def style_recommendations(
    request: HttpRequest,
    metric: Annotated[
        Literal["ctr", "cvr", "engagement_rate", "cpc"],
        Query("ctr", description="The metric the presets are compared on"),
    ] = "ctr",
    tenant_id: TenantId = None,
):
    """Which style presets tend to win for the organisation on ``metric``: each preset's
    expected lift against the control with a 95% interval, partially pooled across the
    organisation's started tests, and the same over built-in presets across all organisations
    (aggregates only; a preset appears once three organisations tested it)."""
    tenant = read_tenant(request, tenant_id)
    return {
        "organisation": _recommendations_out(get_style_recommendations(tenant, metric=metric)),
        "platform": _recommendations_out(get_platform_style_recommendations(metric=metric)),
    }
