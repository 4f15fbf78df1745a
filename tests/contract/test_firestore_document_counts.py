"""Firestore within its limits, counted on the real emulator: writes per document while one tenant
records fast, and documents read by the 90-day CEO tab and a tenant's 90-day usage (the bounds of
costs/README.md). Counts come from the repository's own tally of every document it reads and
writes (``costs.firestore_layout.DocumentTally``), never from time."""

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from google.cloud import firestore

from costs.domain import MediaGenerationEvent
from costs.firestore_layout import DocumentTally, Layout
from costs.repository_firestore import (
    EVENTS,
    GLOBAL_SHARDS,
    TENANT_SHARDS,
    TENANTS,
    FirestoreCostRepository,
    emulator_client,
)
from costs.stores import use_repository
from tests.factories import OrganisationFactory

DAY = date(2026, 11, 20)


@pytest.fixture
def tally():
    return DocumentTally()


@pytest.fixture
def repository(firestore_emulator, clock, tally):
    client = emulator_client(firestore_emulator, f"counts-{uuid.uuid4().hex[:10]}")
    yield FirestoreCostRepository(client=client, clock=clock, tally=tally)
    client.close()


def _event(tenant: str, n: int, at: datetime) -> MediaGenerationEvent:
    return MediaGenerationEvent(
        id=f"{tenant}-{n}",
        tenant_id=tenant,
        user_id="u1",
        type="image",
        provider="gemini-flash",
        cost_micros=20_000,
        price_version="2026-02-01",
        created_at=at,
    )


def _record_one_second(repository, tenant: str, rate: int, second: int = 0) -> None:
    start = datetime.combine(DAY, time(18), tzinfo=UTC) + timedelta(seconds=second)
    for n in range(rate):
        repository.record(_event(tenant, second * rate + n, start), DAY)


def _documents(repository, path: str) -> int:
    return sum(1 for _ in repository.client.collection(path).stream())


@pytest.mark.parametrize("rate", [20, 50])
def test_one_tenant_recording_fast_puts_at_most_one_write_a_second_on_any_document(
    repository, tally, rate
):
    _record_one_second(repository, "org_hot", rate)
    assert sum(tally.writes.values()) == 3 * rate  # the event, a tenant and a global document
    assert max(tally.writes.values()) == 1
    tenant_docs = [p for p in tally.writes if p.startswith(f"{TENANTS}/org_hot/")]
    assert len(tenant_docs) == rate  # one shard each, where it was one document for all


def test_ten_seconds_at_50_a_second_spread_evenly_over_the_shards(repository, tally):
    for second in range(10):
        _record_one_second(repository, "org_hot", 50, second)
    layout = repository.layout
    tenant = {p: n for p, n in tally.writes.items() if p.startswith(f"{TENANTS}/")}
    platform = {p: n for p, n in tally.writes.items() if p.startswith(GLOBAL_SHARDS)}
    assert len(tenant) == layout.tenant_shards and len(platform) == layout.global_shards
    # Round robin: each shard takes ceil(500 / shards) writes at most: 1 a second at most.
    assert max(tenant.values()) == math.ceil(500 / layout.tenant_shards) <= 10
    assert max(platform.values()) == math.ceil(500 / layout.global_shards) <= 10
    usage = repository.tenant_daily_usage("org_hot", DAY, DAY)
    assert usage[0].totals.count == 500
    assert repository.global_usage(DAY, DAY).totals.count == 500


def test_shard_counts_are_settings(firestore_emulator, clock, tally):
    client = emulator_client(firestore_emulator, f"counts-{uuid.uuid4().hex[:10]}")
    repository = FirestoreCostRepository(
        client=client, clock=clock, tally=tally, layout=Layout(tenant_shards=4, global_shards=2)
    )
    _record_one_second(repository, "org_hot", 20)
    client.close()
    tenant = [p for p in tally.writes if p.startswith(f"{TENANTS}/")]
    platform = [p for p in tally.writes if p.startswith(GLOBAL_SHARDS)]
    assert (len(tenant), len(platform)) == (4, 2)
    assert max(tally.writes.values()) == 10  # 20 events over 2 global shards


def test_unsharded_tenant_documents_written_before_sharding_still_count(repository, clock):
    # A deployed store has the tenant's whole date in its day document (the old layout).
    day_doc = repository.client.document(f"{TENANTS}/org_old/media_usage/{DAY.isoformat()}")
    day_doc.set(
        {
            "tenant_id": "org_old",
            "date": DAY.isoformat(),
            "total__count": firestore.Increment(7),
            "total__cost_micros": firestore.Increment(140_000),
            "total__successes": firestore.Increment(7),
        },
        merge=True,
    )
    _record_one_second(repository, "org_old", 3)
    assert repository.tenant_spend_micros("org_old", DAY, DAY) == 200_000
    assert repository.tenant_daily_usage("org_old", DAY, DAY)[0].totals.count == 10
    # Once the date closes, the shards are folded into that same document.
    clock.now = datetime.combine(DAY + timedelta(days=1), time(14), tzinfo=UTC)
    assert repository.tenant_daily_usage("org_old", DAY, DAY)[0].totals.count == 10
    assert _documents(repository, f"{TENANTS}/org_old/{TENANT_SHARDS}") == 0
    assert day_doc.get().to_dict()["total__count"] == 10


