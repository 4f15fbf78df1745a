"""``CostRepository.iter_events`` and ``costs.selectors.iter_media_events`` on every backend: all
the events of a range once, newest first, across pages; filters; tenants' local dates; a page
size smaller than the count (the events CSV streams a million events this way)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from costs.domain import MediaGenerationEvent
from costs.ranges import DateRange
from costs.selectors import (
    EventFilters,
    filtered_period_usage,
    get_events_page,
    iter_media_events,
)
from costs.services import track_media_generations
from costs.stores import get_repository
from tests.factories import OrganisationFactory

AT = datetime(2026, 11, 10, 12, tzinfo=UTC)


def _event(tenant, name, at, **kwargs):
    return MediaGenerationEvent(
        id=f"{tenant.pk}-{name}",
        tenant_id=tenant.pk,
        user_id="user-1",
        type="video" if kwargs.get("provider") in ("veo", "sora") else "image",
        provider=kwargs.pop("provider", "gemini-flash"),
        created_at=at,
        **kwargs,
    )


@pytest.fixture
def two_zones(db):
    # 2026-11-10 06:30 UTC is still 9 Nov in Los Angeles and already 10 Nov in Tokyo.
    return (
        OrganisationFactory(name="West", time_zone="America/Los_Angeles"),
        OrganisationFactory(name="East", time_zone="Asia/Tokyo"),
    )


def test_it_pages_through_every_event_newest_first(cost_store, two_zones):
    west, _ = two_zones
    events = [_event(west, f"{n:02d}", AT + timedelta(minutes=n // 2)) for n in range(23)]
    track_media_generations(events)
    seen = [e.id for e in get_repository().iter_events(tenant_id=west.pk, page_size=4)]
    expected = sorted(events, key=lambda e: (e.created_at, e.id), reverse=True)
    assert seen == [e.id for e in expected]


def test_it_stops_at_since_and_starts_before_a_position(cost_store, two_zones):
    west, _ = two_zones
    track_media_generations(_event(west, str(n), AT + timedelta(hours=n)) for n in range(6))
    seen = get_repository().iter_events(
        since=AT + timedelta(hours=2), before=(AT + timedelta(hours=5), ""), page_size=2
    )
    assert [e.id for e in seen] == [f"{west.pk}-{n}" for n in (4, 3, 2)]


def test_it_keeps_each_tenants_local_dates_and_filters(cost_store, two_zones):
    west, east = two_zones
    moment = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)
    track_media_generations(
        [
            _event(west, "w", moment),  # 9 Nov in Los Angeles
            _event(east, "e", moment),  # 10 Nov in Tokyo
            _event(east, "veo", moment + timedelta(hours=1), provider="veo", duration_seconds=4),
            _event(east, "failed", moment + timedelta(hours=2), success=False, error="x"),
        ]
    )
    tenth = DateRange(date(2026, 11, 10), date(2026, 11, 10))
    ninth = DateRange(date(2026, 11, 9), date(2026, 11, 9))
    assert [e.id for e, _ in iter_media_events(tenth)] == [
        f"{east.pk}-failed",
        f"{east.pk}-veo",
        f"{east.pk}-e",
    ]
    [(event, local)] = list(iter_media_events(ninth))
    assert event.id == f"{west.pk}-w"
    assert (local.isoformat(), local.tzname()) == ("2026-11-09T22:30:00-08:00", "PST")
    only = EventFilters(tenant_id=east.pk, provider="veo")
    assert [e.id for e, _ in iter_media_events(tenth, only)] == [f"{east.pk}-veo"]
    failed = EventFilters(success=False)
    assert [e.id for e, _ in iter_media_events(tenth, failed)] == [f"{east.pk}-failed"]


def test_a_page_of_the_explorer_continues_where_the_last_stopped(cost_store, two_zones):
    west, _ = two_zones
    track_media_generations(_event(west, f"{n}", AT + timedelta(minutes=n)) for n in range(5))
    window = DateRange(date(2026, 11, 10), date(2026, 11, 10))
    first = get_events_page(window, limit=2)
    second = get_events_page(window, limit=2, before=first.next_before)
    third = get_events_page(window, limit=2, before=second.next_before)
    ids = [[row.event.id[-1] for row in page.rows] for page in (first, second, third)]
    assert ids == [["4", "3"], ["2", "1"], ["0"]]
    assert third.next_before is None


def test_filtered_figures_agree_on_every_backend(cost_store, two_zones):
    west, east = two_zones
    moment = datetime(2026, 11, 10, 6, 30, tzinfo=UTC)
    track_media_generations(
        [
            _event(west, "w", moment, cost_micros=40_000),  # 9 Nov in Los Angeles
            _event(east, "e", moment, cost_micros=40_000),  # 10 Nov in Tokyo
            _event(east, "veo", moment, provider="veo", duration_seconds=4, cost_micros=500_000),
            _event(
                east,
                "cut",
                moment,
                provider="veo",
                duration_seconds=8,
                cost_micros=250_000,
                success=False,
                error="cut short",
            ),
        ]
    )
    start, end = date(2026, 11, 9), date(2026, 11, 10)

    def totals(filters):
        days, by_tenant = filtered_period_usage(start, end, filters)
        return (
            [(day.date.day, day.totals.cost_micros, day.totals.count) for day in days],
            {tenant: value.cost_micros for tenant, value in by_tenant.items()},
        )

    assert totals(EventFilters(provider="veo")) == ([(10, 750_000, 2)], {east.pk: 750_000})
    assert totals(EventFilters(tenant_id=west.pk)) == ([(9, 40_000, 1)], {west.pk: 40_000})
    assert totals(EventFilters(success=False)) == ([(10, 250_000, 1)], {east.pk: 250_000})
    assert totals(EventFilters(success=True, provider="gemini-flash")) == (
        [(9, 40_000, 1), (10, 40_000, 1)],
        {west.pk: 40_000, east.pk: 40_000},
    )
