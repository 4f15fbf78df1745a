"""The cost endpoints of the JSON API (mounted under ``/api/v1/`` by ``bakedbot/urls.py``).

Thin like views: parse, authorise (``read_tenant`` / ``write_tenant`` / ``require_platform``),
call the public selectors and services, shape the answer. Money goes out as a decimal string of
dollars with its exact micro-dollar twin; it comes in as a decimal string (``cost``) or whole
micro-dollars (``cost_micros``), never a float.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import BaseModel, ConfigDict, StrictBool

from bakedbot.api import (
    DOLLARS_PATTERN,
    MICROS_MAX,
    ApiDate,
    ApiDateTime,
    JsonInt,
    QueryBool,
    TenantId,
    error_responses,
    one_of,
    query_int,
    read_tenant,
    require_platform,
    with_rules,
    write_tenant,
)
from bakedbot.errors import FieldErrors, InvalidInput
from bakedbot.idempotency import claim_idempotency_key, request_fingerprint
from costs.budget_selectors import get_media_budget_status, get_media_cost_alerts
from costs.domain import MediaGenerationEvent, UsageTotals
from costs.money import decimal_to_micros, dollars
from costs.pricing import (
    IMAGE,
    IMAGE_EDIT,
    IMAGE_PROVIDERS,
    IMAGE_SIZES,
    MAX_IMAGE_COUNT,
    MAX_TOKENS,
    MAX_VIDEO_SECONDS,
    PROVIDER_LABELS,
    TEXT,
    TEXT_PROVIDERS,
    VIDEO,
    VIDEO_PROVIDERS,
    estimate_media_cost,
    file_versions,
)
from costs.ranges import DateRange
from costs.reconciliation import reconcile
from costs.selectors import (
    get_global_media_costs,
    get_media_costs_by_provider,
    get_media_usage,
    get_recent_media_events,
    platform_today,
    tenant_period,
)
from costs.services import record_media_generation
from costs.tenants import tenant_today

router = Router(tags=["costs"])

MAX_RANGE_DAYS = 366
EVENTS_PAGE_MAX = 100
# Clocks differ: an event may say it happened a little in the future, not more.
CLOCK_SKEW = timedelta(minutes=5)
CURSOR_PATTERN = r"^[A-Za-z0-9_-]{1,500}$"
FIRST_PRICE_DATE = file_versions()[0].effective_from.isoformat()
KEY_PATTERN = r"^[A-Za-z0-9._:-]{1,100}$"
RESOLUTION_PATTERN = r"^[0-9]{3,4}[pk]$"  # a video's billed resolution: 720p, 1080p, 4k
PARAMS_MAX_CHARS = 10_000  # the event's params are stored with it (a Firestore document <= 1 MiB)

TenantPeriod = Literal["day", "week", "month", "7d", "30d", "90d", "all"]
GlobalPeriod = Literal["7d", "30d", "90d", "all"]


def _dollars_or_none(micros: int | None) -> str | None:
    return None if micros is None else dollars(micros)


# -- schemas -----------------------------------------------------------------------------------


class TotalsOut(BaseModel):
    cost: str = Field(description="US dollars")
    cost_micros: int
    count: int
    successes: int
    failures: int
    success_rate: float = Field(description="successes / count, 0 to 1")
    cache_hits: int
    saved: str = Field(description="US dollars the duplicate-prompt cache saved")
    saved_micros: int


class DayOut(BaseModel):
    date: date
    totals: TotalsOut
    by_provider: dict[str, TotalsOut]
    by_type: dict[str, TotalsOut]


class UsageOut(BaseModel):
    tenant_id: str
    start_date: date
    end_date: date
    currency: str
    totals: TotalsOut
    by_provider: dict[str, TotalsOut]
    by_type: dict[str, TotalsOut]
    daily: list[DayOut] = Field(description="Every date of the range, oldest first")


class ProviderCostOut(BaseModel):
    provider: str
    label: str
    cost: str
    cost_micros: int


class ProviderCostsOut(BaseModel):
    tenant_id: str
    period: str
    start_date: date
    end_date: date
    currency: str
    total: str
    total_micros: int
    providers: list[ProviderCostOut]


class EventOut(BaseModel):
    id: str
    tenant_id: str
    type: str
    provider: str
    model: str
    prompt: str
    params: dict[str, Any]
    duration_seconds: int | None
    cost: str
    cost_micros: int
    price_version: str
    success: bool
    error: str
    generation_ms: int | None
    created_at: datetime
    content_id: str | None
    cache_hit: bool
    saved: str
    saved_micros: int
    simulated: bool
    # The billed dimensions it was priced on ("" / null where they do not apply).
    image_size: str
    resolution: str
    audio: bool | None
    input_tokens: int | None
    output_tokens: int | None


class EventPageOut(BaseModel):
    events: list[EventOut]
    next_cursor: str | None = Field(
        description="Pass as cursor for the next page; null on the last page"
    )


COST_DESCRIPTION = "US dollars charged; omit both cost and cost_micros to price it"
COST_MICROS_DESCRIPTION = "The cost in micro-dollars instead of cost (not both)"
EVENT_EXAMPLES = [
    {"type": "image", "provider": "imagen", "prompt": "Gummies on a marble counter"},
    {
        "type": "video",
        "provider": "veo",
        "duration_seconds": 10,
        "model": "veo-3.1-generate-preview",
        "generation_ms": 84000,
    },
    {"type": "image", "provider": "gemini-pro", "cost": "0.134", "success": True},
]


class _EventFields(Schema):
    # cost and cost_micros are two spellings of one amount: at most one of them.
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"not": {"required": ["cost", "cost_micros"]}}
    )

    model: str = Field("", max_length=120)
    prompt: str = Field("", max_length=2000)
    params: dict[str, Any] = Field(
        default_factory=dict,
        description=f"Stored with the event (JSON, at most {PARAMS_MAX_CHARS:,} characters)",
    )
    success: StrictBool = True
    error: str = Field("", max_length=1000)
    cache_hit: StrictBool = False
    # Optional fields are left out, never null: the schema says so and the code agrees.
    cost: str = Field(None, pattern=DOLLARS_PATTERN, description=COST_DESCRIPTION)
    cost_micros: JsonInt = Field(None, ge=0, le=MICROS_MAX, description=COST_MICROS_DESCRIPTION)
    generation_ms: JsonInt = Field(None, ge=0, le=86_400_000)
    created_at: ApiDateTime = Field(
        None,
        description="When it happened (default: now): not before the first price book "
        f"({FIRST_PRICE_DATE}) and not more than 5 minutes ahead of our clock",
    )
    content_id: str = Field(None, max_length=120)


class ImageEventIn(_EventFields):
    """An image (or an image edit): no duration."""

    type: Literal[IMAGE, IMAGE_EDIT]  # type: ignore[valid-type]
    provider: Literal[IMAGE_PROVIDERS]  # type: ignore[valid-type]
    image_size: Literal[IMAGE_SIZES] = Field(  # type: ignore[valid-type]
        None, description="Output size, for models priced by size (default 1K)"
    )


class VideoEventIn(_EventFields):
    """A video: its duration is required."""

    type: Literal[VIDEO]  # type: ignore[valid-type]
    provider: Literal[VIDEO_PROVIDERS]  # type: ignore[valid-type]
    duration_seconds: JsonInt = Field(..., ge=1, le=MAX_VIDEO_SECONDS)
    resolution: str = Field(
        None, pattern=RESOLUTION_PATTERN, description="As billed, e.g. 720p (default), 1080p, 4k"
    )
    audio: StrictBool = Field(None, description="Made with sound (default true)")


class TextEventIn(_EventFields):
    """A text call (captions): priced by its tokens, both required."""

    type: Literal[TEXT]  # type: ignore[valid-type]
    provider: Literal[TEXT_PROVIDERS]  # type: ignore[valid-type]
    input_tokens: JsonInt = Field(..., ge=0, le=MAX_TOKENS)
    output_tokens: JsonInt = Field(..., ge=0, le=MAX_TOKENS)


EventIn = one_of(
    ImageEventIn, VideoEventIn, TextEventIn, json_schema_extra={"examples": EVENT_EXAMPLES}
)


class CostLineOut(BaseModel):
    label: str
    quantity: int
    unit_cost: str
    cost: str


class EstimateOut(BaseModel):
    type: str
    provider: str
    currency: str
    cost: str
    cost_micros: int
    price_version: str
    duration_seconds: int | None
    billed_seconds: int | None
    clip_plan: list[int] | None
    breakdown: list[CostLineOut]


class BudgetLimitsOut(BaseModel):
    daily_limit: str | None
    weekly_limit: str | None
    monthly_limit: str | None
    soft_threshold_percent: int
    hard_limit_enabled: bool


class BudgetPeriodOut(BaseModel):
    period: str
    state: str
    spent: str
    spent_micros: int
    held: str
    held_micros: int
    used: str
    used_micros: int
    limit: str | None
    limit_micros: int | None
    remaining: str | None
    remaining_micros: int | None
    percent: str | None = Field(description="Used as a percentage of the limit, one decimal")
    period_start: datetime
    next_reset: datetime


class BudgetOut(BaseModel):
    tenant_id: str
    time_zone: str
    as_of: datetime
    state: str
    limits: BudgetLimitsOut
    periods: list[BudgetPeriodOut]


class AlertOut(BaseModel):
    id: str
    kind: str
    kind_label: str
    severity: str
    period: str
    period_start: date
    threshold_percent: int
    message: str
    limit: str
    spent: str
    held: str
    requested: str
    created_at: datetime
    acknowledged_at: datetime | None


class AlertsOut(BaseModel):
    tenant_id: str
    alerts: list[AlertOut]


class GlobalProviderOut(BaseModel):
    provider: str
    label: str
    share: float = Field(description="Of the period's cost, 0 to 1")
    totals: TotalsOut


class GlobalTenantOut(BaseModel):
    tenant_id: str
    name: str
    share: float
    totals: TotalsOut


class GlobalDayOut(BaseModel):
    date: date
    totals: TotalsOut
    by_provider: dict[str, TotalsOut]


class GlobalCostsOut(BaseModel):
    period: str
    start_date: date
    end_date: date
    previous_start_date: date
    previous_end_date: date
    currency: str
    totals: TotalsOut
    previous_totals: TotalsOut
    by_provider: list[GlobalProviderOut]
    by_tenant: list[GlobalTenantOut]
    daily: list[GlobalDayOut]


# -- shaping -----------------------------------------------------------------------------------


def _totals(totals: UsageTotals) -> dict[str, Any]:
    return {
        "cost": dollars(totals.cost_micros),
        "cost_micros": totals.cost_micros,
        "count": totals.count,
        "successes": totals.successes,
        "failures": totals.failures,
        "success_rate": float(round(totals.success_rate, 4)),
        "cache_hits": totals.cache_hits,
        "saved": dollars(totals.saved_micros),
        "saved_micros": totals.saved_micros,
    }


def _groups(groups: dict[str, UsageTotals]) -> dict[str, dict[str, Any]]:
    return {key: _totals(value) for key, value in sorted(groups.items())}


def _event(event: MediaGenerationEvent) -> dict[str, Any]:
    return {
        **{name: getattr(event, name) for name in EventOut.model_fields if hasattr(event, name)},
        "cost": dollars(event.cost_micros or 0),
        "cost_micros": event.cost_micros or 0,
        "saved": dollars(event.saved_micros),
        "content_id": event.content_id or None,
    }


def _date_range(
    start_date: date | None, end_date: date | None, *, today: date, default_days: int = 30
) -> DateRange:
    """The dates asked for: both, or one and a default (end today; start 30 days before the
    end); refused naming both fields when the end comes first or the range is too long."""
    end = end_date or max(today, start_date or today)
    start = start_date or end - timedelta(days=default_days - 1)
    if end < start:
        message = "end_date must not be before start_date."
        raise InvalidInput(start_date=message, end_date=message)
    if (end - start).days >= MAX_RANGE_DAYS:
        message = f"From start_date to end_date is at most {MAX_RANGE_DAYS} days."
        raise InvalidInput(start_date=message, end_date=message)
    return DateRange(start, end)


def _period_or_range(
    period: str | None, start_date: date | None, end_date: date | None, *, today: date
) -> tuple[str, DateRange | None]:
    """``(name, range)``: a named period (range None, resolved by the selector) or dates."""
    if start_date or end_date:
        if period:
            message = "Give a period or dates (start_date, end_date), not both."
            given = ["start_date"] if start_date else []
            given += ["end_date"] if end_date else []
            raise InvalidInput({"period": message, **dict.fromkeys(given, message)})
        return "custom", _date_range(start_date, end_date, today=today)
    return period or "30d", None


RANGE_RULES = (
    f"start_date and end_date: end not before start, at most {MAX_RANGE_DAYS} days apart "
    "(a 400 names both)."
)
PERIOD_RULES = (
    "Either period or dates (start_date and/or end_date), not both (a 400 names them); "
    + RANGE_RULES
)
StartDate = Annotated[
    ApiDate | None, Query(None, description="First local date (default: 30 days to end_date)")
]
EndDate = Annotated[ApiDate | None, Query(None, description="Last local date (default: today)")]


# -- endpoints ---------------------------------------------------------------------------------


@router.get(
    "/usage",
    response={200: UsageOut, **error_responses(400, 404)},
)
@with_rules(RANGE_RULES)
def usage(
    request: HttpRequest,
    start_date: StartDate = None,
    end_date: EndDate = None,
    tenant_id: TenantId = None,
):
    """Usage over a range of the organisation's local dates: totals, by provider, by type and a
    daily series (every date of the range)."""
    tenant = read_tenant(request, tenant_id)
    window = _date_range(start_date, end_date, today=tenant_today(tenant))
    stats = get_media_usage(tenant, window.start, window.end)
    days = {day.date: day for day in stats.daily}
    daily = []
    for day in window.dates():
        stored = days.get(day)
        daily.append(
            {
                "date": day,
                "totals": _totals(stored.totals if stored else UsageTotals()),
                "by_provider": _groups(stored.by_provider) if stored else {},
                "by_type": _groups(stored.by_type) if stored else {},
            }
        )
    return {
        "tenant_id": tenant,
        "start_date": window.start,
        "end_date": window.end,
        "currency": "USD",
        "totals": _totals(
            UsageTotals(
                stats.total_cost_micros,
                stats.total_generations,
                stats.successes,
                stats.failures,
                decimal_to_micros(stats.cache_savings),
                stats.cache_hits,
            )
        ),
        "by_provider": _groups(stats.by_provider),
        "by_type": _groups(stats.by_type),
        "daily": daily,
    }


@router.get(
    "/costs/by-provider",
    response={200: ProviderCostsOut, **error_responses(400, 404)},
)
@with_rules(PERIOD_RULES)
def costs_by_provider(
    request: HttpRequest,
    period: Annotated[
        TenantPeriod | None,
        Query(None, description="Local periods ending today (default 30d); or dates"),
    ] = None,
    start_date: StartDate = None,
    end_date: EndDate = None,
    tenant_id: TenantId = None,
):
    """Cost per provider over a period of the organisation's local dates."""
    tenant = read_tenant(request, tenant_id)
    name, window = _period_or_range(period, start_date, end_date, today=tenant_today(tenant))
    window = window or tenant_period(tenant, name)
    costs = get_media_costs_by_provider(tenant, window)
    rows = [
        {
            "provider": provider,
            "label": PROVIDER_LABELS.get(provider, provider),
            "cost": dollars(decimal_to_micros(cost)),
            "cost_micros": decimal_to_micros(cost),
        }
        for provider, cost in costs.items()
    ]
    total = sum((row["cost_micros"] for row in rows), 0)
    return {
        "tenant_id": tenant,
        "period": name,
        "start_date": window.start,
        "end_date": window.end,
        "currency": "USD",
        "total": dollars(total),
        "total_micros": total,
        "providers": sorted(rows, key=lambda row: (-row["cost_micros"], row["provider"])),
    }


