"""bakedbot.sqlite_backend: the threads of a process queue in arrival order for SQLite's write
lock, and the hard budget limit still holds across processes (where SQLite's own lock decides)."""

import json
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from bakedbot.sqlite_backend.base import FifoLock

ROOT = Path(__file__).resolve().parents[2]
PROCESSES = 3
THREADS = 8


def test_it_hands_the_lock_over_in_arrival_order():
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    order: list[int] = []
    waiting = []

    def wait(n: int) -> None:
        assert lock.acquire(timeout=10)
        order.append(n)
        lock.release()

    for n in range(5):
        thread = threading.Thread(target=wait, args=(n,))
        thread.start()
        waiting.append(thread)
        while len(lock._waiters) < n + 1:  # each is queued before the next one arrives
            time.sleep(0.001)
    lock.release()
    for thread in waiting:
        thread.join()
    assert order == [0, 1, 2, 3, 4]
    assert lock.acquire(timeout=0) and not lock._waiters


def test_a_waiter_that_times_out_leaves_the_queue():
    lock = FifoLock()
    assert lock.acquire(timeout=1)
    assert lock.acquire(timeout=0.01) is False
    assert not lock._waiters
    lock.release()
    assert lock.acquire(timeout=0)


def test_a_write_lock_held_past_the_timeout_answers_database_is_locked(tmp_path, django_db_blocker):
    from django.db.utils import OperationalError

    from bakedbot.sqlite_backend.base import DatabaseWrapper, _write_lock

    name = str(tmp_path / "locked.sqlite3")
    wrapper = DatabaseWrapper(
        {
            **connection.settings_dict,
            "ENGINE": "bakedbot.sqlite_backend",
            "NAME": name,
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.05},
        },
        alias="locked",
    )
    with django_db_blocker.unblock():  # a scratch file of its own, not the test database
        wrapper.ensure_connection()
    lock = _write_lock(name)
    assert lock.acquire(timeout=1)  # another thread of this process is writing
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            wrapper._start_transaction_under_autocommit()
    finally:
        lock.release()
        wrapper.close()


def _run(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.bakedbot.sqlite_race", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_holds_from_3_processes_of_8_threads_never_pass_the_limit(tmp_path):
    database = str(tmp_path / "race.sqlite3")
    setup = _run("setup", database, "org_race", "10.00")  # room for exactly ten $1 holds
    _, err = setup.communicate(timeout=120)
    assert setup.returncode == 0, err
    races = [_run("race", database, "org_race", str(THREADS)) for _ in range(PROCESSES)]
    answers = []
    for race in races:
        out, err = race.communicate(timeout=120)
        assert race.returncode == 0, err
        answers.append(json.loads(out))
    assert [a["errors"] for a in answers] == [[]] * PROCESSES
    placed = sum(a["placed"] for a in answers)
    refused = sum(a["refused"] for a in answers)
    assert (placed, refused) == (10, PROCESSES * THREADS - 10)
    with sqlite3.connect(database) as db:
        stored = db.execute(
            "SELECT status, COUNT(*) FROM costs_budgethold WHERE tenant_id = ? GROUP BY status",
            ("org_race",),
        ).fetchall()
    assert stored == [("active", 10)]
