"""The demo generation events: 90 days for every demo organisation, idempotent, realistic mix."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bakedbot.demo import DEMO_ORGS, demo_setup_tenants
from costs.demo_events import DAYS, load_demo_events
from costs.selectors import get_media_usage, get_media_usage_by_day
from costs.stores import get_repository

NOW = datetime(2026, 11, 24, 18, tzinfo=UTC)


def test_it_loads_90_days_once(sql_store):
    demo_setup_tenants()
    lines = []
    added = load_demo_events(lines.append, now=NOW)
    assert added > 3000
    assert load_demo_events(lines.append, now=NOW) == 0
    assert lines[-1].startswith("Demo generation events: 0 new")
    # A day later only that day's events are new.
    assert 0 < load_demo_events(lines.append, now=NOW + timedelta(days=1)) < 200

    start, end = date(2026, 8, 1), date(2026, 11, 30)
    for org in DEMO_ORGS:
        days = get_media_usage_by_day(org.id, start, end)
        first = NOW.astimezone(ZoneInfo(org.time_zone)).date() - timedelta(days=DAYS - 1)
        assert days[0].date >= first
        weekday = [d.totals.count for d in days if d.date.weekday() < 5]
        weekend = [d.totals.count for d in days if d.date.weekday() >= 5]
        assert sum(weekday) / len(weekday) > 2 * sum(weekend) / len(weekend)
        usage = get_media_usage(org.id, start, end)
        assert set(usage.by_provider) == {"gemini-flash", "gemini-pro", "imagen", "veo", "sora"}
        assert usage.failures > 0
    assert all(e.created_at <= NOW + timedelta(days=1) for e in get_repository().recent_events())
    assert get_repository().recompute_aggregates().clean


def test_its_failures_fit_what_failed():
    from costs.demo_events import ERRORS

    assert all("image" not in message for message in ERRORS["video"])
    assert all("video" not in message for message in ERRORS["image"])
    assert len(ERRORS["image"]) == len(ERRORS["video"])  # the demo's random sequence unchanged
