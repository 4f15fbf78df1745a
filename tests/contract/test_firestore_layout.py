"""The Firestore layout: the original collections, sharded global rollups for open dates, draining
them into one document per date once the date has closed everywhere. (Tenant shards, and the
reads and writes each operation costs: tests/contract/test_firestore_document_counts.py.)"""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from costs.domain import MediaGenerationEvent, UsageTotals
from costs.repository_firestore import (
    EVENTS,
    GLOBAL_DAYS,
    GLOBAL_SHARDS,
    FirestoreCostRepository,
    date_closes_at,
    decode_key,
    emulator_client,
    encode_key,
)

DAY = date(2026, 11, 20)


@pytest.fixture
def repository(firestore_emulator, clock):
    client = emulator_client(firestore_emulator, f"layout-{uuid.uuid4().hex[:10]}")
    yield FirestoreCostRepository(client=client, clock=clock)
    client.close()


def _event(
    n: int, tenant: str = "org_alpha", provider: str = "gemini-flash"
) -> MediaGenerationEvent:
    return MediaGenerationEvent(
        id=f"ev-{n}",
        tenant_id=tenant,
        user_id="u1",
        type="image",
        provider=provider,
        cost_micros=20_000,
        price_version="2026-02-01",
        created_at=datetime(2026, 11, 20, 18, tzinfo=UTC),
    )


def _ids(repository, collection):
    return sorted(doc.id for doc in repository.client.collection(collection).stream())


def test_it_uses_the_original_collections(repository, clock):
    assert repository.record(_event(1, provider="gemini-flash"), DAY)
    event_doc = repository.client.collection(EVENTS).document("ev-1").get().to_dict()
    assert event_doc["tenant_id"] == "org_alpha"
    assert event_doc["cost_micros"] == 20_000
    assert event_doc["local_date"] == "2026-11-20"
    tenant = repository.client.collection("tenants").document("org_alpha")
    # While the date is open the tenant's increments go to one of its shards...
    (shard,) = list(tenant.collection("media_usage_shards").stream())
    assert shard.id.startswith("2026-11-20_")
    assert shard.to_dict()["tenant_id"] == "org_alpha"
    assert shard.to_dict()["total__cost_micros"] == 20_000
    # ... and once it has closed everywhere, the next read folds them into the daily document.
    clock.now = date_closes_at(DAY) + timedelta(hours=2)
    assert repository.tenant_daily_usage("org_alpha", DAY, DAY)[0].totals.count == 1
    assert list(tenant.collection("media_usage_shards").stream()) == []
    usage = tenant.collection("media_usage").document("2026-11-20").get().to_dict()
    assert usage["date"] == "2026-11-20"
    assert usage["tenant_id"] == "org_alpha"
    assert usage["total__cost_micros"] == 20_000
    assert usage[f"provider__{encode_key('gemini-flash')}__count"] == 1
    assert usage["type__image__count"] == 1


def test_open_dates_spread_global_increments_over_shards(repository):
    for n in range(300):
        repository.record(_event(n, tenant=f"org_{n % 7}"), DAY)
    shards = _ids(repository, GLOBAL_SHARDS)
    assert 1 < len(shards) <= repository.layout.global_shards
    assert all(shard_id.startswith("2026-11-20_") for shard_id in shards)
    assert _ids(repository, GLOBAL_DAYS) == []
    assert repository.global_usage(DAY, DAY).totals == UsageTotals(
        cost_micros=300 * 20_000, count=300, successes=300
    )
    assert sum(t.count for t in repository.usage_by_tenant(DAY, DAY).values()) == 300
    # Still open: reading does not drain.
    assert _ids(repository, GLOBAL_SHARDS) == shards


def test_a_closed_date_is_drained_into_one_document_by_the_next_read(repository, clock):
    for n in range(50):
        repository.record(_event(n, tenant=f"org_{n % 3}"), DAY)
    before = repository.global_daily_usage(DAY, DAY)
    by_tenant = repository.usage_by_tenant(DAY, DAY)

    clock.now = date_closes_at(DAY) + timedelta(hours=2)
    assert repository.global_daily_usage(DAY, DAY) == before
    assert _ids(repository, GLOBAL_SHARDS) == []
    assert _ids(repository, GLOBAL_DAYS) == ["2026-11-20"]
    assert repository.global_daily_usage(DAY, DAY) == before
    assert repository.usage_by_tenant(DAY, DAY) == by_tenant


def test_a_late_event_goes_straight_to_the_day_document(repository, clock):
    repository.record(_event(1), DAY)
    clock.now = date_closes_at(DAY) + timedelta(hours=1)
    repository.record(_event(2), DAY)
    assert _ids(repository, GLOBAL_DAYS) == ["2026-11-20"]
    assert len(_ids(repository, GLOBAL_SHARDS)) == 1
    assert repository.global_usage(DAY, DAY).totals.count == 2
    assert repository.drain_closed_days() == []  # not yet two hours past the close
    clock.now += timedelta(hours=1)
    assert repository.drain_closed_days() == [DAY]
    assert _ids(repository, GLOBAL_SHARDS) == []
    assert repository.global_usage(DAY, DAY).totals.count == 2


def test_a_duplicate_writes_nothing_at_all(repository):
    assert repository.record(_event(1), DAY)
    snapshot = {c: _ids(repository, c) for c in (GLOBAL_SHARDS, GLOBAL_DAYS)}
    assert repository.record(_event(1, tenant="org_other"), DAY) is False
    assert {c: _ids(repository, c) for c in (GLOBAL_SHARDS, GLOBAL_DAYS)} == snapshot
    assert repository.tenant_daily_usage("org_other", DAY, DAY) == []
    assert repository.global_usage(DAY, DAY).totals.count == 1


@pytest.mark.parametrize("value", ["org_greenleaf", "gemini-flash", "image_edit", "ö é/.`x", "9a"])
def test_field_keys_round_trip_and_never_contain_the_separator(value):
    encoded = encode_key(value)
    assert decode_key(encoded) == value
    assert "__" not in encoded
    assert all(ch.isalnum() or ch == "_" for ch in encoded)
