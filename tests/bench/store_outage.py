"""Benchmark: how fast requests answer while the cost store is down.

    .venv/bin/python tests/bench/store_outage.py [--runs 3] [--timeout 5]

Three outages, on a fresh SQLite database with production settings (``DEBUG=0``):
- ``firestore_killed``: the Firestore emulator process killed (connections refused);
- ``firestore_frozen``: the emulator stopped with SIGSTOP (it accepts connections and answers
  nothing: every call waits out its deadline);
- ``sqlite_locked``: the SQL store, another connection holding ``BEGIN EXCLUSIVE``.

For each, every request below is sent ``--runs`` times through Django's test client: ``first``
is the first request after the store went down (it meets the deadline,
``COSTS_STORE_TIMEOUT_SECONDS``), ``then`` the median of the following ones (the repository fails
at once for its cooldown after an unavailable call). Prints JSON with the status and seconds per
request. Before this work the same requests answered 500 after 49-59 s (API, Firestore), about
285 s (pages, Firestore) and 30 s (SQLite locked).
"""

import argparse
import json
import os
import signal
import sqlite3
import statistics
import tempfile
import time

from harness import serve_static_from_finders, setup_django

REQUESTS = {
    "api POST /events": ("api", "post", "/events"),
    "api GET /usage": ("api", "get", "/usage"),
    "CEO tab": ("admin", "get", "/dashboard/ceo?tab=costs"),
    "media dashboard": ("owner", "get", "/dashboard/media"),
    "Creative Center": ("owner", "get", "/dashboard/creative"),
    "Creative Center generate": ("owner", "post", "/dashboard/creative/generate"),
}
GENERATE = {
    "kind": "image",
    "provider": "gemini-flash",
    "base_prompt": "A cat",
    "aspect_ratio": "1:1",
}


def setup(timeout: int) -> None:
    """Production settings with the store deadline under test, in a throw-away folder."""
    folder = tempfile.mkdtemp(prefix="bench-outage-")
    setup_django(
        folder,
        VAR_DIR=folder,
        COSTS_STORE_TIMEOUT_SECONDS=str(timeout),
        LOG_LEVEL="CRITICAL",
    )
    serve_static_from_finders()


def clients():
    from django.test import Client

    from bakedbot.api_tokens import create_api_token
    from bakedbot.models import Membership
    from costs.budgets import update_media_budget
    from tests.factories import MembershipFactory, OrganisationFactory, SuperAdminFactory

    org = OrganisationFactory(name="Bench Brand", slug="bench")
    owner = MembershipFactory(organisation=org, role=Membership.Role.OWNER).user
    update_media_budget(org.pk, {"daily_limit": "10.00"})
    secret = create_api_token(tenant=org, name="bench", created_by=owner).secret
    owner_client, admin_client = Client(), Client()
    owner_client.force_login(owner)
    admin_client.force_login(SuperAdminFactory())
    return {"owner": owner_client, "admin": admin_client}, secret


def send(clients_by_role, secret, name, key):
    role, method, path = REQUESTS[name]
    if role == "api":
        headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": key}
        client = clients_by_role["owner"]
        if method == "post":
            return client.post(
                f"/api/v1{path}",
                {"type": "image", "provider": "imagen"},
                content_type="application/json",
                headers=headers,
            )
        return client.get(f"/api/v1{path}", headers=headers)
    client = clients_by_role[role]
    return client.post(path, GENERATE) if method == "post" else client.get(path)


def measure(clients_by_role, secret, runs: int) -> dict:
    from costs.stores import reset_repositories

    figures = {}
    for name in REQUESTS:
        reset_repositories()  # a fresh repository: the first request meets the store itself
        seconds, statuses = [], set()
        for run in range(runs):
            started = time.monotonic()
            response = send(clients_by_role, secret, name, f"bench-{run}-{time.time_ns()}")
            seconds.append(time.monotonic() - started)
            statuses.add(response.status_code)
        figures[name] = {
            "status": sorted(statuses),
            "first_s": round(seconds[0], 3),
            "then_median_s": round(statistics.median(seconds[1:]), 3) if runs > 1 else None,
            "max_s": round(max(seconds), 3),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=int, default=5, help="COSTS_STORE_TIMEOUT_SECONDS")
    options = parser.parse_args()
    setup(options.timeout)

    from django.conf import settings
    from django.db import connection

    from costs.stores import reset_repositories
    from tests.costs_store import EmulatorProcess

    clients_by_role, secret = clients()
    results = {"timeout_seconds": options.timeout, "runs": options.runs}

    emulator = EmulatorProcess()
    emulator.start()
    settings.COSTS_STORE = "firestore"
    settings.FIRESTORE_PROJECT = "bench-outage"
    settings.FIRESTORE_EMULATOR_HOST = emulator.host
    try:
        emulator.stop()
        results["firestore_killed"] = measure(clients_by_role, secret, options.runs)
        emulator.start()
        os.kill(emulator.process.pid, signal.SIGSTOP)
        try:
            results["firestore_frozen"] = measure(clients_by_role, secret, options.runs)
        finally:
            os.kill(emulator.process.pid, signal.SIGCONT)
    finally:
        emulator.stop()
        reset_repositories()

    settings.COSTS_STORE = "sql"
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        results["sqlite_locked"] = measure(clients_by_role, secret, options.runs)
    finally:
        other.execute("ROLLBACK")
        other.close()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
