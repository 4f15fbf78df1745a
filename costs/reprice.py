"""Re-pricing recorded events under the price book as it stands now (``costs_reprice``).

After a super admin corrects a version (``costs.price_versions``), events recorded from a date on
are priced again: each event that the book priced (its stored cost is what its recorded version
charges for its model and dimensions; an amount a caller gave, a partial video, a failure or a
cache hit is left alone) gets the price of the version now in effect at its ``created_at``. The
store moves every changed event together with its aggregates (``CostRepository.reprice_events``:
one SQL transaction; on Firestore one batch per tenant and at most 100 events, each batch atomic).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from bakedbot.errors import InvalidInput
from costs.domain import MediaGenerationEvent
from costs.headroom import forget_headroom
from costs.pricing import estimate_media_cost, price_book, version_named
from costs.repository import Reprice
from costs.services import pricing_options
from costs.stores import get_repository


@dataclass(frozen=True)
class RepriceReport:
    since: date
    dry_run: bool
    examined: int
    changes: tuple[Reprice, ...]
    applied: int
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> events left alone

    @property
    def delta_micros(self) -> int:
        return sum(change.delta_micros for change in self.changes)

    def by_version(self) -> dict[tuple[str, str, str], tuple[int, int]]:
        """``(provider, old version, new version) -> (events, cost difference)``."""
        rows: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
        for change in self.changes:
            key = (change.event.provider, change.event.price_version, change.price_version)
            rows[key][0] += 1
            rows[key][1] += change.delta_micros
        return {key: (count, delta) for key, (count, delta) in sorted(rows.items())}


def _book_priced(event: MediaGenerationEvent) -> str:
    """Why the event is left alone ("" when it is re-priced)."""
    if not event.success or event.cache_hit:
        return "failures and cache hits cost $0"
    recorded = version_named(event.price_version)
    if recorded is None:
        return "its price version is unknown"
    try:
        charged = estimate_media_cost(
            event.type, event.provider, pricing_options(event), book=recorded
        ).cost_micros
    except InvalidInput:
        return "its recorded version does not price it"
    if charged != event.cost_micros:
        return "its cost was given, not priced by the book"
    return ""


def reprice_events(*, since: date, dry_run: bool = False) -> RepriceReport:
    """Price every event recorded from ``since`` (00:00 UTC) again; ``dry_run`` reports what
    would change and writes nothing."""
    start = datetime.combine(since, time(), tzinfo=UTC)
    repository = get_repository()
    changes: list[Reprice] = []
    skipped: dict[str, int] = defaultdict(int)
    examined = 0
    for event in repository.iter_events(since=start):
        examined += 1
        reason = _book_priced(event)
        if reason:
            skipped[reason] += 1
            continue
        book = price_book(event.created_at)
        try:
            now = estimate_media_cost(event.type, event.provider, pricing_options(event), book=book)
        except InvalidInput as exc:
            skipped[f"the version in effect does not price it ({exc.message})"] += 1
            continue
        if now.cost_micros != event.cost_micros or book.version != event.price_version:
            changes.append(Reprice(event, now.cost_micros, book.version))
    applied = 0 if dry_run or not changes else repository.reprice_events(changes)
    if applied:
        forget_headroom()  # spend changed under every budget's headroom
    return RepriceReport(since, dry_run, examined, tuple(changes), applied, dict(skipped))
