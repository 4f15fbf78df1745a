import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_serves_the_login_page_and_runs_a_worker_until_interrupted(tmp_path):
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        serve = subprocess.Popen(
            [*manage, "serve", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            status, deadline = None, time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                        status = r.status
                    if "running." in log.read_text():
                        break
                except OSError:
                    pass
                time.sleep(0.3)
            assert status == 200
            assert "Q Cluster" in log.read_text() and "running." in log.read_text()
        finally:
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=40)
    text = log.read_text()
    assert "has stopped" in text
    assert serve.returncode == 0
