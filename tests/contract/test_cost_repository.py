"""The cost-store contract: every test runs on the SQL backend and on Firestore (the emulator)."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from costs.domain import MediaGenerationEvent, UsageTotals
from costs.selectors import (
    CostLimitCheck,
    check_cost_limit,
    get_media_costs_by_provider,
    get_media_usage,
    get_media_usage_by_day,
    get_recent_media_events,
    get_tenant_spend,
)
from costs.services import recompute_aggregates, track_media_generation, with_image_tracking
from costs.stores import get_repository
from tests.factories import OrganisationFactory

LA_2330 = datetime(2026, 11, 21, 7, 30, tzinfo=UTC)  # 23:30 on 20 November in Los Angeles


def event(tenant, n, *, at=LA_2330, provider="gemini-flash", type="image", **kwargs):
    if provider in ("veo", "sora"):
        type = "video"
        kwargs.setdefault("duration_seconds", 8)
    return MediaGenerationEvent(
        id=f"{tenant.pk}-{n}",
        tenant_id=tenant.pk,
        user_id="user-1",
        type=type,
        provider=provider,
        created_at=at,
        **kwargs,
    )


@pytest.fixture
def la(db):
    return OrganisationFactory(time_zone="America/Los_Angeles")


@pytest.fixture
def tokyo(db):
    return OrganisationFactory(time_zone="Asia/Tokyo")


def test_it_records_an_event_and_reads_it_back(cost_store, la):
    sent = event(
        la,
        1,
        provider="veo",
        model="veo-3.1-generate-preview",
        prompt="drone shot over a skyline",
        params={"aspect_ratio": "9:16", "nested": {"a": 1}},
        duration_seconds=10,
        generation_ms=4200,
        content_id="content_123",
        playbook_run_id="run_456",
        simulated=True,
    )
    recorded = track_media_generation(sent)
    assert recorded.cost_micros == 1_125_000  # 6 s + 4 s clips
    assert recorded.price_version == "2026-02-01"

    stored = get_repository().get_event(sent.id)
    assert stored == recorded
    assert stored.created_at == LA_2330
    assert stored.created_at.tzinfo is not None
    assert get_repository().get_event("no-such-id") is None


def test_it_records_the_same_id_only_once(cost_store, la):
    first = track_media_generation(event(la, 1, provider="gemini-pro"))
    again = track_media_generation(event(la, 1, provider="gemini-pro", cost_micros=999))
    assert again == first
    assert (
        get_repository().record(
            event(la, 1, provider="gemini-pro", cost_micros=1), date(2026, 11, 20)
        )
        is False
    )

    usage = get_media_usage(la.pk, date(2026, 11, 20), date(2026, 11, 20))
    assert usage.total_generations == 1
    assert usage.total_cost == Decimal("0.04")
    assert get_repository().global_usage(date(2026, 11, 20), date(2026, 11, 20)).totals.count == 1
    assert get_repository().usage_by_tenant(date(2026, 11, 1), date(2026, 11, 30)) == {
        la.pk: UsageTotals(cost_micros=40_000, count=1, successes=1)
    }
    assert len(get_recent_media_events(la.pk, 10)) == 1


def test_it_records_a_failure_at_zero_cost_and_reraises(cost_store, la):
    def generate():
        raise TimeoutError("provider timed out after 60 s")

    with pytest.raises(TimeoutError):
        with_image_tracking(la.pk, "user-1", "gemini-pro", "a banana", generate)

    [failure] = get_recent_media_events(la.pk, 5)
    assert failure.success is False
    assert failure.cost_micros == 0
    assert failure.error == "TimeoutError: provider timed out after 60 s"
    assert failure.price_version == "2026-02-01"
    assert failure.generation_ms is not None
    today = failure.created_at.astimezone(la.tz).date()
    usage = get_media_usage(la.pk, today, today)
    assert (usage.total_generations, usage.successes, usage.failures) == (1, 0, 1)
    assert usage.total_cost == 0
    assert usage.by_provider["gemini-pro"].failures == 1


def test_it_returns_the_result_with_its_tracking_event(cost_store, la):
    tracked = with_image_tracking(
        la.pk, "user-1", "imagen", "a cat", lambda: {"url": "/m/cat.png"}, content_id="c1"
    )
    assert tracked.result == {"url": "/m/cat.png"}
    assert tracked.tracking_event.cost == Decimal("0.03")
    assert tracked.tracking_event.content_id == "c1"
    assert get_repository().get_event(tracked.tracking_event.id) == tracked.tracking_event


def test_it_totals_by_provider_and_by_type_with_cache_savings(cost_store, la):
    track_media_generation(event(la, 1, provider="gemini-flash"))
    track_media_generation(event(la, 2, provider="gemini-flash", type="image_edit"))
    track_media_generation(event(la, 3, provider="veo", duration_seconds=30))
    track_media_generation(event(la, 4, provider="sora", duration_seconds=12, success=False))
    track_media_generation(event(la, 5, provider="gemini-pro", cache_hit=True))

    usage = get_media_usage(la.pk, date(2026, 11, 20), date(2026, 11, 20))
    assert usage.total_generations == 5
    assert (usage.successes, usage.failures, usage.cache_hits) == (4, 1, 1)
    assert usage.total_cost == Decimal("0.02") * 2 + Decimal("2.875")
    assert usage.cache_savings == Decimal("0.04")
    assert (usage.image_count, usage.video_count) == (3, 2)
    assert {p: t.cost for p, t in usage.by_provider.items()} == {
        "gemini-flash": Decimal("0.04"),
        "veo": Decimal("2.875"),
        "sora": Decimal("0"),
        "gemini-pro": Decimal("0"),
    }
    assert usage.by_type["image_edit"].count == 1
    assert usage.by_type["video"] == UsageTotals(
        cost_micros=2_875_000, count=2, successes=1, failures=1
    )
    assert usage.by_provider["gemini-pro"] == UsageTotals(
        count=1, successes=1, saved_micros=40_000, cache_hits=1
    )
    [day] = get_media_usage_by_day(la.pk, date(2026, 11, 1), date(2026, 11, 30))
    assert (day.date, day.totals) == (
        date(2026, 11, 20),
        usage.by_provider["gemini-flash"]
        + usage.by_provider["veo"]
        + usage.by_provider["sora"]
        + usage.by_provider["gemini-pro"],
    )
    assert day.by_type == usage.by_type
    assert usage.daily == [day]


def test_it_keys_a_los_angeles_2330_event_by_its_local_day(cost_store, la):
    track_media_generation(event(la, 1))
    assert get_tenant_spend(la.pk, date(2026, 11, 20), date(2026, 11, 20)) == Decimal("0.02")
    assert get_tenant_spend(la.pk, date(2026, 11, 21), date(2026, 11, 21)) == 0
    assert [
        d.date for d in get_repository().global_daily_usage(date(2026, 11, 1), date(2026, 12, 1))
    ] == [date(2026, 11, 20)]


def test_it_keys_a_tokyo_day_from_local_midnight_to_midnight(cost_store, tokyo):
    before = datetime(2026, 11, 20, 14, 59, 59, tzinfo=UTC)  # 23:59:59 on the 20th in Tokyo
    start = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 00:00 on the 21st
    end = datetime(2026, 11, 21, 14, 59, 59, tzinfo=UTC)  # 23:59:59 on the 21st
    after = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)  # 00:00 on the 22nd
    for n, at in enumerate((before, start, end, after)):
        track_media_generation(event(tokyo, n, at=at, provider="gemini-pro"))

    def day(d):
        return get_tenant_spend(tokyo.pk, d, d)

    assert day(date(2026, 11, 20)) == Decimal("0.04")
    assert day(date(2026, 11, 21)) == Decimal("0.08")
    assert day(date(2026, 11, 22)) == Decimal("0.04")
    usage = get_media_usage(tokyo.pk, date(2026, 11, 21), date(2026, 11, 21))
    assert usage.total_generations == 2


def test_it_lists_recent_events_newest_first_with_filters(cost_store, la, tokyo):
    base = datetime(2026, 11, 10, 12, tzinfo=UTC)
    for n in range(6):
        track_media_generation(
            event(la, n, at=base + timedelta(minutes=n), provider="veo" if n % 2 else "imagen")
        )
    track_media_generation(event(tokyo, 9, at=base + timedelta(hours=1), success=False))
    repository = get_repository()

    assert [e.id for e in get_recent_media_events(la.pk, 3)] == [f"{la.pk}-{n}" for n in (5, 4, 3)]
    assert [e.id for e in repository.recent_events(limit=2)] == [f"{tokyo.pk}-9", f"{la.pk}-5"]
    assert [e.id for e in repository.recent_events(provider="veo", limit=50)] == [
        f"{la.pk}-{n}" for n in (5, 3, 1)
    ]
    assert [e.id for e in repository.recent_events(success=False)] == [f"{tokyo.pk}-9"]
    assert repository.recent_events(tenant_id=tokyo.pk, provider="veo") == []
    with pytest.raises(ValueError, match="limit"):
        get_recent_media_events(la.pk, 0)


def _spread(tenants):
    """Events over 45 local days for several tenants, with the expected sums computed here."""
    expected_days = defaultdict(UsageTotals)
    expected_tenant_days = defaultdict(UsageTotals)
    providers = ["gemini-flash", "gemini-pro", "imagen", "veo", "sora"]
    n = 0
    for t_index, tenant in enumerate(tenants):
        for day_offset in range(0, 45, 1 + t_index):
            local_day = date(2026, 10, 1) + timedelta(days=day_offset)
            at = datetime.combine(local_day, datetime.min.time(), tzinfo=tenant.tz).replace(hour=13)
            for k in range(1 + (day_offset % 3)):
                n += 1
                recorded = track_media_generation(
                    event(
                        tenant,
                        n,
                        at=at + timedelta(minutes=k),
                        provider=providers[(n + k) % 5],
                        success=n % 7 != 0,
                    )
                )
                totals = UsageTotals.of_event(recorded)
                expected_days[local_day] += totals
                expected_tenant_days[(tenant.pk, local_day)] += totals
    return expected_days, expected_tenant_days


def test_global_and_per_tenant_rollups_equal_the_events(cost_store, la, tokyo):
    denver = OrganisationFactory(time_zone="America/Denver")
    expected_days, expected_tenant_days = _spread([la, tokyo, denver])
    repository = get_repository()

    for start, end in [
        (date(2026, 10, 1), date(2026, 11, 14)),  # everything
        (date(2026, 10, 3), date(2026, 10, 29)),  # starts mid-week, ends mid-week
        (date(2026, 10, 5), date(2026, 10, 18)),  # exactly two Monday-to-Sunday weeks
        (date(2026, 10, 7), date(2026, 10, 9)),  # inside one week
        (date(2026, 9, 1), date(2026, 9, 30)),  # before anything
    ]:
        in_range = [d for d in expected_days if start <= d <= end]
        want_total = sum((expected_days[d] for d in in_range), UsageTotals())
        assert repository.global_usage(start, end).totals == want_total
        assert [d.date for d in repository.global_daily_usage(start, end)] == sorted(in_range)
        want_by_tenant = defaultdict(UsageTotals)
        for (tenant_id, d), totals in expected_tenant_days.items():
            if start <= d <= end:
                want_by_tenant[tenant_id] += totals
        assert repository.usage_by_tenant(start, end) == dict(want_by_tenant)
        for tenant in (la, tokyo, denver):
            assert get_tenant_spend(tenant.pk, start, end) == want_by_tenant[tenant.pk].cost
    assert repository.first_usage_date() == date(2026, 10, 1)
    by_provider = repository.global_usage(date(2026, 10, 1), date(2026, 11, 14)).by_provider
    assert sum(by_provider.values(), UsageTotals()) == sum(expected_days.values(), UsageTotals())


def test_an_empty_store_answers_with_zeros(cost_store, la):
    repository = get_repository()
    assert repository.first_usage_date() is None
    assert repository.usage_by_tenant(date(2026, 1, 1), date(2026, 12, 31)) == {}
    assert repository.global_daily_usage(date(2026, 1, 1), date(2026, 12, 31)) == []
    assert get_tenant_spend(la.pk, date(2026, 1, 1), date(2026, 12, 31)) == 0
    assert get_media_usage(la.pk, date(2026, 1, 1), date(2026, 1, 31)).success_rate == 0


def test_selectors_for_the_current_month(cost_store, la):
    now = datetime.now(UTC)
    track_media_generation(event(la, 1, at=now, provider="sora", duration_seconds=15))
    track_media_generation(event(la, 2, at=now, provider="gemini-flash"))
    assert check_cost_limit(la.pk, Decimal("5")) == CostLimitCheck(False, Decimal("2.02"))
    assert check_cost_limit(la.pk, "2.02") == CostLimitCheck(True, Decimal("2.02"))
    assert get_media_costs_by_provider(la.pk, "30d") == {
        "gemini-flash": Decimal("0.02"),
        "sora": Decimal("2.00"),
    }
    assert get_media_costs_by_provider(la.pk, "all")["sora"] == Decimal("2")
    with pytest.raises(ValueError, match="period"):
        get_media_costs_by_provider(la.pk, "fortnight")


def test_an_unknown_tenant_is_refused_before_anything_is_written(cost_store):
    with pytest.raises(ValueError, match="tenant_id"):
        track_media_generation(
            MediaGenerationEvent(
                id="x", tenant_id="org_missing", user_id="u", type="image", provider="imagen"
            )
        )
    assert get_repository().get_event("x") is None


def _damage(store, repository, tenant, day):
    """Corrupt one tenant aggregate and one global aggregate, and add a stray one."""
    if store == "fake":
        # The fake's global totals are sums of its tenant cells: damaging a cell damages both.
        cell = next(c for c in repository.cells if c[:2] == (tenant.pk, day))
        repository.cells[cell] += UsageTotals(cost_micros=5)
        stray = (tenant.pk, day - timedelta(days=300), "imagen", "image")
        repository.cells[stray] = UsageTotals(count=3)
    elif store == "sql":
        from django.db.models import F

        from costs.models import GlobalDailyUsage, TenantDailyUsage, TenantUsageRollup

        TenantDailyUsage.objects.filter(tenant_id=tenant.pk, date=day).update(
            cost_micros=F("cost_micros") + 5
        )
        GlobalDailyUsage.objects.filter(date=day).delete()
        TenantUsageRollup.objects.create(
            period="day", start=day - timedelta(days=300), tenant_id=tenant.pk, count=3
        )
    else:
        from google.cloud import firestore

        from costs.repository_firestore import GLOBAL_DAYS, GLOBAL_SHARDS

        repository._tenant_day(tenant.pk, day).set(
            {"total__cost_micros": firestore.Increment(5)}, merge=True
        )
        for collection in (GLOBAL_DAYS, GLOBAL_SHARDS):
            for doc in repository.client.collection(collection).stream():
                doc.reference.delete()
        repository._tenant_day(tenant.pk, day - timedelta(days=300)).set(
            {"date": (day - timedelta(days=300)).isoformat(), "total__count": 3}
        )


def test_recompute_repairs_damaged_aggregates(cost_store, la, tokyo):
    for n in range(4):
        track_media_generation(event(la, n, provider="veo" if n % 2 else "gemini-pro"))
        track_media_generation(event(tokyo, n, provider="imagen"))
    repository = get_repository()
    before_la = get_media_usage(la.pk, date(2026, 11, 20), date(2026, 11, 20))
    before_global = repository.global_usage(date(2026, 11, 1), date(2026, 11, 30))
    assert recompute_aggregates().clean

    _damage(cost_store, repository, la, date(2026, 11, 20))
    assert get_media_usage(la.pk, date(2026, 11, 20), date(2026, 11, 20)) != before_la

    report = recompute_aggregates()
    assert report.events == 8
    assert not report.clean
    assert any(la.pk in line for line in report.repaired)
    assert get_media_usage(la.pk, date(2026, 11, 20), date(2026, 11, 20)) == before_la
    assert repository.global_usage(date(2026, 11, 1), date(2026, 11, 30)) == before_global
    assert get_tenant_spend(la.pk, date(2026, 1, 1), date(2026, 12, 31)) == before_la.total_cost
    assert recompute_aggregates().clean
    assert recompute_aggregates(tenant_id=tokyo.pk).clean


def test_bulk_recording_matches_one_by_one_and_skips_known_ids(cost_store, la, tokyo):
    from costs.services import track_media_generations

    track_media_generation(event(la, 0, provider="veo", duration_seconds=6))
    batch = [event(la, n, provider="imagen") for n in range(5)] + [
        event(tokyo, n, provider="sora", duration_seconds=10) for n in range(3)
    ]
    assert track_media_generations(batch + batch[:2]) == 7  # la-0 was known; repeats skipped
    assert track_media_generations(batch) == 0
    usage = get_media_usage(la.pk, date(2026, 11, 20), date(2026, 11, 20))
    assert usage.by_provider["veo"].count == 1  # the first la-0 stands
    assert usage.by_provider["imagen"] == UsageTotals(cost_micros=4 * 30_000, count=4, successes=4)
    tokyo_day = LA_2330.astimezone(tokyo.tz).date()
    assert get_tenant_spend(tokyo.pk, tokyo_day, tokyo_day) == Decimal("4.50")
    assert recompute_aggregates().clean


def test_bulk_recording_in_several_batches(cost_store, la, tokyo):
    from costs.services import track_media_generations

    batch = [
        event(tenant, n, provider=("imagen", "veo", "gemini-flash")[n % 3], success=n % 11 != 0)
        for n in range(170)
        for tenant in (la, tokyo)
    ]
    track_media_generation(batch[200])
    assert track_media_generations(batch) == 339
    repository = get_repository()
    recorded = [repository.get_event(e.id) for e in batch]
    want = sum((UsageTotals.of_event(e) for e in recorded), UsageTotals())
    assert repository.global_usage(date(2026, 11, 1), date(2026, 11, 30)).totals == want
    assert (
        sum(
            repository.usage_by_tenant(date(2026, 11, 1), date(2026, 11, 30)).values(),
            UsageTotals(),
        )
        == want
    )
    assert recompute_aggregates().clean


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
