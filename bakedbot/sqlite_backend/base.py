"""Django's SQLite backend, with the threads of one process queueing for the write lock.

Every transaction takes SQLite's write lock at ``BEGIN IMMEDIATE`` (settings), and a write outside
a transaction takes it for its statement. A writer that finds the lock taken is left to SQLite's
busy handler, which polls: it sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 then 100 ms between
attempts, however soon the lock is freed. Eight threads placing and settling budget holds of
~1.5 ms each waited up to hundreds of milliseconds (p99 150-240 ms) for a lock that was free most
of that time, and the longer a writer had waited, the longer it slept.

Here the threads of a process first take a process-wide lock for the database file — from
``BEGIN`` to ``COMMIT``/``ROLLBACK``, or around one writing statement in autocommit mode — so a
waiting thread is woken the moment the previous writer is done, and at most one thread per process
meets SQLite's lock (where other processes are still met by the busy handler). The wait is bounded
by the same ``timeout`` option as SQLite's own and ends in the same ``database is locked`` error.
Nothing is serialised that SQLite did not already serialise: it allows one writer at a time.
"""

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class FifoLock:
    """A lock handed to its waiters in arrival order. (``threading.Lock`` lets the thread that
    just released it take it again ahead of threads already waiting: the mean wait is the same,
    but some waiters wait many turns, which is the p99.)"""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[threading.Lock] = deque()
        self._held = False

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        if turn.acquire(timeout=timeout):
            return True
        with self._mutex:
            if turn in self._waiters:
                self._waiters.remove(turn)
                return False
        return True  # handed over between the timeout and the removal: ours after all

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # handed over: stays held
            else:
                self._held = False


_guard = threading.Lock()
_write_locks: dict[str, FifoLock] = {}


def _write_lock(name: str) -> FifoLock:
    with _guard:
        return _write_locks.setdefault(name, FifoLock())


class QueuedCursor(base.SQLiteCursorWrapper):
    """A cursor whose writing statements outside a transaction wait in the process's queue."""

    wrapper: "DatabaseWrapper"

    def execute(self, query, params=None):
        if not self.wrapper.needs_queue(query):
            return super().execute(query, params)
        with self.wrapper.queued():
            return super().execute(query, params)

    def executemany(self, query, param_list):
        if not self.wrapper.needs_queue(query):
            return super().executemany(query, param_list)
        with self.wrapper.queued():
            return super().executemany(query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held_write_lock: FifoLock | None = None

    def _queues(self) -> bool:
        return self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE") and not self.is_in_memory_db()

    def _acquire_write_lock(self) -> None:
        lock = _write_lock(str(self.settings_dict["NAME"]))
        if not lock.acquire(timeout=float(self.settings_dict["OPTIONS"].get("timeout", 5))):
            raise OperationalError("database is locked")
        self._held_write_lock = lock

    def _release_write_lock(self) -> None:
        lock, self._held_write_lock = self._held_write_lock, None
        if lock is not None:
            lock.release()

    def needs_queue(self, query: str) -> bool:
        return (
            self._held_write_lock is None
            and self._queues()
            and query.lstrip()[:6].upper() in _WRITES
        )

    @contextmanager
    def queued(self) -> Iterator[None]:
        """Holds the process's write lock around one statement in autocommit mode."""
        self._acquire_write_lock()
        try:
            yield
        finally:
            self._release_write_lock()

    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=QueuedCursor)
        cursor.wrapper = self
        return cursor

    def _start_transaction_under_autocommit(self) -> None:
        if not self._queues():
            super()._start_transaction_under_autocommit()
            return
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            self._release_write_lock()
