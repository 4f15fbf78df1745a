"""GET /api/v1/events: newest first, a page at a time, with an opaque cursor."""

import base64
from datetime import UTC, datetime, timedelta

from tests.api.conftest import record

AT = datetime(2026, 11, 20, 18, tzinfo=UTC)


def _pages(api, limit):
    pages, cursor = [], None
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = api.get("/events", params)
        assert response.status_code == 200
        body = response.json()
        pages.append([event["id"] for event in body["events"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_it_lists_the_tenants_events_newest_first(api_a, org_a, org_b, store):
    record(org_a, 1, at=AT, provider="veo", duration_seconds=10, prompt="drone shot")
    record(org_a, 2, at=AT + timedelta(minutes=1), provider="imagen", success=False, error="boom")
    record(org_b, 1, at=AT + timedelta(minutes=2))
    body = api_a.get("/events").json()
    assert [event["id"] for event in body["events"]] == [f"{org_a.pk}-2", f"{org_a.pk}-1"]
    assert body["next_cursor"] is None
    failed, video = body["events"]
    assert failed["success"] is False and failed["error"] == "boom" and failed["cost"] == "0.00"
    assert video["cost"] == "1.125" and video["cost_micros"] == 1_125_000
    assert video["duration_seconds"] == 10 and video["prompt"] == "drone shot"
    assert video["price_version"] == "2026-02-01"
    assert video["created_at"].startswith("2026-11-20T18:00:00")


def test_it_pages_with_a_cursor_without_gaps_or_repeats(api_a, org_a, store):
    # Seven events, four of them at the same instant: the order is by time, then by id.
    for n in range(7):
        record(org_a, n, at=AT + timedelta(seconds=max(0, n - 3)))
    pages = _pages(api_a, 3)
    assert [len(page) for page in pages] == [3, 3, 1]
    ids = [event_id for page in pages for event_id in page]
    expected = [f"{org_a.pk}-{n}" for n in (6, 5, 4, 3, 2, 1, 0)]
    assert ids == expected


def test_it_ends_without_an_empty_page(api_a, org_a, store):
    for n in range(4):
        record(org_a, n, at=AT + timedelta(seconds=n))
    assert [len(page) for page in _pages(api_a, 2)] == [2, 2]
    assert _pages(api_a, 4) == [[f"{org_a.pk}-{n}" for n in (3, 2, 1, 0)]]


def test_it_keeps_a_cursor_inside_its_tenant(api_a, api_b, org_a, org_b, store):
    for n in range(3):
        record(org_a, n, at=AT + timedelta(seconds=n))
        record(org_b, n, at=AT + timedelta(seconds=n))
    cursor = api_a.get("/events", {"limit": 1}).json()["next_cursor"]
    body = api_b.get("/events", {"cursor": cursor}).json()
    assert {event["tenant_id"] for event in body["events"]} == {org_b.pk}


def test_it_refuses_a_cursor_it_did_not_make(api_a, store):
    forged = base64.urlsafe_b64encode(b'["2026-11-20T18:00:00", 5]').decode()
    # Was a 500 (OverflowError): a time before year 1 once in UTC.
    calendar_end = base64.urlsafe_b64encode(b'["0001-01-01T00:00:00+14:00", "e"]').decode()
    naive = base64.urlsafe_b64encode(b'["2026-11-20T18:00:00", "e"]').decode()
    for cursor in ["not-a-cursor", "e30", forged, "%%%", calendar_end, naive, "x" * 501]:
        response = api_a.get("/events", {"cursor": cursor})
        assert response.status_code == 400, cursor
        assert list(response.json()["error"]["fields"]) == ["cursor"]


def test_it_bounds_the_page_size(api_a, store):
    for limit in (0, 101, "ten", "²", "①", "1e3", "5.5", "99999999999999999999999"):
        response = api_a.get("/events", {"limit": limit})
        assert response.status_code == 400
        assert "limit" in response.json()["error"]["fields"]
