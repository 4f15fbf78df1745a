"""Real django-q2 worker processes for tests: ``manage.py qcluster`` on the test database (a
transactional test's SQLite file) and the test's MEDIA_ROOT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

WAIT_SECONDS = 120


def wait_for(condition, what: str, *, seconds: float = WAIT_SECONDS):
    """Poll ``condition`` until it returns something true; fail naming ``what`` (no timing is
    asserted: the limit only stops a broken run from hanging)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


class Workers:
    """Starts qcluster processes; ``stop_all`` ends every one this object started."""

    def __init__(self, *, media_root: Path, **env: str) -> None:
        self.env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{connection.settings_dict['NAME']}",
            "MEDIA_ROOT": str(media_root),
            "Q_WORKERS": "2",
            "MEDIA_SLOT_WAIT_SECONDS": "1",
            "MEDIA_POLL_INTERVAL_SECONDS": "1",
            "MEDIA_BACKOFF_BASE_MS": "1",
            **env,
        }
        self.processes: list[subprocess.Popen] = []

    def start(self, **extra: str) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=Path(settings.BASE_DIR),
            env={**self.env, **extra},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """Stop dead, children and all: no clean-up code runs."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                continue
            # The cluster's main process stops its own children; the group kill is the fallback.
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
