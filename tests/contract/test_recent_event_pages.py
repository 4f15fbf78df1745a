"""Pages of recent events (``before``) on both backends: every event once, in one order, even
when many share a timestamp — the API's cursor pagination stands on this."""

from datetime import UTC, datetime, timedelta

import pytest

from costs.domain import MediaGenerationEvent
from costs.selectors import get_recent_media_events
from costs.services import record_media_generation, track_media_generation
from costs.stores import get_repository
from tests.factories import OrganisationFactory

AT = datetime(2026, 11, 10, 12, tzinfo=UTC)


def _event(tenant, name, at):
    return MediaGenerationEvent(
        id=f"{tenant.pk}-{name}",
        tenant_id=tenant.pk,
        user_id="user-1",
        type="image",
        provider="gemini-flash",
        created_at=at,
    )


@pytest.fixture
def tenant(db):
    return OrganisationFactory()


def _all_pages(tenant_id, size):
    pages, before = [], None
    while True:
        page = get_recent_media_events(tenant_id, size, before=before)
        if not page:
            return pages
        pages.append([event.id for event in page])
        before = (page[-1].created_at, page[-1].id)


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_it_pages_through_equal_timestamps_without_gaps_or_repeats(cost_store, tenant, size):
    other = OrganisationFactory()
    names = ["e", "a", "d", "b", "c"]  # five events at one instant, stored out of order
    for name in names:
        track_media_generation(_event(tenant, name, AT))
    track_media_generation(_event(tenant, "newest", AT + timedelta(seconds=1)))
    track_media_generation(_event(tenant, "oldest", AT - timedelta(microseconds=1)))
    track_media_generation(_event(other, "z", AT))

    pages = _all_pages(tenant.pk, size)

    expected = [f"{tenant.pk}-{n}" for n in ["newest", "e", "d", "c", "b", "a", "oldest"]]
    assert [event_id for page in pages for event_id in page] == expected
    assert all(len(page) == size for page in pages[:-1])


def test_it_continues_after_a_position_on_the_repository(cost_store, tenant):
    for n in range(4):
        track_media_generation(_event(tenant, str(n), AT + timedelta(minutes=n)))
    events = get_repository().recent_events(tenant_id=tenant.pk, before=(AT, f"{tenant.pk}-9"))
    assert [e.id for e in events] == [f"{tenant.pk}-0"]
    assert get_repository().recent_events(tenant_id=tenant.pk, before=(AT, tenant.pk)) == []


def test_it_tells_a_first_recording_from_a_repeat(cost_store, tenant):
    first = record_media_generation(_event(tenant, "once", AT))
    again = record_media_generation(_event(tenant, "once", AT + timedelta(hours=1)))
    assert first.created and not again.created
    assert again.event == first.event
    assert len(get_recent_media_events(tenant.pk)) == 1
