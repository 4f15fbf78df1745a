"""The stack tier: one production-shaped stack per test session, started by the fixtures on free
loopback ports and stopped after — PostgreSQL, Redis, the Firestore emulator, gunicorn (4
workers) and 2 ``qcluster`` processes on the production settings (``DEBUG=0``), with Sora pointed
at a fake on loopback (``fake_sora.py``) and the other providers simulated. Nothing is assumed to
be running; a server that cannot start fails the tests (``StackError``), never skips them.

Tests talk to the stack over HTTP and through ``tests/stack/agent.py`` processes that run the
real services with the stack's settings. Every test module here is in the ``stack`` xdist group,
so under ``pytest -n`` one worker runs them all against one stack.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from bakedbot.management.stack import (
    BASE_DIR,
    FirestoreEmulator,
    Postgres,
    Redis,
    Server,
    collect_static,
    free_port,
    manage,
    start_backends,
    start_gunicorn,
    start_qcluster,
)
from tests.stack.fake_sora import FakeSora

WEB_WORKERS = 4
JOB_WORKERS = ("w1", "w2")
AGENT_TIMEOUT = 300


@dataclass
class Stack:
    root: Path
    postgres: Postgres
    redis: Redis
    emulator: FirestoreEmulator
    sora: FakeSora
    env: dict[str, str]
    web: Server | None = None
    workers: dict[str, Server] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self.web and self.web.port
        return f"http://127.0.0.1:{self.web.port}"

    def worker_env(self, name: str) -> dict[str, str]:
        return {**self.env, "OPENAI_BASE_URL": self.sora.base_url(name)}

    def start_worker(self, name: str) -> Server:
        self.workers[name] = start_qcluster(
            self.worker_env(name), log=self.root / "logs" / f"qcluster-{name}.log", name=name
        )
        return self.workers[name]

    def sql(self, query: str, *params) -> list[tuple]:
        """Rows of ``query`` on the stack's database (a connection of its own, autocommit)."""
        with self.postgres.connect("bakedbot") as conn:
            return conn.execute(query, params).fetchall()

    def agent(self, command: str, env: dict[str, str] | None = None, **arguments) -> dict:
        """Run one agent command to its end and return its answer."""
        result = subprocess.run(
            [sys.executable, "-m", "tests.stack.agent", command, json.dumps(arguments)],
            cwd=BASE_DIR,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=AGENT_TIMEOUT,
        )
        if result.returncode:
            raise AssertionError(f"agent {command} failed:\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def race(
        self, command: str, processes: int, rounds: list[dict], env: dict[str, str] | None = None
    ) -> list[list[dict]]:
        """Start ``processes`` agents of a racing command; for each round, release them at once
        and collect every process's answer (one list per round)."""
        payload = json.dumps({"rounds": rounds})
        started = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.stack.agent", command, payload],
                cwd=BASE_DIR,
                env={**self.env, **(env or {})},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        try:
            answers = []
            for _ in rounds:
                for process in started:
                    line = process.stdout.readline().strip()
                    if line != "ready":
                        process.kill()
                        raise AssertionError(f"agent {command}: {line} {process.stderr.read()}")
                for process in started:
                    process.stdin.write("go\n")
                    process.stdin.flush()
                answers.append([json.loads(p.stdout.readline()) for p in started])
            for process in started:
                process.stdin.close()
                process.wait(timeout=AGENT_TIMEOUT)
            return answers
        finally:
            for process in started:
                if process.poll() is None:
                    process.kill()
                    process.wait()
                for stream in (process.stdin, process.stdout, process.stderr):
                    stream.close()

    def wait_until_drained(self, *, tenants: list[str], seconds: float = 240) -> dict:
        """Wait until every job of ``tenants`` has finished and the cost outbox is empty."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.agent("jobs", tenants=tenants)
            open_jobs = [j for j in state["jobs"] if j["status"] not in ("done", "failed")]
            if not open_jobs and not state["pending_outbox"]:
                return state
            if time.monotonic() > deadline:
                workers = {
                    name: "running" if worker.running() else f"exited {worker.process.returncode}"
                    for name, worker in self.workers.items()
                }
                statuses = sorted({j["status"] for j in open_jobs})
                raise AssertionError(
                    f"the queue did not drain: {len(open_jobs)} jobs open ({statuses}), "
                    f"{state['pending_outbox']} events in the outbox; job workers: {workers}"
                )
            time.sleep(1)


UNGROUPED = pytest.StashKey[str]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Under ``--dist loadgroup`` pytest-xdist keeps a group on one worker by ending its tests'
    node ids in ``@<group>``. Where it cannot (pytest-xdist#1386, on pytest 9.2) every worker
    would start a stack of its own: the ``stack`` fixture refuses to start one instead."""
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [i.nodeid for i in items if i.get_closest_marker("xdist_group") and "@" not in i.nodeid]
    if lost:
        config.stash[UNGROUPED] = (
            f"pytest-xdist did not keep the stack tier on one worker ({lost[0]} has no group) "
            f"under pytest {pytest.__version__}: install the pytest that pyproject.toml pins "
            "(make install)."
        )


