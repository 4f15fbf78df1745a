"""``costs.reconciliation.recorded_by_day`` on every backend: the UTC days of the range only (the
scan starts at midnight after the last day, so an event at that midnight or later is the next
day's), real events only."""

from datetime import UTC, date, datetime

from costs.domain import MediaGenerationEvent
from costs.reconciliation import recorded_by_day
from costs.services import track_media_generation
from tests.factories import OrganisationFactory


def test_only_the_ranges_real_events_count(cost_store):
    tenant = OrganisationFactory()

    def event(name, at, **values):
        track_media_generation(
            MediaGenerationEvent(
                id=name,
                tenant_id=tenant.pk,
                user_id="u",
                type="image",
                provider="gemini-pro",
                created_at=at,
                **values,
            )
        )

    event("before", datetime(2026, 11, 19, 23, 59, tzinfo=UTC), cost_micros=1)
    event("first", datetime(2026, 11, 20, tzinfo=UTC), cost_micros=10)
    event("last", datetime(2026, 11, 21, 23, 59, 59, tzinfo=UTC), cost_micros=100)
    event("simulated", datetime(2026, 11, 21, 12, tzinfo=UTC), cost_micros=1_000, simulated=True)
    event("midnight after", datetime(2026, 11, 22, tzinfo=UTC), cost_micros=10_000)
    event("later", datetime(2026, 11, 25, tzinfo=UTC), cost_micros=100_000)

    assert dict(recorded_by_day(date(2026, 11, 20), date(2026, 11, 21))) == {
        (date(2026, 11, 20), "google"): 10,
        (date(2026, 11, 21), "google"): 100,
    }
