"""Fixtures for the cost stores (loaded by tests/conftest.py as a pytest plugin).

``firestore_emulator`` starts the real ``@firestore-emulator/server`` (tests/node_modules, through
tests/firestore_emulator.js) once per test session on a free loopback port and stops it at the end.
``cost_store`` runs a test once on each backend and on the dict-backed fake
(``tests/costs/fake_repository.py``); every Firestore test gets its own emulator project, so tests
never see each other's documents. ``fake_store`` puts the fake under one test through
``costs.stores.use_repository``: the store for unit tests of what sits above it.
"""

import contextlib
import selectors
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from costs.repository_firestore import emulator_client
from costs.stores import get_repository, reset_repositories, use_repository
from costs.tenants import forget_tenant_time_zones
from tests.costs.fake_repository import FakeCostRepository

TESTS_DIR = Path(__file__).resolve().parent
LAUNCHER = TESTS_DIR / "firestore_emulator.js"
READY_PREFIX = "firestore-emulator listening on "
START_TIMEOUT = 30.0


def _read_ready_line(process: subprocess.Popen) -> str:
    """The launcher's first line, waiting at most START_TIMEOUT seconds for it."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if selector.select(timeout=0.2):
            return process.stdout.readline().strip()
        if process.poll() is not None:
            break
    raise RuntimeError(
        f"the Firestore emulator did not start: {process.stderr.read() if process.stderr else ''}"
    )


def _wait_until_serving(host: str) -> None:
    """A real request through the official client: the port may accept before gRPC answers."""
    client = emulator_client(host, "readiness-check")
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            try:
                client.collection("readiness").document("probe").get(timeout=2)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
    finally:
        client.close()


@pytest.fixture(scope="session")
def firestore_emulator():
    """``host:port`` of a running emulator (the environment is left alone: clients are built with
    ``costs.repository_firestore.emulator_client``, so other tests never see the variable)."""
    if shutil.which("node") is None:
        raise RuntimeError("Node.js is needed for the Firestore emulator (see README)")
    if not (TESTS_DIR / "node_modules" / "@firestore-emulator" / "server").is_dir():
        raise RuntimeError("Run `cd tests && npm ci` to install the Firestore emulator")
    emulator = EmulatorProcess()
    try:
        yield emulator.start()
    finally:
        reset_repositories()
        emulator.stop(graceful=True)


def use_store(settings, store: str, emulator_host: str = "") -> None:
    """Point ``get_repository()`` at ``store`` (a fresh emulator project for Firestore)."""
    reset_repositories()
    forget_tenant_time_zones()
    settings.COSTS_STORE = store
    if store == "firestore":
        settings.FIRESTORE_PROJECT = f"test-{uuid.uuid4().hex[:12]}"
        settings.FIRESTORE_EMULATOR_HOST = emulator_host


@pytest.fixture(params=["sql", "firestore", "fake"])
def cost_store(request, settings, db):
    """Runs the test on each backend and on the fake; yields the store's name
    (``get_repository()`` answers that store)."""
    if request.param == "fake":
        forget_tenant_time_zones()
        with use_repository(FakeCostRepository()):
            yield request.param
        return
    emulator = request.getfixturevalue("firestore_emulator") if request.param == "firestore" else ""
    use_store(settings, request.param, emulator)
    yield request.param
    reset_repositories()


@pytest.fixture
def fake_store(db):
    """The dict-backed fake as the cost store of this test (``get_repository()`` answers it)."""
    forget_tenant_time_zones()
    with use_repository(FakeCostRepository()) as repository:
        yield repository


@pytest.fixture
def sql_store(settings, db):
    use_store(settings, "sql")
    yield get_repository()
    reset_repositories()


@pytest.fixture
def firestore_store(settings, db, firestore_emulator):
    use_store(settings, "firestore", firestore_emulator)
    yield get_repository()
    reset_repositories()


class EmulatorProcess:
    """An emulator process on a free loopback port, to stop and start again on the same port: the
    session's shared one, and a test's own for an outage of the cost store (the shared one must
    keep running for every other test)."""

    def __init__(self) -> None:
        self.port = 0
        self.process: subprocess.Popen | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> str:
        process = subprocess.Popen(
            [shutil.which("node") or "node", str(LAUNCHER), str(self.port), "--exit-with-stdin"],
            cwd=TESTS_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.process = process
        line = _read_ready_line(process)
        if not line.startswith(READY_PREFIX):
            raise RuntimeError(f"unexpected output from the Firestore emulator: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])
        _wait_until_serving(self.host)
        return self.host

    def stop(self, *, graceful: bool = False) -> None:
        """SIGKILL: the store vanishes mid-flight, as a crashed or unreachable server does;
        ``graceful``: SIGTERM first, SIGKILL only if it has not exited within 10 s."""
        process, self.process = self.process, None
        if process is None:
            return
        if graceful:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream:
                stream.close()


@pytest.fixture
def stoppable_firestore(settings, db):
    """The Firestore cost store on an emulator of this test's own (``.stop()``, ``.start()``
    again on the same port); ``get_repository()`` answers it."""
    emulator = EmulatorProcess()
    emulator.start()
    use_store(settings, "firestore", emulator.host)
    try:
        yield emulator
    finally:
        reset_repositories()
        emulator.stop()