def test_drain_closed_days_folds_the_tenants_shards_too(repository, clock):
    for tenant in ("org_a", "org_b"):
        _record_one_second(repository, tenant, 5)
    clock.now = datetime.combine(DAY + timedelta(days=1), time(14), tzinfo=UTC)
    assert repository.drain_closed_days() == [DAY]
    for tenant in ("org_a", "org_b"):
        assert _documents(repository, f"{TENANTS}/{tenant}/{TENANT_SHARDS}") == 0
        assert repository.tenant_spend_micros(tenant, DAY, DAY) == 100_000
    assert _documents(repository, GLOBAL_SHARDS) == 0


# -- reads ------------------------------------------------------------------------------------


@pytest.fixture
def worst_hour(repository, clock):
    """12:30 UTC today: yesterday (closed everywhere at 12:00, still routed to shards until 13:00),
    today and tomorrow (already begun east of UTC+11) are all open: three dates of shards."""
    today = datetime.now(UTC).date()
    clock.now = datetime.combine(today, time(12, 30), tzinfo=UTC)
    return today


def _seed_history(repository, tenants: list[str], today: date, *, days: int) -> None:
    """Two events a day for ``days`` closed dates, and enough on each open date (yesterday,
    today, tomorrow) to write every shard of every rollup."""
    at = datetime.combine(today, time(12), tzinfo=UTC)
    items = []
    n = 0
    for back in range(2, days):
        for k in range(2):
            tenant = tenants[(back + k) % len(tenants)]
            event = _event(tenant, n, at - timedelta(days=back, seconds=k))
            items.append((event, today - timedelta(days=back)))
            n += 1
    for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
        for _ in range(2 * repository.layout.tenant_shards):
            items.append((_event(tenants[0], n, at - timedelta(seconds=1000 + n)), day))
            n += 1
        for k in range(repository.layout.global_shards):
            items.append((_event(tenants[1 + k % 3], n, at - timedelta(seconds=1000 + n)), day))
            n += 1
    repository.record_many(items)


def test_a_tenants_90_days_read_each_document_once(repository, tally, worst_hour):
    from costs.selectors import get_media_usage

    today = worst_hour
    _seed_history(repository, ["org_t", "org_u", "org_v", "org_w"], today, days=120)
    open_shards = sum(
        1
        for doc in repository.client.collection(f"{TENANTS}/org_t/{TENANT_SHARDS}").stream()
        if doc.to_dict()["date"] <= today.isoformat()
    )
    assert open_shards == 2 * repository.layout.tenant_shards  # yesterday's and today's
    tally.clear()
    with use_repository(repository):
        stats = get_media_usage("org_t", today - timedelta(days=89), today)
        assert len(stats.daily) > 30
    assert max(tally.reads.values()) == 1
    assert tally.documents_read <= 90 + open_shards


@pytest.mark.django_db
def test_the_ceo_90_day_page_reads_at_most_400_documents_each_once(
    repository, tally, worst_hour, client, super_admin
):
    from costs.budgets import update_media_budget

    today = worst_hour
    zones = ["UTC", "America/Denver", "Pacific/Auckland", "Asia/Tokyo", "America/Los_Angeles"]
    orgs = [OrganisationFactory(time_zone=zones[i % len(zones)]) for i in range(10)]
    for org in orgs[::2]:
        update_media_budget(org.pk, {"daily_limit": "500", "monthly_limit": "5000"})
    _seed_history(repository, [org.pk for org in orgs], today, days=190)
    client.force_login(super_admin)
    tally.clear()
    with use_repository(repository):
        response = client.get("/dashboard/ceo?tab=costs&period=90d")
    assert response.status_code == 200
    assert "temporarily unavailable" not in response.content.decode()
    assert max(tally.reads.values()) == 1
    layout = repository.layout
    shards = sum(1 for path in tally.reads if path.startswith(GLOBAL_SHARDS))
    events = sum(1 for path in tally.reads if path.startswith(EVENTS))
    # The month's budget windows reach tomorrow: three open dates, every shard written.
    assert shards == 3 * layout.global_shards
    # A page of 50, the 51st (is there another page?) and the 52nd (does the 51st share its
    # timestamp, so that the page must read the whole run of it?).
    assert events == 52
    # 90 + 90 day documents (the period and the previous one), the shards, the events, and the
    # first usage date's look before the earliest usage read (at most one of each collection).
    assert tally.documents_read <= 90 + 90 + 3 * layout.global_shards + 52 + 2 <= 400