def _encode_cursor(event: MediaGenerationEvent) -> str:
    raw = json.dumps([event.created_at.isoformat(), event.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, event_id = json.loads(raw)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not isinstance(event_id, str):
            raise ValueError("not a cursor")
        # OverflowError: a time the calendar cannot hold in UTC (0001-01-01T00:00:00+14:00).
        moment = moment.astimezone(UTC)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise InvalidInput(
            cursor="Not a cursor from this API: pass next_cursor as it came."
        ) from None
    return moment, event_id


@router.get("/events", response={200: EventPageOut, **error_responses(400, 404)})
def events(
    request: HttpRequest,
    limit: Annotated[query_int(1, EVENTS_PAGE_MAX), Query(50)] = 50,
    cursor: Annotated[
        str | None,
        Query(None, pattern=CURSOR_PATTERN, description="next_cursor of the last page"),
    ] = None,
    tenant_id: TenantId = None,
):
    """The organisation's generation events, newest first (by time, then id), a page at a time.
    Events recorded after the first page was read appear only on a new first page."""
    tenant = read_tenant(request, tenant_id)
    before = _decode_cursor(cursor) if cursor else None
    found = get_recent_media_events(tenant, limit + 1, before=before)
    page = found[:limit]
    more = len(found) > limit
    return {
        "events": [_event(event) for event in page],
        "next_cursor": _encode_cursor(page[-1]) if more else None,
    }


EVENT_RULES = (
    "model, image_size, resolution and audio ones the price book in effect prices for the "
    "provider (left out: the configured model and the defaults); created_at from the "
    "first price book "
    f"({FIRST_PRICE_DATE}) to 5 minutes ahead of our clock; params at most "
    f"{PARAMS_MAX_CHARS:,} characters of JSON. The same Idempotency-Key with a different body "
    "answers 422 (idempotency_key_reused) and records nothing."
)


@router.post(
    "/events",
    response={200: EventOut, 201: EventOut, **error_responses(400, 403, 422)},
    openapi_extra={
        "responses": {200: {"description": "Already recorded under this key (same body)"}}
    },
)
@with_rules(EVENT_RULES)
def record_event(
    request: HttpRequest,
    payload: EventIn,
    idempotency_key: Annotated[
        str,
        Header(
            ...,
            alias="Idempotency-Key",
            pattern=KEY_PATTERN,
            description="Your id for this generation: the same key and body again records "
            "nothing new; the same key with another body is refused (422)",
            example="looker-2026-11-20-0042",
        ),
    ],
):
    """Record a generation made outside BakedBot (201). The same Idempotency-Key with the same
    body answers 200 with the first recording and records nothing; with another body, 422. A
    refused request uses no key. Without cost or cost_micros the price book prices it (failures
    and cache hits cost $0)."""
    tenant = write_tenant(request)
    now = datetime.now(UTC)
    at = payload.created_at or now
    errors = FieldErrors()
    if at > now + CLOCK_SKEW:
        errors.add("created_at", "Must not be in the future.")
    if payload.cost is not None and payload.cost_micros is not None:
        errors.add("cost", "Send cost or cost_micros, not both.")
        errors.add("cost_micros", "Send cost or cost_micros, not both.")
    if len(json.dumps(payload.params)) > PARAMS_MAX_CHARS:
        errors.add("params", f"At most {PARAMS_MAX_CHARS:,} characters of JSON.")
    errors.raise_if_any()
    cost_micros = payload.cost_micros
    if payload.cost is not None:
        cost_micros = decimal_to_micros(Decimal(payload.cost))
    event = MediaGenerationEvent(
        id=f"api_{tenant}_{idempotency_key}",
        tenant_id=tenant,
        user_id=f"api:{request.auth.token.pk}",
        type=payload.type,
        provider=payload.provider,
        model=payload.model,
        prompt=payload.prompt,
        params=payload.params,
        duration_seconds=getattr(payload, "duration_seconds", None),
        image_size=getattr(payload, "image_size", None) or "",
        resolution=getattr(payload, "resolution", None) or "",
        audio=getattr(payload, "audio", None),
        input_tokens=getattr(payload, "input_tokens", None),
        output_tokens=getattr(payload, "output_tokens", None),
        cost_micros=cost_micros,
        success=payload.success,
        error=payload.error,
        generation_ms=payload.generation_ms,
        created_at=at,
        content_id=payload.content_id,
        cache_hit=payload.cache_hit,
    )
    # The key (with the body's fingerprint) is claimed in the transaction that records the event:
    # a refusal or an outage of the store rolls it back, so the client retries with the same key.
    with transaction.atomic():
        claim_idempotency_key(
            tenant_id=tenant,
            scope="events",
            key=idempotency_key,
            fingerprint=request_fingerprint(payload.model_dump(mode="json")),
        )
        recorded = record_media_generation(event)
    return Status(201 if recorded.created else 200, _event(recorded.event))


ESTIMATE_RULES = (
    "provider makes the type (image, image_edit: gemini-flash, "
    "gemini-pro, imagen; video: veo, sora); duration_seconds is required for a video and only "
    "for a video; count only for images. A 400 names both parameters."
)


@router.get(
    "/estimate",
    response={200: EstimateOut, **error_responses(400)},
)
@with_rules(ESTIMATE_RULES)
def estimate(
    request: HttpRequest,
    type: Literal[IMAGE, VIDEO, IMAGE_EDIT],  # type: ignore[valid-type]
    provider: Literal[IMAGE_PROVIDERS + VIDEO_PROVIDERS],  # type: ignore[valid-type]
    duration_seconds: Annotated[
        query_int(1, MAX_VIDEO_SECONDS) | None, Query(None, description="Videos (required)")
    ] = None,
    count: Annotated[
        query_int(1, MAX_IMAGE_COUNT) | None, Query(None, description="Images (default 1)")
    ] = None,
    image_size: Annotated[
        Literal[IMAGE_SIZES] | None,  # type: ignore[valid-type]
        Query(None, description="Images priced by size (default 1K)"),
    ] = None,
    resolution: Annotated[
        str | None, Query(None, pattern=RESOLUTION_PATTERN, description="Videos (default 720p)")
    ] = None,
    audio: Annotated[bool | None, Query(None, description="Videos (default true)")] = None,
    input_tokens: Annotated[
        query_int(0, MAX_TOKENS) | None, Query(None, description="Text (required)")
    ] = None,
    output_tokens: Annotated[
        query_int(0, MAX_TOKENS) | None, Query(None, description="Text (required)")
    ] = None,
):
    """What a generation would cost under today's price book, by the provider's configured
    model and the billed dimensions (videos by clip plan, resolution and audio; images by size;
    text by tokens)."""
    errors = FieldErrors()
    kind_providers = {VIDEO: VIDEO_PROVIDERS, TEXT: TEXT_PROVIDERS}.get(type, IMAGE_PROVIDERS)
    if provider not in kind_providers:
        message = f"type {type} is made by {', '.join(kind_providers)}."
        errors.add("type", message)
        errors.add("provider", message)
    if type == VIDEO:
        if duration_seconds is None:
            errors.add("type", "A video's estimate needs duration_seconds.")
            errors.add("duration_seconds", "Required for type=video.")
        if count is not None:
            errors.add("type", "count is for images; a video has duration_seconds.")
            errors.add("count", "Only for images.")
    elif duration_seconds is not None:
        errors.add("type", "Only a video has duration_seconds.")
        errors.add("duration_seconds", "Only for type=video.")
    errors.raise_if_any()
    options: dict[str, Any] = {"count": count or 1}
    if duration_seconds is not None:
        options["duration_seconds"] = duration_seconds
    dimensions = {
        "image_size": image_size,
        "resolution": resolution,
        "audio": audio,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
    }
    options.update({name: value for name, value in dimensions.items() if value is not None})
    result = estimate_media_cost(type, provider, options)
    return {
        "type": result.type,
        "provider": result.provider,
        "currency": result.currency,
        "cost": dollars(result.cost_micros),
        "cost_micros": result.cost_micros,
        "price_version": result.price_version,
        "duration_seconds": result.duration_seconds,
        "billed_seconds": result.billed_seconds,
        "clip_plan": list(result.clip_plan) if result.clip_plan else None,
        "breakdown": [
            {
                "label": line.label,
                "quantity": line.quantity,
                "unit_cost": dollars(decimal_to_micros(line.unit_cost)),
                "cost": dollars(decimal_to_micros(line.cost)),
            }
            for line in result.breakdown
        ],
    }


@router.get("/budget", response={200: BudgetOut, **error_responses(400, 404)})
def budget(request: HttpRequest, tenant_id: TenantId = None):
    """Spent, held, limit, remaining and state for the organisation's local day, week (from
    Monday) and calendar month, with each period's start and next reset."""
    tenant = read_tenant(request, tenant_id)
    status = get_media_budget_status(tenant)
    config = status.config
    return {
        "tenant_id": tenant,
        "time_zone": status.time_zone,
        "as_of": status.as_of,
        "state": status.state,
        "limits": {
            "daily_limit": _dollars_or_none(config.settings.daily_limit_micros),
            "weekly_limit": _dollars_or_none(config.settings.weekly_limit_micros),
            "monthly_limit": _dollars_or_none(config.settings.monthly_limit_micros),
            "soft_threshold_percent": config.soft_threshold_percent,
            "hard_limit_enabled": config.hard_limit_enabled,
        },
        "periods": [
            {
                "period": str(row.period),
                "state": row.state,
                "spent": dollars(row.spent_micros),
                "spent_micros": row.spent_micros,
                "held": dollars(row.held_micros),
                "held_micros": row.held_micros,
                "used": dollars(row.used_micros),
                "used_micros": row.used_micros,
                "limit": _dollars_or_none(row.limit_micros),
                "limit_micros": row.limit_micros,
                "remaining": _dollars_or_none(row.remaining_micros),
                "remaining_micros": row.remaining_micros,
                "percent": None if row.percent is None else str(row.percent),
                "period_start": row.period_start,
                "next_reset": row.next_reset,
            }
            for row in status.periods
        ],
    }


@router.get("/alerts", response={200: AlertsOut, **error_responses(400, 404)})
def alerts(
    request: HttpRequest,
    include_acknowledged: Annotated[QueryBool, Query(True)] = True,
    limit: Annotated[query_int(1, 200), Query(50)] = 50,
    tenant_id: TenantId = None,
):
    """The organisation's budget alerts, newest first."""
    tenant = read_tenant(request, tenant_id)
    found = get_media_cost_alerts(tenant, include_acknowledged=include_acknowledged, limit=limit)
    return {
        "tenant_id": tenant,
        "alerts": [
            {
                "id": alert.id,
                "kind": alert.kind,
                "kind_label": alert.kind_label,
                "severity": alert.severity,
                "period": str(alert.period),
                "period_start": alert.period_start,
                "threshold_percent": alert.threshold_percent,
                "message": alert.message,
                "limit": dollars(alert.limit_micros),
                "spent": dollars(alert.spent_micros),
                "held": dollars(alert.held_micros),
                "requested": dollars(alert.requested_micros),
                "created_at": alert.created_at,
                "acknowledged_at": alert.acknowledged_at,
            }
            for alert in found
        ],
    }


class ReconciliationDayOut(BaseModel):
    date: date  # a UTC day: the providers bill by UTC day
    provider: str = Field(description="The bill: google (Gemini API) or openai")
    recorded: str
    recorded_micros: int
    billed: str
    billed_micros: int
    difference: str = Field(description="Recorded minus billed")
    difference_micros: int
    difference_percent: str | None = Field(description="Of the bill, one decimal; null: no bill")
    flagged: bool = Field(description="Off by more than 2% of the bill")


class ReconciliationOut(BaseModel):
    start_date: date
    end_date: date
    currency: str
    flagged_days: int
    days: list[ReconciliationDayOut]


@router.get(
    "/global/reconciliation",
    response={200: ReconciliationOut, **error_responses(400, 403)},
)
def global_reconciliation(
    request: HttpRequest,
    start_date: Annotated[
        ApiDate | None, Query(None, description="First UTC day (default: 30 days before the end)")
    ] = None,
    end_date: Annotated[
        ApiDate | None, Query(None, description="Last UTC day (default: today)")
    ] = None,
):
    """What we recorded against what the providers billed, per UTC day and bill (platform tokens
    only): real (not simulated) generations by the provider keys each bill covers, against the
    imported bill lines (manage.py costs_import_bill or the Bills page). A day off by more than
    2% is flagged. 400 names start_date and end_date when the end comes first or the range is
    too long; 403 for a tenant token."""
    require_platform(request)
    window = _date_range(start_date, end_date, today=datetime.now(UTC).date())
    days = reconcile(start=window.start, end=window.end)
    return {
        "start_date": window.start,
        "end_date": window.end,
        "currency": "USD",
        "flagged_days": sum(1 for day in days if day.flagged),
        "days": [
            {
                "date": day.day,
                "provider": day.provider,
                "recorded": dollars(day.recorded_micros),
                "recorded_micros": day.recorded_micros,
                "billed": dollars(day.billed_micros),
                "billed_micros": day.billed_micros,
                "difference": dollars(day.difference_micros),
                "difference_micros": day.difference_micros,
                "difference_percent": (
                    None if day.difference_percent is None else str(day.difference_percent)
                ),
                "flagged": day.flagged,
            }
            for day in days
        ],
    }


@router.get(
    "/global/costs",
    response={200: GlobalCostsOut, **error_responses(400, 403)},
)
@with_rules(PERIOD_RULES)
def global_costs(
    request: HttpRequest,
    period: Annotated[
        GlobalPeriod | None,
        Query(None, description="Platform dates ending today (default 30d); or dates"),
    ] = None,
    start_date: StartDate = None,
    end_date: EndDate = None,
):
    """The whole platform (platform tokens only): totals against the previous period of the same
    length, by provider, by organisation (highest cost first) and per day."""
    require_platform(request)
    name, window = _period_or_range(period, start_date, end_date, today=platform_today())
    data = get_global_media_costs(window or name)
    return {
        "period": name,
        "start_date": data.period.start,
        "end_date": data.period.end,
        "previous_start_date": data.previous_period.start,
        "previous_end_date": data.previous_period.end,
        "currency": "USD",
        "totals": _totals(data.totals),
        "previous_totals": _totals(data.previous_totals),
        "by_provider": [
            {
                "provider": row.provider,
                "label": row.label,
                "share": float(round(row.share, 4)),
                "totals": _totals(row.totals),
            }
            for row in data.by_provider
        ],
        "by_tenant": [
            {
                "tenant_id": row.tenant_id,
                "name": row.name,
                "share": float(round(row.share, 4)),
                "totals": _totals(row.totals),
            }
            for row in data.by_tenant
        ],
        "daily": [
            {
                "date": day.date,
                "totals": _totals(day.totals),
                "by_provider": _groups(day.by_provider),
            }
            for day in data.daily
        ],
    }
