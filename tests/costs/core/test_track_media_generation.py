"""The tracking services on the default (SQL) store: pricing rules, validation, the wrappers and
the recompute command."""

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from costs.domain import PROMPT_MAX_CHARS, MediaGenerationEvent
from costs.models import TenantDailyUsage
from costs.selectors import get_media_usage, get_tenant_spend
from costs.services import track_media_generation, with_image_tracking, with_video_tracking
from costs.stores import get_repository

AT = datetime(2026, 11, 20, 20, tzinfo=UTC)


def _event(org, **kwargs):
    values = {
        "id": "ev-1",
        "tenant_id": org.pk,
        "user_id": "u1",
        "type": "image",
        "provider": "gemini-flash",
        "created_at": AT,
    }
    values.update(kwargs)
    return MediaGenerationEvent(**values)


def test_it_keeps_a_given_price_and_version(sql_store, org_a):
    recorded = track_media_generation(_event(org_a, cost_micros=12_345, price_version="deal-7"))
    assert (recorded.cost_micros, recorded.price_version) == (12_345, "deal-7")


def test_a_cache_hit_costs_nothing_and_saves_the_price(sql_store, org_a):
    recorded = track_media_generation(_event(org_a, provider="gemini-pro", cache_hit=True))
    assert recorded.cost_micros == 0
    assert recorded.saved == Decimal("0.04")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"provider": "dall-e"}, "Unknown provider"),
        ({"type": "video", "provider": "veo"}, "duration_seconds is required"),
        ({"type": "video", "provider": "veo", "duration_seconds": 301}, "at most 300"),
        ({"type": "image", "provider": "sora"}, "makes videos"),
        ({"cost_micros": -1}, "cost_micros must not be negative"),
        ({"cost_micros": Decimal("0.5")}, "cost_micros must be whole micro-dollars"),
        ({"id": " "}, "id must not be empty"),
        ({"tenant_id": ""}, "tenant_id must not be empty"),
        ({"created_at": datetime(2025, 12, 31, tzinfo=UTC)}, "No price book is in effect"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_written(sql_store, org_a, changes, message):
    with pytest.raises(ValueError, match=message):
        track_media_generation(_event(org_a, **changes))
    assert get_repository().recent_events() == []
    assert not TenantDailyUsage.objects.exists()


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="aware"):
        MediaGenerationEvent(
            id="x",
            tenant_id="t",
            user_id="u",
            type="image",
            provider="imagen",
            created_at=datetime(2026, 11, 20),  # noqa: DTZ001 - the naive time is the point
        )


def test_long_prompts_and_errors_are_trimmed(sql_store, org_a):
    recorded = track_media_generation(
        _event(org_a, prompt="p" * 5000, error="e" * 5000, success=False)
    )
    assert len(recorded.prompt) == PROMPT_MAX_CHARS
    assert len(get_repository().get_event("ev-1").prompt) == PROMPT_MAX_CHARS
    assert len(recorded.error) == 1000


def test_video_tracking_prices_the_clip_plan(sql_store, org_a):
    tracked = with_video_tracking(
        org_a.pk,
        "u1",
        "veo",
        "skyline",
        5,
        lambda: "video.mp4",
        content_id="content_123",
        playbook_run_id="run_456",
        event_id="operations/abc123",
    )
    assert tracked.result == "video.mp4"
    event = tracked.tracking_event
    assert (event.id, event.cost, event.duration_seconds) == (
        "operations/abc123",
        Decimal("0.625"),
        5,
    )
    assert (event.content_id, event.playbook_run_id) == ("content_123", "run_456")
    assert event.generation_ms >= 0


def test_tracking_refuses_bad_input_before_generating(sql_store, org_a):
    calls = []
    with pytest.raises(ValueError, match="makes videos"):
        with_image_tracking(org_a.pk, "u1", "veo", "x", lambda: calls.append(1))
    with pytest.raises(ValueError, match="at most 300"):
        with_video_tracking(org_a.pk, "u1", "sora", "x", 400, lambda: calls.append(1))
    with pytest.raises(ValueError, match="with_video_tracking"):
        with_image_tracking(org_a.pk, "u1", "veo", "x", lambda: calls.append(1), type="video")
    assert calls == []


def test_an_image_edit_is_priced_as_an_image(sql_store, org_a):
    tracked = with_image_tracking(
        org_a.pk, "u1", "gemini-pro", "edit", lambda: 1, type="image_edit"
    )
    assert tracked.tracking_event.type == "image_edit"
    assert tracked.tracking_event.cost == Decimal("0.04")


def test_the_recompute_command_reports_and_repairs(sql_store, org_a):
    track_media_generation(_event(org_a))
    track_media_generation(dataclasses.replace(_event(org_a), id="ev-2", provider="imagen"))
    out = StringIO()
    call_command("costs_recompute_aggregates", stdout=out)
    assert "2 events" in out.getvalue()
    assert "0 repaired" in out.getvalue()

    TenantDailyUsage.objects.filter(provider="imagen").update(cost_micros=1)
    out = StringIO()
    call_command("costs_recompute_aggregates", "--tenant", org_a.pk, stdout=out)
    assert "1 repaired" in out.getvalue()
    assert "repaired TenantDailyUsage" in out.getvalue()
    day = date(2026, 11, 20)
    assert get_tenant_spend(org_a.pk, day, day) == Decimal("0.05")
    assert get_media_usage(org_a.pk, day, day).by_provider["imagen"].cost == Decimal("0.03")


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
