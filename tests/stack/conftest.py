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
    free_port,
    manage,
    postgres_data_dir,
    production_environment,
    start_gunicorn,
    start_qcluster,
    stored_secret,
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

    def agents(
        self, command: str, count: int, env: dict[str, str] | None = None, **arguments
    ) -> list[dict]:
        """Run ``count`` agent processes of a racing command and release them at once."""
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.stack.agent", command, json.dumps(arguments)],
                cwd=BASE_DIR,
                env={**self.env, **(env or {})},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(count)
        ]
        try:
            for process in processes:
                line = process.stdout.readline().strip()
                if line != "ready":
                    raise AssertionError(f"agent {command} did not start: {process.stderr.read()}")
            for process in processes:
                process.stdin.write("go\n")
                process.stdin.flush()
            answers = []
            for process in processes:
                out, err = process.communicate(timeout=AGENT_TIMEOUT)
                if process.returncode:
                    raise AssertionError(f"agent {command} failed:\n{err[-4000:]}")
                answers.append(json.loads(out.strip().splitlines()[-1]))
            return answers
        finally:
            for process in processes:
                if process.poll() is None:
                    process.kill()
                    process.wait()

    def wait_until_drained(self, *, tenants: list[str], seconds: float = 240) -> dict:
        """Wait until every job of ``tenants`` has finished and the cost outbox is empty."""
        deadline = time.monotonic() + seconds
        while True:
            state = self.agent("jobs", tenants=tenants)
            open_jobs = [j for j in state["jobs"] if j["status"] not in ("done", "failed")]
            if not open_jobs and not state["pending_outbox"]:
                return state
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the queue did not drain: {len(open_jobs)} jobs open, "
                    f"{state['pending_outbox']} events in the outbox"
                )
            time.sleep(1)


@pytest.fixture(scope="session")
def png_still() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 36), "#2a7f62").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def stack(png_still):
    """The running stack (see the module docstring); stopped at the end of the session."""
    root = Path(settings.VAR_DIR) / f"stack-test-{os.getpid()}"
    shutil.rmtree(root, ignore_errors=True)
    logs = root / "logs"
    sora = FakeSora(png_still)
    started: list = []
    try:
        postgres = Postgres(
            data_dir=postgres_data_dir(root / "postgres"),
            port=free_port(),
            log=logs / "postgres.log",
            fast=True,
        )
        started.append(postgres)
        postgres.start()
        redis = Redis(root / "redis", free_port(), logs / "redis.log")
        started.append(redis)
        redis.start()
        emulator = FirestoreEmulator(free_port(), logs / "firestore.log")
        started.append(emulator)
        emulator.start()
        env = production_environment(
            database_url=postgres.url,
            redis_url=redis.url,
            firestore_host=emulator.host,
            secret_key=stored_secret(root / "secret_key"),
            var_dir=root,
            # The load run sends far more than a real integration's 120 requests a minute.
            API_RATE_LIMIT="1000000",
            MEDIA_PROVIDER_CONCURRENCY="8",
            MEDIA_SLOT_WAIT_SECONDS="1",
            MEDIA_POLL_INTERVAL_SECONDS="1",
            MEDIA_BACKOFF_BASE_MS="1",
            MEDIA_CACHE_TTL_SECONDS="0",
            OPENAI_API_KEY="stack-test-key",
            LOG_LEVEL="WARNING",
        )
        stack = Stack(root, postgres, redis, emulator, sora, env)
        manage(env, "migrate", "--noinput", log=logs / "setup.log")
        manage(env, "collectstatic", "--noinput", log=logs / "setup.log")
        for name in JOB_WORKERS:
            started.append(stack.start_worker(name))
        stack.web = start_gunicorn(
            env, port=free_port(), workers=WEB_WORKERS, log=logs / "gunicorn.log"
        )
        started.append(stack.web)
        yield stack
    finally:
        for server in reversed(started):
            server.stop()
        if "stack" in locals():
            for worker in stack.workers.values():
                worker.stop()
        sora.close()
        shutil.rmtree(root, ignore_errors=True)
