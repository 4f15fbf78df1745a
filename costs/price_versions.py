"""Price book versions run by super admins, without code changes.

The files in ``costs/pricebook/`` are the base versions (shipped with the code, never edited:
history is priced by them). A super admin adds a version effective from a future date, or a
correction of an existing version on its own date (``corrects``); both live in the Django
database (``PriceVersion``) and ``costs.pricing`` reads them through ``load_stored_versions``.
A correction changes what events are priced at from then on; ``costs.reprice`` (the
``costs_reprice`` command) re-prices the events already recorded.

A new version is refused, naming the provider, model and dimension, when any price is missing,
negative or not a decimal, when any model configured in ``settings.MEDIA_PROVIDERS`` or any
dimension the version in effect prices for it is missing, or when its start date is an existing
version's (only a correction may share a date, with the version it corrects).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.db import IntegrityError, transaction

from bakedbot.errors import InvalidInput
from costs import pricing
from costs.models import PriceVersion
from costs.pricing import PriceBookVersion, parse_price_book


def load_stored_versions() -> list[PriceBookVersion]:
    """Every stored version and correction, oldest first (``costs.pricing`` reads these)."""
    return [
        parse_price_book(row.data, f"{row.version} (stored)", origin="stored")
        for row in PriceVersion.objects.order_by("created_at", "id")
    ]


@dataclass(frozen=True)
class PriceChange:
    provider: str
    model: str
    dimension: str
    old: str | None  # dollars; None: not priced in the first version
    new: str | None


def version_difference(first: PriceBookVersion, second: PriceBookVersion) -> list[PriceChange]:
    """Every price that differs between two versions, by provider, model and dimension."""
    a, b = first.dimension_prices(), second.dimension_prices()
    return [
        PriceChange(*key, a.get(key), b.get(key))
        for key in sorted(a.keys() | b.keys())
        if a.get(key) != b.get(key)
    ]


def all_versions() -> list[PriceBookVersion]:
    """Every version by name, superseded corrections included, oldest effective date first."""
    return sorted(
        (*pricing.file_versions(), *pricing.stored_versions()),
        key=lambda v: (v.effective_from, v.origin != "file"),
    )


def _missing_prices(candidate: PriceBookVersion, current: PriceBookVersion) -> list[str]:
    """What ``candidate`` leaves unpriced: every configured model, and every dimension the
    version in effect prices for it."""
    missing = []
    for provider in current.prices:
        model = pricing.configured_model(provider)
        try:
            new = candidate.model_price(provider, model)
        except InvalidInput:
            missing.append(f"provider {provider}, model {model or '(any)'}: missing price")
            continue
        try:
            old = current.model_price(provider, model)
        except InvalidInput:
            continue
        if old.model == pricing.ANY or new.model == pricing.ANY:
            continue
        have = new.dimension_prices()
        for dimension in old.dimension_prices():
            if dimension not in have:
                missing.append(f"provider {provider}, model {model}, {dimension}: missing price")
    return missing


def add_price_version(
    *, data: Any, created_by: Any = None, corrects: str = "", today: date | None = None
) -> PriceBookVersion:
    """Store a new version (``effective_from`` after ``today``, UTC) or a correction of the
    version ``corrects`` (same effective date, any date). Refused with ``InvalidInput`` on
    ``price_book`` (naming provider, model and dimension), ``effective_from`` or ``version``;
    nothing is stored then."""
    today = today or datetime.now(UTC).date()
    candidate = parse_price_book(data, "the new version", origin="stored")
    existing = {version.version: version for version in all_versions()}
    if candidate.version in existing:
        raise InvalidInput(version=f"A version named {candidate.version} exists already.")
    if corrects:
        target = existing.get(corrects)
        if target is None:
            raise InvalidInput(corrects=f"There is no version {corrects} to correct.")
        if candidate.effective_from != target.effective_from:
            raise InvalidInput(
                effective_from=f"A correction of {corrects} starts on its date, "
                f"{target.effective_from.isoformat()}."
            )
    else:
        if candidate.effective_from <= today:
            raise InvalidInput(
                effective_from="A new version starts on a future date (after "
                f"{today.isoformat()}); correct an existing version to change the past."
            )
        for version in existing.values():
            if version.effective_from == candidate.effective_from:
                raise InvalidInput(
                    effective_from=f"Version {version.version} already starts on "
                    f"{version.effective_from.isoformat()}; choose another date or correct it."
                )
    in_effect = [
        v for v in pricing.price_book_versions() if v.effective_from <= candidate.effective_from
    ]
    current = in_effect[-1] if in_effect else pricing.price_book_versions()[-1]
    missing = _missing_prices(candidate, current)
    if missing:
        raise InvalidInput(price_book="The new version leaves prices out: " + "; ".join(missing))
    try:
        with transaction.atomic():
            PriceVersion.objects.create(
                version=candidate.version,
                effective_from=candidate.effective_from,
                data=candidate.data,
                corrects=corrects,
                created_by=created_by if getattr(created_by, "pk", None) else None,
            )
    except IntegrityError:
        raise InvalidInput(version=f"A version named {candidate.version} exists already.") from None
    pricing.clear_price_cache()
    return candidate
