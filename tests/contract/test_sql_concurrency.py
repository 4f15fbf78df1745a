"""On the SQL backend, recording from many threads at once loses and doubles nothing."""

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from costs.domain import MediaGenerationEvent, UsageTotals
from costs.selectors import get_media_usage
from costs.services import track_media_generation
from costs.stores import get_repository
from tests.factories import OrganisationFactory

THREADS = 8
EVENTS_PER_THREAD = 500


@pytest.mark.django_db(transaction=True)
def test_it_records_8_threads_of_500_events_exactly(sql_store):
    tenants = [OrganisationFactory(time_zone="America/Los_Angeles") for _ in range(2)]
    at = datetime(2026, 11, 20, 20, tzinfo=UTC)  # 12:00 in Los Angeles
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(thread: int) -> None:
        try:
            start.wait()
            for n in range(EVENTS_PER_THREAD):
                tenant = tenants[n % 2]
                track_media_generation(
                    MediaGenerationEvent(
                        id=f"t{thread}-{n}",
                        tenant_id=tenant.pk,
                        user_id=f"user-{thread}",
                        type="image",
                        provider="gemini-pro" if n % 3 else "imagen",
                        success=n % 10 != 0,
                        created_at=at,
                    )
                )
                if n % 25 == 0:
                    # Another thread's id again (the retry of a lost response): changes nothing.
                    other = (thread + 1) % THREADS
                    track_media_generation(
                        MediaGenerationEvent(
                            id=f"t{other}-{n}",
                            tenant_id=tenants[n % 2].pk,
                            user_id=f"user-{other}",
                            type="image",
                            provider="gemini-pro" if n % 3 else "imagen",
                            success=n % 10 != 0,
                            created_at=at,
                        )
                    )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    # Per thread and tenant: 250 events; n % 3 == 0 -> imagen ($0.03), else gemini-pro ($0.04);
    # n % 10 == 0 -> failure ($0).
    expected = {}
    for parity, tenant in enumerate(tenants):
        ns = [n for n in range(EVENTS_PER_THREAD) if n % 2 == parity]
        cost = sum((0 if n % 10 == 0 else 30_000 if n % 3 == 0 else 40_000) for n in ns)
        failures = sum(1 for n in ns if n % 10 == 0)
        expected[tenant.pk] = UsageTotals(
            cost_micros=cost * THREADS,
            count=len(ns) * THREADS,
            successes=(len(ns) - failures) * THREADS,
            failures=failures * THREADS,
        )
        usage = get_media_usage(tenant.pk, date(2026, 11, 20), date(2026, 11, 20))
        assert usage.total_generations == len(ns) * THREADS
        assert usage.total_cost_micros == cost * THREADS
        assert usage.failures == failures * THREADS

    repository = get_repository()
    assert repository.usage_by_tenant(date(2026, 11, 20), date(2026, 11, 20)) == expected
    assert repository.global_usage(date(2026, 11, 20), date(2026, 11, 20)).totals == (
        expected[tenants[0].pk] + expected[tenants[1].pk]
    )
    assert repository.recompute_aggregates().clean
