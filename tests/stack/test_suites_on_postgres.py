"""The cost-store contract suite and the budget suites, run again on the stack's PostgreSQL (the
main run has them on SQLite): a pytest process with ``DATABASE_URL`` naming the server, on which
pytest-django creates its test database."""

import os
import re
import subprocess
import sys

import pytest

from bakedbot.management.stack import BASE_DIR

pytestmark = pytest.mark.xdist_group("stack")

SUITES = ["tests/contract", "tests/costs/services"]
# Their SQL cases. The Firestore and fake-store cases do not touch the database; the one about
# SQLite's own write lock (held through a second sqlite3 connection) has no meaning here.
SELECTION = "not firestore and not fake and not write_lock_held_elsewhere"


def test_the_contract_and_budget_suites_pass_on_postgresql(stack, figures):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_SETTINGS"))
    }
    env |= {"DATABASE_URL": stack.postgres.url_for("suites"), "COSTS_STORE": "sql"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *SUITES, "-q", "-p", "no:xdist", "-k", SELECTION],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|errors?)", summary)}
    figures(
        "contract + budget suites on PostgreSQL",
        {"suites": SUITES, "selection": SELECTION, "result": summary},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert counts.get("passed", 0) > 100 and not counts.get("failed")
