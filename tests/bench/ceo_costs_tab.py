"""Benchmark: server time to render the 90-day CEO costs tab, 10,000 vs 1,000,000 events.

    .venv/bin/python tests/bench/ceo_costs_tab.py [--small 10000] [--large 1000000] [--runs 30]

Same data as tests/bench/costs_query.py (200 tenants, 90 days, SQL store on SQLite in WAL mode,
seeded in bulk), with monthly budgets for a quarter of the tenants so the budget column is
computed. The whole response is rendered through Django's test client as a logged-in super admin,
in rounds alternating between the sizes. Prints JSON with both medians and their ratio.
Target: median under 200 ms at 1M events, ratio <= 1.5.
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from costs_query import TENANTS, bench_arguments, seed, seed_and_measure
from harness import setup_django

URL = "/dashboard/ceo?tab=costs&period=90d"


def _production_like_settings() -> None:
    import os

    # DEBUG off (no SQL logging); the test client's host; no HTTPS redirect on the test client.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"


def child_seed(directory: str, events: int) -> None:
    _production_like_settings()
    setup_django(directory)
    seconds = seed(events)
    from django.contrib.auth import get_user_model

    from costs.budgets import update_media_budget

    for i in range(0, TENANTS, 4):
        update_media_budget(f"org_bench{i:03d}", {"monthly_limit": "250"})
    get_user_model().objects.create_superuser("ceo@bench.test", "ceo@bench.test", "x" * 20)
    print(json.dumps({"events": events, "seed_seconds": round(seconds, 1)}))


def child_measure(directory: str, runs: int) -> None:
    _production_like_settings()
    setup_django(directory)
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    client = Client()
    client.force_login(get_user_model().objects.get(username="ceo@bench.test"))
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        # Hashed static names need collectstatic; the bench measures the view, not the manifest.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        for _ in range(3):
            assert client.get(URL).status_code == 200
        timings = []
        size = 0
        for _ in range(runs):
            began = time.perf_counter()
            response = client.get(URL)
            size = len(response.content)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
    print(json.dumps({"median_ms": statistics.median(timings), "bytes": size}))


def main() -> None:
    args = bench_arguments(runs=30)
    if args.seed_child is not None:
        child_seed(args.dir, args.seed_child)
        return
    if args.measure_child:
        child_measure(args.dir, args.runs)
        return
    results = seed_and_measure(Path(__file__).resolve(), args)
    for result in results.values():
        rounds = result.pop("rounds")
        result["round_medians_ms"] = [round(r["median_ms"], 2) for r in rounds]
        result["median_ms"] = round(statistics.median(result["round_medians_ms"]), 2)
        result["response_bytes"] = rounds[-1]["bytes"]
    ratio = results["large"]["median_ms"] / results["small"]["median_ms"]
    print(
        json.dumps(
            {
                "benchmark": "ceo_costs_tab",
                "url": URL,
                "store": "sql (SQLite, WAL)",
                "tenants": TENANTS,
                "small": results["small"],
                "large": results["large"],
                "ratio_large_to_small": round(ratio, 2),
                "targets": {"median_ms_at_large": 200, "ratio": 1.5},
                "meets_targets": results["large"]["median_ms"] < 200 and ratio <= 1.5,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
