"""The price book and cost calculation.

Prices are data. Each file in ``costs/pricebook/`` is one effective-dated base version
(``YYYY-MM-DD.json``, effective from 00:00 UTC of its ``effective_from`` date); super admins add
versions and corrections without a code change (``costs.price_versions``, stored in the Django
database). Every event stores the price version it was charged at and every dimension it was
priced on, so a later version never rewrites history (only ``costs_reprice`` does, on purpose).

A generation is priced by what the provider bills: the provider key, the model id that served it
and the billed dimensions — the output size of an image model that has sizes (1K/2K/4K); a video
model's resolution and audio, per second or per clip as the provider bills; a text model's input
and output tokens. A price book file has one of two shapes per provider:

- the first version's flat shape, ``{"kind": "image", "per_image": "0.04"}`` or
  ``{"kind": "video", "clips": {"4": "0.50", ...}}``: one price whatever the model or dimensions;
- ``{"kind": ..., "models": {model id: price}}`` where an image price is ``{"per_image": "0.039"}``
  or ``{"sizes": {"1K": ..., "2K": ..., "4K": ...}}``; a video price is ``{"clip_seconds": [4, 8],
  "per_second": {resolution: {"audio": ..., "silent": ...}}}`` or ``{"per_clip": {resolution:
  {"audio": {"4": ...}}}}``; a text price is ``{"input_per_million": ..., "output_per_million":
  ...}`` (dollars per million tokens = micro-dollars per token). Each model says its ``source``.

A video whose duration is not one supported clip length is priced as a *clip plan*: the cheapest
sequence of clip lengths whose total is at least the requested duration.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings

from bakedbot.errors import InvalidInput
from costs.money import decimal_to_micros, micros_to_decimal

PRICEBOOK_DIR = Path(__file__).resolve().parent / "pricebook"

IMAGE = "image"
VIDEO = "video"
IMAGE_EDIT = "image_edit"
TEXT = "text"
MEDIA_TYPES = (IMAGE, VIDEO, IMAGE_EDIT, TEXT)
KINDS = (IMAGE, VIDEO, TEXT)  # what a price book entry prices; an image edit is priced as an image
IMAGE_PROVIDERS = ("gemini-flash", "gemini-pro", "imagen")
VIDEO_PROVIDERS = ("veo", "sora")
TEXT_PROVIDERS = ("gemini-text", "openai-text")
PROVIDERS = IMAGE_PROVIDERS + VIDEO_PROVIDERS + TEXT_PROVIDERS
PROVIDER_LABELS = {
    "gemini-flash": "Gemini Flash",
    "gemini-pro": "Gemini Pro",
    "imagen": "Imagen",
    "veo": "Veo",
    "sora": "Sora",
    "gemini-text": "Gemini (text)",
    "openai-text": "OpenAI (text)",
}
MAX_VIDEO_SECONDS = 300
MAX_IMAGE_COUNT = 100
MAX_TOKENS = 10_000_000
IMAGE_SIZES = ("1K", "2K", "4K")
DEFAULT_IMAGE_SIZE = "1K"  # what Gemini makes when no imageSize is sent
DEFAULT_RESOLUTION = "720p"
AUDIO = "audio"
SILENT = "silent"
ANY = "*"  # a flat (first-shape) price: any model, any dimension
MILLION = Decimal(1_000_000)
# How long a process keeps the stored versions it read: a version added by a super admin starts
# on a future date (tomorrow at the earliest), so a minute's delay can never misprice an event.
STORED_VERSIONS_TTL_SECONDS = 60.0


@dataclass(frozen=True)
class ModelPrice:
    """What one model of one provider costs, per billed dimension (micro-dollars)."""

    provider: str
    kind: str
    model: str  # ``ANY`` for a flat price
    source: str = ""
    per_image_micros: int | None = None
    size_micros: dict[str, int] = field(default_factory=dict)  # image size -> price
    billing: str = ""  # videos: "per_second" or "per_clip"
    clip_seconds: tuple[int, ...] = ()
    # videos: (resolution, "audio"|"silent") -> price per second (per_second billing)
    per_second_micros: dict[tuple[str, str], int] = field(default_factory=dict)
    # videos: (resolution, "audio"|"silent") -> clip seconds -> price (per_clip billing)
    clip_micros: dict[tuple[str, str], dict[int, int]] = field(default_factory=dict)
    input_per_million: Decimal | None = None  # text: dollars per million tokens
    output_per_million: Decimal | None = None

    def prices_image_size(self, size: str) -> bool:
        """Whether an image of ``size`` has a price (a flat per-image price prices any)."""
        return not self.size_micros or size in self.size_micros

    def prices_resolution(self, resolution: str) -> bool:
        """Whether a video at ``resolution`` has a price (with audio or silent; the first
        version's per-clip price, for any resolution, prices every one)."""
        keys = self.per_second_micros.keys() | self.clip_micros.keys()
        return any(priced in (resolution, ANY) for priced, _audio in keys)

    def dimension_prices(self) -> dict[str, str]:
        """Every priced dimension as ``{"size 4K": "0.24", ...}`` (dollars): the versions page's
        difference between two versions compares these."""
        out: dict[str, str] = {}
        if self.per_image_micros is not None:
            out["per image"] = str(micros_to_decimal(self.per_image_micros))
        for size, micros in self.size_micros.items():
            out[f"size {size}"] = str(micros_to_decimal(micros))
        for (resolution, audio), micros in self.per_second_micros.items():
            out[f"{resolution} {audio} per second"] = str(micros_to_decimal(micros))
        for (resolution, audio), clips in self.clip_micros.items():
            for seconds, micros in sorted(clips.items()):
                label = "" if resolution == ANY else f"{resolution} {audio} "
                out[f"{label}{seconds} s clip"] = str(micros_to_decimal(micros))
        if self.input_per_million is not None:
            out["input per million tokens"] = str(self.input_per_million)
        if self.output_per_million is not None:
            out["output per million tokens"] = str(self.output_per_million)
        return out


@dataclass(frozen=True)
class ProviderPrice:
    provider: str
    kind: str  # "image", "video" or "text"
    label: str
    models: dict[str, ModelPrice]

    @property
    def flat(self) -> bool:
        return ANY in self.models


@dataclass(frozen=True)
class PriceBookVersion:
    version: str
    effective_from: date
    currency: str
    prices: dict[str, ProviderPrice]
    note: str = ""
    origin: str = "file"  # "file" (shipped with the code) or "stored" (added by a super admin)
    data: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def price_for(self, provider: str) -> ProviderPrice:
        try:
            return self.prices[provider]
        except KeyError:
            raise InvalidInput(
                provider=f"Unknown provider {provider!r} in price book {self.version}; "
                f"known providers: {', '.join(sorted(self.prices))}"
            ) from None

    def model_price(self, provider: str, model: str) -> ModelPrice:
        """The price of ``model`` (``models/`` prefix ignored), or the provider's flat price;
        ``InvalidInput`` on ``model`` when this version does not price it."""
        price = self.price_for(provider)
        model_id = (model or "").removeprefix("models/")
        if model_id in price.models:
            return price.models[model_id]
        if ANY in price.models:
            return price.models[ANY]
        raise InvalidInput(
            model=f"Price book {self.version} has no price for provider {provider!r} model "
            f"{model_id or '(none)'!r}; it prices: {', '.join(sorted(price.models))}"
        )

    def dimension_prices(self) -> dict[tuple[str, str, str], str]:
        """``(provider, model, dimension) -> dollars`` for every price in this version."""
        return {
            (provider, model, dimension): value
            for provider, price in self.prices.items()
            for model, model_price in price.models.items()
            for dimension, value in model_price.dimension_prices().items()
        }


@dataclass(frozen=True)
class CostLine:
    label: str
    quantity: int
    unit_cost: Decimal
    cost: Decimal
    unit: str = ""  # what ``quantity`` counts: "image", "clip", "second", "token"


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
    model: str = ""  # the model priced ("" for a flat price that names none)
    image_size: str = ""
    resolution: str = ""
    audio: bool | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None

    @property
    def dimensions(self) -> dict[str, Any]:
        """The billed dimensions this estimate priced, as an event stores them."""
        return {
            "model": self.model,
            "image_size": self.image_size,
            "resolution": self.resolution,
            "audio": self.audio,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
        }

    @property
    def summary(self) -> str:
        """One line for people: "2 x 8 s clips at 720p with audio", "4K image", "1,200 tokens"."""
        return "; ".join(
            f"{line.quantity:,} x {line.label} at ${line.unit_cost}" for line in self.breakdown
        )


# --- parsing and validation -------------------------------------------------------------------


def _price(value: Any, where: str) -> int:
    """A price from the file: a plain decimal string of dollars, >= 0, whole micro-dollars."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInput(price_book=f"{where}: the price must be a decimal string, not {value!r}")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidInput(price_book=f"{where}: {value!r} is not a decimal price") from None
    if not amount.is_finite() or "e" in str(value).lower():
        raise InvalidInput(price_book=f"{where}: {value!r} is not a decimal price")
    if amount < 0:
        raise InvalidInput(price_book=f"{where}: the price must not be negative, not {value}")
    if amount != amount.quantize(Decimal("0.000001")):
        raise InvalidInput(price_book=f"{where}: {value} has more than 6 decimal places")
    return decimal_to_micros(amount)


def _rate(value: Any, where: str) -> Decimal:
    """A text rate (dollars per million tokens): a plain decimal string, not negative."""
    micros = _price(value, where)
    return micros_to_decimal(micros)


def _required_price(prices: dict[str, Any], key: str, where: str) -> int:
    """``prices[key]`` as a price; ``InvalidInput`` naming ``where`` when the file leaves it out."""
    if key not in prices:
        raise InvalidInput(price_book=f"{where}: missing price")
    return _price(prices[key], where)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise InvalidInput(price_book=f"{where}: missing price")
    return value


def _parse_model(provider: str, kind: str, model: str, raw: Any) -> ModelPrice:
    where = f"provider {provider}, model {model}"
    raw = _mapping(raw, where)
    source = str(raw.get("source", ""))
    if kind == IMAGE:
        if "per_image" in raw:
            return ModelPrice(
                provider,
                kind,
                model,
                source,
                per_image_micros=_price(raw["per_image"], f"{where}, per image"),
            )
        sizes = _mapping(raw.get("sizes"), f"{where}, sizes")
        for size in IMAGE_SIZES:  # a model with sizes is priced at every size it makes
            if size not in sizes:
                raise InvalidInput(price_book=f"{where}, size {size}: missing price")
        return ModelPrice(
            provider,
            kind,
            model,
            source,
            size_micros={
                str(size): _price(value, f"{where}, size {size}") for size, value in sizes.items()
            },
        )
    if kind == VIDEO:
        if model == ANY:
            clips = _mapping(raw.get("clips"), f"{where}, clips")
            parsed = {
                _seconds(s, where): _price(v, f"{where}, {s} s clip") for s, v in clips.items()
            }
            return ModelPrice(
                provider,
                kind,
                model,
                source,
                billing="per_clip",
                clip_seconds=tuple(sorted(parsed)),
                clip_micros={(ANY, ANY): parsed},
            )
        seconds = raw.get("clip_seconds")
        if not isinstance(seconds, list) or not seconds:
            raise InvalidInput(price_book=f"{where}, clip_seconds: missing clip lengths")
        clip_seconds = tuple(sorted({_seconds(s, where) for s in seconds}))
        if "per_second" in raw:
            rates: dict[tuple[str, str], int] = {}
            per_second = _mapping(raw["per_second"], f"{where}, per_second")
            for resolution, by_audio in per_second.items():
                audio_rates = _mapping(by_audio, f"{where}, {resolution}")
                for audio in (AUDIO, SILENT):
                    rates[(resolution, audio)] = _required_price(
                        audio_rates, audio, f"{where}, {resolution} {audio} per second"
                    )
            return ModelPrice(
                provider,
                kind,
                model,
                source,
                billing="per_second",
                clip_seconds=clip_seconds,
                per_second_micros=rates,
            )
        clip_prices: dict[tuple[str, str], dict[int, int]] = {}
        for resolution, by_audio in _mapping(raw.get("per_clip"), f"{where}, per_clip").items():
            for audio in (AUDIO, SILENT):
                by_clip = _mapping(
                    _mapping(by_audio, f"{where}, {resolution}").get(audio),
                    f"{where}, {resolution} {audio}",
                )
                clip_prices[(resolution, audio)] = {
                    clip: _required_price(
                        by_clip, str(clip), f"{where}, {resolution} {audio} {clip} s clip"
                    )
                    for clip in clip_seconds
                }
        return ModelPrice(
            provider,
            kind,
            model,
            source,
            billing="per_clip",
            clip_seconds=clip_seconds,
            clip_micros=clip_prices,
        )
    for name in ("input_per_million", "output_per_million"):
        if name not in raw:
            raise InvalidInput(price_book=f"{where}, {name.replace('_', ' ')}: missing price")
    return ModelPrice(
        provider,
        kind,
        model,
        source,
        input_per_million=_rate(raw["input_per_million"], f"{where}, input per million tokens"),
        output_per_million=_rate(raw["output_per_million"], f"{where}, output per million tokens"),
    )


def _seconds(value: Any, where: str) -> int:
    text = str(value)
    if not text.isascii() or not text.isdigit() or int(text) <= 0:
        raise InvalidInput(price_book=f"{where}: clip lengths must be positive whole seconds")
    return int(text)


def parse_price_book(data: Any, source: str, *, origin: str = "file") -> PriceBookVersion:
    """A version from its JSON data; ``InvalidInput`` on ``price_book`` naming the provider, model
    and dimension at fault (a missing, negative or non-decimal price)."""
    try:
        if not isinstance(data, dict):
            raise InvalidInput(price_book="the price book must be a JSON object")
        providers = _mapping(data.get("providers"), "providers")
        prices = {}
        for provider, raw in providers.items():
            raw = _mapping(raw, f"provider {provider}")
            kind = raw.get("kind")
            if kind not in KINDS:
                raise InvalidInput(
                    price_book=f"provider {provider}: kind must be one of {', '.join(KINDS)}"
                )
            if "models" in raw:
                models = {
                    str(model): _parse_model(provider, kind, str(model), value)
                    for model, value in _mapping(raw["models"], f"provider {provider}").items()
                }
            elif kind == TEXT:
                raise InvalidInput(price_book=f"provider {provider}: text is priced per model")
            else:
                models = {ANY: _parse_model(provider, kind, ANY, raw)}
            label = str(raw.get("label") or PROVIDER_LABELS.get(provider, provider))
            prices[provider] = ProviderPrice(provider, kind, label, models)
        try:
            effective_from = date.fromisoformat(str(data.get("effective_from")))
        except ValueError:
            raise InvalidInput(
                price_book=f"effective_from must be a date (YYYY-MM-DD), not "
                f"{data.get('effective_from')!r}"
            ) from None
        currency = data.get("currency", "USD")
        if currency != "USD":
            raise InvalidInput(price_book=f"currency must be USD, not {currency!r}")
        version = str(data.get("version") or "").strip()
        if not version:
            raise InvalidInput(price_book="version must not be empty")
        return PriceBookVersion(
            version=version,
            effective_from=effective_from,
            currency=currency,
            prices=prices,
            note=str(data.get("note", "")),
            origin=origin,
            data=data,
        )
    except InvalidInput as exc:
        raise InvalidInput(price_book=f"Price book {source} is invalid: {exc.message}") from None


# --- the versions in effect -------------------------------------------------------------------


@cache
def file_versions() -> tuple[PriceBookVersion, ...]:
    """The base versions shipped in ``costs/pricebook/``, oldest first."""
    versions = [
        parse_price_book(json.loads(path.read_text()), path.name)
        for path in sorted(PRICEBOOK_DIR.glob("*.json"))
    ]
    if not versions:
        raise ValueError(f"No price book versions in {PRICEBOOK_DIR}")
    return tuple(sorted(versions, key=lambda v: v.effective_from))


# Set by ``costs.apps`` to ``costs.price_versions.load_stored_versions``: the versions super
# admins added (a loader, because the price book sits below the Django models in the layers).
stored_versions_loader: Callable[[], Iterable[PriceBookVersion]] | None = None
_stored: tuple[float, tuple[PriceBookVersion, ...]] | None = None


def stored_versions() -> tuple[PriceBookVersion, ...]:
    global _stored
    if stored_versions_loader is None:
        return ()
    if _stored is None or time.monotonic() - _stored[0] > STORED_VERSIONS_TTL_SECONDS:
        _stored = (time.monotonic(), tuple(stored_versions_loader()))
    return _stored[1]


def clear_price_cache() -> None:
    """Forget the stored versions read (after a version is added or corrected)."""
    global _stored
    _stored = None


def price_book_versions() -> tuple[PriceBookVersion, ...]:
    """Every version in effect on some date, oldest first: the shipped files and the versions
    super admins added; on one effective date the stored correction (the latest) wins."""
    by_date: dict[date, PriceBookVersion] = {v.effective_from: v for v in file_versions()}
    for version in stored_versions():  # oldest first, so the latest correction wins
        by_date[version.effective_from] = version
    return tuple(by_date[day] for day in sorted(by_date))


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


def configured_model(provider: str) -> str:
    """The model id configured for ``provider`` (``settings.MEDIA_PROVIDERS``), "" if none."""
    entry = getattr(settings, "MEDIA_PROVIDERS", {}).get(provider) or {}
    return str(entry.get("model") or "")


# --- checks -----------------------------------------------------------------------------------


def _check_type(type: str) -> None:
    if type not in MEDIA_TYPES:
        raise InvalidInput(type=f"Unknown type {type!r}; expected one of: {', '.join(MEDIA_TYPES)}")


def _kind_of(type: str) -> str:
    return IMAGE if type == IMAGE_EDIT else type


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


def _check_tokens(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TOKENS:
        raise InvalidInput(
            **{name: f"{name} must be a whole number from 0 to {MAX_TOKENS:,}, not {value!r}"}
        )
    return value


def _check_audio(value: Any) -> bool:
    if value is None:
        return True  # Veo 3.1 and Sora 2 make sound unless told otherwise
    if not isinstance(value, bool):
        raise InvalidInput(audio=f"audio must be true or false, not {value!r}")
    return value


# --- clip plans -------------------------------------------------------------------------------


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


# --- estimates --------------------------------------------------------------------------------


def calculate_image_cost(
    provider: str, *, at: datetime | None = None, options: dict[str, Any] | None = None
) -> Decimal:
    """Price of one image from ``provider`` in the price book in effect at ``at`` (now)."""
    return estimate_media_cost(IMAGE, provider, options, at=at).cost


def calculate_video_cost(
    provider: str,
    duration_seconds: int,
    *,
    at: datetime | None = None,
    options: dict[str, Any] | None = None,
) -> Decimal:
    """Price of a ``duration_seconds`` video from ``provider`` (a clip plan when needed)."""
    merged = {**(options or {}), "duration_seconds": duration_seconds}
    return estimate_media_cost(VIDEO, provider, merged, at=at).cost


def text_cost_micros(price: ModelPrice, input_tokens: int, output_tokens: int) -> int:
    """Tokens x rate (micro-dollars per token), rounded half up to a micro-dollar once per call."""
    assert price.input_per_million is not None and price.output_per_million is not None
    exact = input_tokens * price.input_per_million + output_tokens * price.output_per_million
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def version_named(name: str) -> PriceBookVersion | None:
    """A version by its name, superseded corrections included (what an event was charged at)."""
    for version in (*file_versions(), *stored_versions()):
        if version.version == name:
            return version
    return None


def estimate_media_cost(
    type: str,
    provider: str,
    options: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
    book: PriceBookVersion | None = None,
) -> MediaCostEstimate:
    """What a generation will cost, with the price version, the dimensions priced and the
    breakdown.

    ``options``: ``model`` (default: the provider's configured model); images: ``count``
    (default 1), ``image_size`` (models with sizes; default 1K); videos: ``duration_seconds``
    (required), ``resolution`` (default 720p), ``audio`` (default true); text: ``input_tokens``
    and ``output_tokens`` (required). Raises ``InvalidInput`` on the field at fault (``type``,
    ``provider``, ``model``, ``image_size``, ``resolution``, ``duration_seconds``, ``count``,
    ``input_tokens``, ``output_tokens``, or ``at`` before the first price book). ``book``: price
    under that version rather than the one in effect at ``at`` (re-pricing).
    """
    options = options or {}
    book = book or price_book(at)
    _check_type(type)
    kind = _kind_of(type)
    _check_provider(provider, kind, book)
    model = options.get("model") or configured_model(provider)
    price = book.model_price(provider, model)
    model_id = "" if price.model == ANY and not options.get("model") else str(model)
    model_id = model_id.removeprefix("models/")
    base = {
        "type": type,
        "provider": provider,
        "currency": book.currency,
        "price_version": book.version,
        "model": model_id,
    }
    name = model_id or provider
    if kind == VIDEO:
        return _estimate_video(price, options, name, base)
    if kind == TEXT:
        input_tokens = _check_tokens("input_tokens", options.get("input_tokens"))
        output_tokens = _check_tokens("output_tokens", options.get("output_tokens"))
        micros = text_cost_micros(price, input_tokens, output_tokens)
        assert price.input_per_million is not None and price.output_per_million is not None
        per_token_in = price.input_per_million / MILLION
        per_token_out = price.output_per_million / MILLION
        lines = (
            CostLine(
                f"{name} input token",
                input_tokens,
                per_token_in,
                per_token_in * input_tokens,
                "token",
            ),
            CostLine(
                f"{name} output token",
                output_tokens,
                per_token_out,
                per_token_out * output_tokens,
                "token",
            ),
        )
        return MediaCostEstimate(
            **base,
            cost=micros_to_decimal(micros),
            cost_micros=micros,
            breakdown=lines,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
        )
    count = options.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_IMAGE_COUNT:
        raise InvalidInput(
            count=f"count must be a whole number from 1 to {MAX_IMAGE_COUNT}, not {count!r}"
        )
    size = ""
    if price.size_micros:
        size = options.get("image_size") or DEFAULT_IMAGE_SIZE
        if size not in price.size_micros:
            raise InvalidInput(
                image_size=f"Price book {book.version} has no price for provider {provider!r} "
                f"model {model_id!r} size {size!r}; sizes: {', '.join(price.size_micros)}"
            )
        unit_micros = price.size_micros[size]
    else:
        assert price.per_image_micros is not None
        unit_micros = price.per_image_micros
    unit = micros_to_decimal(unit_micros)
    what = "image edit" if type == IMAGE_EDIT else "image"
    label = f"{name} {size + ' ' if size else ''}{what}"
    return MediaCostEstimate(
        **base,
        cost=micros_to_decimal(unit_micros * count),
        cost_micros=unit_micros * count,
        breakdown=(CostLine(label, count, unit, unit * count, "image"),),
        image_size=size,
    )


def _estimate_video(
    price: ModelPrice, options: dict[str, Any], name: str, base: dict[str, Any]
) -> MediaCostEstimate:
    if options.get("duration_seconds") is None:
        raise InvalidInput(duration_seconds="duration_seconds is required for a video")
    seconds = _check_duration(options["duration_seconds"])
    if price.model == ANY:  # the first version: one price per clip, whatever the dimensions
        resolution, audio, key = "", None, (ANY, ANY)
        clip_prices = price.clip_micros[key]
    else:
        resolution = options.get("resolution") or DEFAULT_RESOLUTION
        audio = _check_audio(options.get("audio"))
        key = (resolution, AUDIO if audio else SILENT)
        if price.billing == "per_second":
            if key not in price.per_second_micros:
                raise InvalidInput(resolution=_no_video_price(price, base, key))
            clip_prices = {s: s * price.per_second_micros[key] for s in price.clip_seconds}
        else:
            if key not in price.clip_micros:
                raise InvalidInput(resolution=_no_video_price(price, base, key))
            clip_prices = price.clip_micros[key]
    plan = clip_plan(clip_prices, seconds)
    where = "" if resolution == "" else f" at {resolution} {'with audio' if audio else 'silent'}"
    lines = []
    if price.billing == "per_second":
        per_second = micros_to_decimal(price.per_second_micros[key])
        billed = sum(plan)
        clips = " + ".join(f"{clip} s" for clip in plan)
        lines.append(
            CostLine(
                f"{name} second{where} ({clips} clips)",
                billed,
                per_second,
                per_second * billed,
                "second",
            )
        )
    else:
        for clip in sorted(set(plan), reverse=True):
            quantity = plan.count(clip)
            unit = micros_to_decimal(clip_prices[clip])
            lines.append(
                CostLine(f"{name} {clip} s clip{where}", quantity, unit, unit * quantity, "clip")
            )
    micros = sum(clip_prices[clip] for clip in plan)
    return MediaCostEstimate(
        **base,
        cost=micros_to_decimal(micros),
        cost_micros=micros,
        breakdown=tuple(lines),
        clip_plan=plan,
        duration_seconds=seconds,
        billed_seconds=sum(plan),
        resolution=resolution,
        audio=audio,
    )


def _no_video_price(price: ModelPrice, base: dict[str, Any], key: tuple[str, str]) -> str:
    known = sorted({r for r, _ in (price.per_second_micros or price.clip_micros)})
    return (
        f"Price book {base['price_version']} has no price for provider {price.provider!r} model "
        f"{price.model!r} resolution {key[0]!r} {key[1]}; resolutions: {', '.join(known)}"
    )


def providers_for(type: str, *, at: datetime | None = None) -> list[str]:
    """The providers that can make ``type`` in the price book in effect at ``at``."""
    _check_type(type)
    kind = _kind_of(type)
    return [p for p, price in price_book(at).prices.items() if price.kind == kind]


def compare_provider_costs(
    type: str, options: dict[str, Any] | None = None, *, at: datetime | None = None
) -> list[MediaCostEstimate]:
    """Estimates from every provider that can make ``type``, cheapest first (each at its own
    configured model and default dimensions unless ``options`` names them)."""
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