@pytest.fixture(scope="session")
def png_still() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 36), "#2a7f62").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def stack(png_still, pytestconfig):
    """The running stack (see the module docstring); stopped at the end of the session."""
    if UNGROUPED in pytestconfig.stash:
        pytest.fail(pytestconfig.stash[UNGROUPED])
    root = Path(settings.VAR_DIR) / f"stack-test-{os.getpid()}"
    shutil.rmtree(root, ignore_errors=True)
    logs = root / "logs"
    sora = FakeSora(png_still)
    started: list = []
    try:
        backends = start_backends(
            root,
            started,
            postgres_port=free_port(),
            redis_port=free_port(),
            firestore_port=free_port(),
            fast_postgres=True,
        )
        env = backends.environment(
            # Collected once and reused while the static files are unchanged (see collect_static).
            STATIC_ROOT=str(Path(settings.VAR_DIR) / "stack-static"),
            # The load run sends far more than a real integration's 120 requests a minute.
            API_RATE_LIMIT="1000000",
            MEDIA_PROVIDER_CONCURRENCY="8",
            MEDIA_SLOT_WAIT_SECONDS="1",
            MEDIA_POLL_INTERVAL_SECONDS="1",
            MEDIA_BACKOFF_BASE_MS="1",
            MEDIA_CACHE_TTL_SECONDS="0",
            OPENAI_API_KEY="stack-test-key",
            # The fake serves sora-2 as a gateway would after OpenAI retired it.
            MEDIA_ALLOW_RETIRED_MODELS="sora-2",
            LOG_LEVEL="WARNING",
        )
        stack = Stack(root, backends.postgres, backends.redis, backends.emulator, sora, env)
        manage(env, "migrate", "--noinput", log=logs / "setup.log")
        collect_static(env, log=logs / "setup.log")
        for name in JOB_WORKERS:
            started.append(stack.start_worker(name))
        stack.web = start_gunicorn(
            env, port=free_port(), workers=WEB_WORKERS, log=logs / "gunicorn.log"
        )
        started.append(stack.web)
        yield stack
    finally:
        if "stack" in locals():
            # A job worker's clean stop waits for its broker poll; nothing of it is asserted now.
            for worker in stack.workers.values():
                worker.stop(timeout=5)
        for server in reversed(started):
            server.stop()
        sora.close()
        # The servers' logs outlive the run (var/stack-test-logs/) for reading a failure.
        kept = Path(settings.VAR_DIR) / "stack-test-logs"
        shutil.rmtree(kept, ignore_errors=True)
        if logs.exists():
            shutil.copytree(logs, kept)
        shutil.rmtree(root, ignore_errors=True)
