"""The store contract when the store does not answer: every call raises ``CostStoreUnavailable``
(never a driver's exception, never a hang past the deadline) and writes nothing.

Firestore: the emulator of the test's own is killed (connection refused), then stopped with
SIGSTOP (it accepts nothing and answers nothing: each call waits out its deadline). SQL: another
connection holds SQLite's write lock. Times are printed, never asserted."""

import os
import signal
import sqlite3
import time
from datetime import date

import pytest
from django.db import connection

from costs.repository import CostStoreUnavailable
from costs.stores import get_repository
from tests.contract.test_cost_repository import event

DAY = date(2026, 11, 20)


def _calls(repository, tenant):
    return {
        "record": lambda: repository.record(event(tenant, 1, cost_micros=5), DAY),
        "record_many": lambda: repository.record_many([(event(tenant, 2, cost_micros=5), DAY)]),
        "get_event": lambda: repository.get_event("x"),
        "recent_events": lambda: repository.recent_events(limit=5),
        "tenant_daily_usage": lambda: repository.tenant_daily_usage(tenant.pk, DAY, DAY),
        "tenant_spend_micros": lambda: repository.tenant_spend_micros(tenant.pk, DAY, DAY),
        "global_daily_usage": lambda: repository.global_daily_usage(DAY, DAY),
        "usage_by_tenant": lambda: repository.usage_by_tenant(DAY, DAY),
        "global_period_usage": lambda: repository.global_period_usage(DAY, DAY),
        "first_usage_date": lambda: repository.first_usage_date(),
    }


def _each_unavailable(calls, label):
    for name, call in calls.items():
        started = time.monotonic()
        with pytest.raises(CostStoreUnavailable):
            call()
        print(f"{label} {name}: unavailable after {time.monotonic() - started:.2f} s")


def _wait_until_answering(repository) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            repository.first_usage_date()
            return
        except CostStoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def one_second(settings):
    settings.COSTS_STORE_TIMEOUT_SECONDS = 1


def test_firestore_killed_or_frozen_every_call_is_unavailable(one_second, org_a, request):
    emulator = request.getfixturevalue("stoppable_firestore")
    repository = get_repository()
    repository.unavailable_cooldown = 0  # every call tries the store: each one is checked
    assert repository.record(event(org_a, 0, cost_micros=5), DAY)

    emulator.stop()
    _each_unavailable(_calls(repository, org_a), "Firestore killed:")

    emulator.start()  # empty again: the emulator keeps nothing
    _wait_until_answering(repository)
    assert repository.get_event(f"{org_a.pk}-0") is None
    os.kill(emulator.process.pid, signal.SIGSTOP)
    try:
        _each_unavailable(
            {name: call for name, call in _calls(repository, org_a).items() if "record" in name},
            "Firestore frozen:",
        )
    finally:
        os.kill(emulator.process.pid, signal.SIGCONT)


def test_after_an_unavailable_call_calls_fail_at_once_for_the_cooldown(one_second, org_a, request):
    emulator = request.getfixturevalue("stoppable_firestore")
    repository = get_repository()
    emulator.stop()
    with pytest.raises(CostStoreUnavailable):
        repository.get_event("x")
    started = time.monotonic()
    with pytest.raises(CostStoreUnavailable):
        repository.tenant_daily_usage(org_a.pk, DAY, DAY)
    print(f"second call during the cooldown: {time.monotonic() - started:.3f} s")


@pytest.mark.django_db(transaction=True)
def test_sql_with_the_write_lock_held_elsewhere_writes_are_unavailable(org_a, sql_store):
    options = connection.settings_dict["OPTIONS"]
    before = options["timeout"]
    options["timeout"] = 1
    connection.close()
    sql_store.unavailable_cooldown = 0
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        calls = _calls(sql_store, org_a)
        _each_unavailable(
            {name: calls[name] for name in ("record", "record_many")}, "SQLite locked:"
        )
        # WAL: readers do not wait for the writer.
        assert sql_store.get_event("x") is None
    finally:
        other.execute("ROLLBACK")
        other.close()
        options["timeout"] = before
        connection.close()
    assert sql_store.recent_events(limit=5) == []
