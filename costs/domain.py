"""The cost core's domain objects: plain dataclasses, whatever store is underneath."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any

from bakedbot.errors import InvalidInput
from costs.money import micros_to_decimal

PROMPT_MAX_CHARS = 2000
ERROR_MAX_CHARS = 1000


def new_event_id() -> str:
    """A client key for a generation that has no provider operation id."""
    return f"gen_{secrets.token_hex(10)}"


@dataclass(frozen=True)
class MediaGenerationEvent:
    """One generation (or cache hit) as charged. ``id`` makes recording it idempotent.

    ``cost_micros`` None means "price it": ``track_media_generation`` fills it (and
    ``price_version``) from the price book in effect at ``created_at``.
    """

    id: str
    tenant_id: str
    user_id: str
    type: str
    provider: str
    model: str = ""
    prompt: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    duration_seconds: int | None = None
    cost_micros: int | None = None
    price_version: str = ""
    success: bool = True
    error: str = ""
    generation_ms: int | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    content_id: str | None = None
    playbook_run_id: str | None = None
    cache_hit: bool = False
    saved_micros: int = 0
    simulated: bool = False
    # The billed dimensions it was priced on (``costs.pricing``), filled in when it is priced:
    # an image model's output size, a video's resolution and audio, a text call's token counts.
    image_size: str = ""
    resolution: str = ""
    audio: bool | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise InvalidInput(created_at="created_at must be an aware datetime")
        # Stored in UTC; trimmed text so a runaway prompt or error cannot bloat the store.
        object.__setattr__(self, "created_at", self.created_at.astimezone(UTC))
        object.__setattr__(self, "prompt", (self.prompt or "")[:PROMPT_MAX_CHARS])
        object.__setattr__(self, "error", (self.error or "")[:ERROR_MAX_CHARS])

    @property
    def cost(self) -> Decimal:
        return micros_to_decimal(self.cost_micros or 0)

    @property
    def cost_usd(self) -> Decimal:
        return self.cost

    @property
    def saved(self) -> Decimal:
        return micros_to_decimal(self.saved_micros)

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class UsageTotals:
    """Sums over a set of events: what daily aggregates and rollups hold."""

    cost_micros: int = 0
    count: int = 0
    successes: int = 0
    failures: int = 0
    saved_micros: int = 0
    cache_hits: int = 0

    FIELDS = ("cost_micros", "count", "successes", "failures", "saved_micros", "cache_hits")

    @classmethod
    def of_event(cls, event: MediaGenerationEvent) -> UsageTotals:
        return cls(
            cost_micros=event.cost_micros or 0,
            count=1,
            successes=1 if event.success else 0,
            failures=0 if event.success else 1,
            saved_micros=event.saved_micros,
            cache_hits=1 if event.cache_hit else 0,
        )

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> UsageTotals:
        data = data or {}
        return cls(**{name: int(data.get(name) or 0) for name in cls.FIELDS})

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.FIELDS}

    def __add__(self, other: UsageTotals) -> UsageTotals:
        # Spelled out: dashboards add thousands of these per request.
        return UsageTotals(
            self.cost_micros + other.cost_micros,
            self.count + other.count,
            self.successes + other.successes,
            self.failures + other.failures,
            self.saved_micros + other.saved_micros,
            self.cache_hits + other.cache_hits,
        )

    def __sub__(self, other: UsageTotals) -> UsageTotals:
        return UsageTotals(
            self.cost_micros - other.cost_micros,
            self.count - other.count,
            self.successes - other.successes,
            self.failures - other.failures,
            self.saved_micros - other.saved_micros,
            self.cache_hits - other.cache_hits,
        )

    @property
    def cost(self) -> Decimal:
        return micros_to_decimal(self.cost_micros)

    @property
    def saved(self) -> Decimal:
        return micros_to_decimal(self.saved_micros)

    @property
    def success_rate(self) -> Decimal:
        """Successes / count as a fraction (0 when there are none)."""
        if not self.count:
            return Decimal(0)
        return Decimal(self.successes) / Decimal(self.count)

    @property
    def average_cost(self) -> Decimal:
        if not self.count:
            return Decimal(0)
        return micros_to_decimal(self.cost_micros) / self.count


@dataclass(frozen=True)
class UsageBreakdown:
    """Totals over a period, split by provider and by type."""

    totals: UsageTotals = field(default_factory=UsageTotals)
    by_provider: dict[str, UsageTotals] = field(default_factory=dict)
    by_type: dict[str, UsageTotals] = field(default_factory=dict)


@dataclass(frozen=True)
class DailyUsage:
    """One local date's totals, split by provider and by type."""

    date: date
    totals: UsageTotals
    by_provider: dict[str, UsageTotals]
    by_type: dict[str, UsageTotals]


@dataclass(frozen=True)
class MediaUsageStats:
    """``get_media_usage``: a tenant's usage over a range of its local dates (inclusive)."""

    tenant_id: str
    start_date: date
    end_date: date
    total_cost: Decimal
    total_cost_micros: int
    total_generations: int
    successes: int
    failures: int
    success_rate: Decimal
    cache_hits: int
    cache_savings: Decimal
    image_count: int
    video_count: int
    by_provider: dict[str, UsageTotals]
    by_type: dict[str, UsageTotals]
    # Per-day rows are read only when a caller asks for them (charts): the totals above come from
    # one grouped read whose cost does not depend on how many days have usage.
    daily_loader: Callable[[], list[DailyUsage]] = field(default=list, compare=False, repr=False)

    @property
    def total_cost_usd(self) -> Decimal:
        return self.total_cost

    @cached_property
    def daily(self) -> list[DailyUsage]:
        """The range's dates that have usage, oldest first, split by provider and by type."""
        return self.daily_loader()


@dataclass(frozen=True)
class RecomputeReport:
    """What ``recompute_aggregates`` found: documents or rows it repaired."""

    events: int
    checked: int
    repaired: list[str]

    @property
    def clean(self) -> bool:
        return not self.repaired
