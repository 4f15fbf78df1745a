"""The price book and cost calculation.

Prices are data: each file in ``costs/pricebook/`` is one effective-dated version
(``YYYY-MM-DD.json``, effective from 00:00 UTC of its ``effective_from`` date). Adding a file adds
a version without a code change; every event stores the price and the version it was charged at,
so a later version never rewrites history.

A video whose duration is not one supported clip length is priced as a *clip plan*: the cheapest
sequence of clip lengths whose total is at least the requested duration.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from bakedbot.errors import InvalidInput
from costs.money import decimal_to_micros, micros_to_decimal

PRICEBOOK_DIR = Path(__file__).resolve().parent / "pricebook"

IMAGE = "image"
VIDEO = "video"
IMAGE_EDIT = "image_edit"
MEDIA_TYPES = (IMAGE, VIDEO, IMAGE_EDIT)
IMAGE_PROVIDERS = ("gemini-flash", "gemini-pro", "imagen")
VIDEO_PROVIDERS = ("veo", "sora")
PROVIDERS = IMAGE_PROVIDERS + VIDEO_PROVIDERS
PROVIDER_LABELS = {
    "gemini-flash": "Gemini Flash",
    "gemini-pro": "Gemini Pro",
    "imagen": "Imagen",
    "veo": "Veo",
    "sora": "Sora",
}
MAX_VIDEO_SECONDS = 300
MAX_IMAGE_COUNT = 100


@dataclass(frozen=True)
class ProviderPrice:
    provider: str
    kind: str  # "image" or "video"
    per_image_micros: int | None = None
    clip_micros: dict[int, int] = field(default_factory=dict)  # clip seconds -> price


@dataclass(frozen=True)
class PriceBookVersion:
    version: str
    effective_from: date
    currency: str
    prices: dict[str, ProviderPrice]

    def price_for(self, provider: str) -> ProviderPrice:
        try:
            return self.prices[provider]
        except KeyError:
            raise InvalidInput(
                provider=f"Unknown provider {provider!r} in price book {self.version}; "
                f"known providers: {', '.join(sorted(self.prices))}"
            ) from None


@dataclass(frozen=True)
class CostLine:
    label: str
    quantity: int
    unit_cost: Decimal
    cost: Decimal


@dataclass(frozen=True)
class MediaCostEstimate:
    type: str
    provider: str
    cost: Decimal
    cost_micros: int
    currency: str
    price_version: str
    breakdown: tuple[CostLine, ...]
    clip_plan: tuple[int, ...] | None = None  # clip lengths in seconds, longest first
    duration_seconds: int | None = None  # requested duration (videos)
    billed_seconds: int | None = None  # the plan's total (videos)


def _parse_version(data: dict[str, Any], source: str) -> PriceBookVersion:
    try:
        prices = {}
        for provider, raw in data["providers"].items():
            if raw["kind"] == IMAGE:
                prices[provider] = ProviderPrice(
                    provider, IMAGE, per_image_micros=decimal_to_micros(raw["per_image"])
                )
            elif raw["kind"] == VIDEO:
                clips = {int(sec): decimal_to_micros(price) for sec, price in raw["clips"].items()}
                if not clips or min(clips) <= 0:
                    raise ValueError(f"{provider}: clip lengths must be positive")
                prices[provider] = ProviderPrice(provider, VIDEO, clip_micros=clips)
            else:
                raise ValueError(f"{provider}: kind must be image or video")
        return PriceBookVersion(
            version=str(data["version"]),
            effective_from=date.fromisoformat(data["effective_from"]),
            currency=data.get("currency", "USD"),
            prices=prices,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"Price book {source} is invalid: {exc}") from exc


@cache
def price_book_versions() -> tuple[PriceBookVersion, ...]:
    """Every version in ``costs/pricebook/``, oldest first."""
    versions = [
        _parse_version(json.loads(path.read_text()), path.name)
        for path in sorted(PRICEBOOK_DIR.glob("*.json"))
    ]
    if not versions:
        raise ValueError(f"No price book versions in {PRICEBOOK_DIR}")
    return tuple(sorted(versions, key=lambda v: v.effective_from))


def price_book(at: datetime | None = None) -> PriceBookVersion:
    """The version in effect at the aware instant ``at`` (now by default); ``InvalidInput`` on
    ``at`` before the first version."""
    moment = at or datetime.now(UTC)
    if moment.tzinfo is None:
        raise InvalidInput(at="at must be an aware datetime")
    day = moment.astimezone(UTC).date()
    versions = price_book_versions()
    effective = [v for v in versions if v.effective_from <= day]
    if not effective:
        raise InvalidInput(
            at=f"No price book is in effect on {day.isoformat()}; "
            f"the first starts {versions[0].effective_from.isoformat()}"
        )
    return effective[-1]


def _check_type(type: str) -> None:
    if type not in MEDIA_TYPES:
        raise InvalidInput(type=f"Unknown type {type!r}; expected one of: {', '.join(MEDIA_TYPES)}")


def _check_provider(provider: str, kind: str, book: PriceBookVersion) -> ProviderPrice:
    price = book.price_for(provider)
    if price.kind != kind:
        raise InvalidInput(
            provider=f"Provider {provider!r} makes {price.kind}s, not {kind}s "
            f"(type {kind!r} needs one of: "
            f"{', '.join(p for p, v in book.prices.items() if v.kind == kind)})"
        )
    return price


def _check_duration(duration_seconds: Any) -> int:
    if isinstance(duration_seconds, bool) or not isinstance(
        duration_seconds, int | Decimal | float
    ):
        raise InvalidInput(
            duration_seconds="duration_seconds must be a whole number of seconds, "
            f"not {duration_seconds!r}"
        )
    if not Decimal(duration_seconds).is_finite() or duration_seconds != int(duration_seconds):
        raise InvalidInput(
            duration_seconds="duration_seconds must be a whole number of seconds, "
            f"not {duration_seconds}"
        )
    seconds = int(duration_seconds)
    if seconds <= 0:
        raise InvalidInput(duration_seconds=f"duration_seconds must be positive, not {seconds}")
    if seconds > MAX_VIDEO_SECONDS:
        raise InvalidInput(
            duration_seconds=f"duration_seconds must be at most {MAX_VIDEO_SECONDS}, not {seconds}"
        )
    return seconds


def clip_plan(clip_micros: dict[int, int], duration_seconds: int) -> tuple[int, ...]:
    """The cheapest clips whose total is at least ``duration_seconds``; see ``_clip_plan``."""
    return _clip_plan(tuple(sorted(clip_micros.items())), duration_seconds)


@lru_cache(maxsize=4096)
def _clip_plan(clip_prices: tuple[tuple[int, int], ...], duration_seconds: int) -> tuple[int, ...]:
    """The cheapest clips whose total is at least ``duration_seconds``.

    Ties go to fewer clips, then to the shorter total, then to longer clips first — so the answer
    is deterministic. Dynamic programming over totals up to the duration plus the longest clip.
    """
    clip_micros = dict(clip_prices)
    longest = max(clip_micros)
    limit = duration_seconds + longest
    # best[t] = (cost, clip count, clips) of the best plan totalling exactly t seconds
    best: list[tuple[int, int, tuple[int, ...]] | None] = [None] * (limit + 1)
    best[0] = (0, 0, ())
    for total in range(1, limit + 1):
        for seconds, micros in clip_micros.items():
            previous = best[total - seconds] if seconds <= total else None
            if previous is None:
                continue
            clips = tuple(sorted((*previous[2], seconds), reverse=True))
            candidate = (previous[0] + micros, previous[1] + 1, clips)
            current = best[total]
            if current is None or (candidate[0], candidate[1], _desc_key(candidate[2])) < (
                current[0],
                current[1],
                _desc_key(current[2]),
            ):
                best[total] = candidate
    options = [
        (plan[0], plan[1], total, _desc_key(plan[2]), plan[2])
        for total, plan in enumerate(best)
        if plan is not None and total >= duration_seconds
    ]
    return min(options)[4]


def _desc_key(clips: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(-c for c in clips)


def calculate_image_cost(provider: str, *, at: datetime | None = None) -> Decimal:
    """Price of one image from ``provider`` in the price book in effect at ``at`` (now)."""
    return micros_to_decimal(_image_micros(provider, price_book(at)))


def _image_micros(provider: str, book: PriceBookVersion) -> int:
    price = _check_provider(provider, IMAGE, book)
    assert price.per_image_micros is not None
    return price.per_image_micros


def calculate_video_cost(
    provider: str, duration_seconds: int, *, at: datetime | None = None
) -> Decimal:
    """Price of a ``duration_seconds`` video from ``provider`` (a clip plan when needed)."""
    return estimate_media_cost(VIDEO, provider, {"duration_seconds": duration_seconds}, at=at).cost


def estimate_media_cost(
    type: str, provider: str, options: dict[str, Any] | None = None, *, at: datetime | None = None
) -> MediaCostEstimate:
    """What a generation will cost, with the price version and the breakdown.

    ``options``: ``duration_seconds`` (videos, required), ``count`` (images, default 1).
    Raises ``InvalidInput`` on the field at fault (``type``, ``provider``, ``duration_seconds``,
    ``count``, or ``at`` before the first price book).
    """
    options = options or {}
    book = price_book(at)
    _check_type(type)
    if type == VIDEO:
        price = _check_provider(provider, VIDEO, book)
        if options.get("duration_seconds") is None:
            raise InvalidInput(duration_seconds="duration_seconds is required for a video")
        seconds = _check_duration(options["duration_seconds"])
        plan = clip_plan(price.clip_micros, seconds)
        lines = []
        for clip in sorted(set(plan), reverse=True):
            quantity = plan.count(clip)
            unit = micros_to_decimal(price.clip_micros[clip])
            lines.append(CostLine(f"{provider} {clip} s clip", quantity, unit, unit * quantity))
        micros = sum(price.clip_micros[clip] for clip in plan)
        return MediaCostEstimate(
            type=type,
            provider=provider,
            cost=micros_to_decimal(micros),
            cost_micros=micros,
            currency=book.currency,
            price_version=book.version,
            breakdown=tuple(lines),
            clip_plan=plan,
            duration_seconds=seconds,
            billed_seconds=sum(plan),
        )
    count = options.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_IMAGE_COUNT:
        raise InvalidInput(
            count=f"count must be a whole number from 1 to {MAX_IMAGE_COUNT}, not {count!r}"
        )
    unit_micros = _image_micros(provider, book)
    unit = micros_to_decimal(unit_micros)
    label = f"{provider} {'image edit' if type == IMAGE_EDIT else 'image'}"
    return MediaCostEstimate(
        type=type,
        provider=provider,
        cost=micros_to_decimal(unit_micros * count),
        cost_micros=unit_micros * count,
        currency=book.currency,
        price_version=book.version,
        breakdown=(CostLine(label, count, unit, unit * count),),
    )


def providers_for(type: str, *, at: datetime | None = None) -> list[str]:
    """The providers that can make ``type`` in the price book in effect at ``at``."""
    _check_type(type)
    kind = VIDEO if type == VIDEO else IMAGE
    return [p for p, price in price_book(at).prices.items() if price.kind == kind]


def compare_provider_costs(
    type: str, options: dict[str, Any] | None = None, *, at: datetime | None = None
) -> list[MediaCostEstimate]:
    """Estimates from every provider that can make ``type``, cheapest first."""
    estimates = [
        estimate_media_cost(type, provider, options, at=at)
        for provider in providers_for(type, at=at)
    ]
    return sorted(estimates, key=lambda e: (e.cost_micros, e.provider))


def cheapest_provider(
    type: str, options: dict[str, Any] | None = None, *, at: datetime | None = None
) -> MediaCostEstimate:
    """The cheapest provider's estimate for the request (ties broken by provider name)."""
    return compare_provider_costs(type, options, at=at)[0]


def cost_difference(
    type: str,
    provider_a: str,
    provider_b: str,
    options: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> Decimal:
    """How much more ``provider_a`` costs than ``provider_b`` for the same request (may be < 0)."""
    a = estimate_media_cost(type, provider_a, options, at=at)
    b = estimate_media_cost(type, provider_b, options, at=at)
    return a.cost - b.cost
