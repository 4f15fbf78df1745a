"""Benchmark: the CEO tab's full events CSV (``/dashboard/ceo/events.csv``), streamed row by row,
at 10,000 and (with ``--large``) 1,000,000 events over 200 tenants and 90 days (SQL store).

    .venv/bin/python tests/bench/events_export.py             # 10,000 events
    .venv/bin/python tests/bench/events_export.py --large     # and 1,000,000 (takes a while)
    .venv/bin/python tests/bench/events_export.py --sizes 10000 100000

Each size gets a fresh SQLite database (WAL) seeded in bulk through ``track_media_generations``.
Then a fresh process downloads the whole export through Django's test client as a super admin,
reading the streamed response chunk by chunk (as a WSGI server sends it): rows, bytes, seconds,
rows per second and the process's peak resident memory before and after. A second fresh process
does the same under ``tracemalloc`` for the peak of Python allocations during the download. Constant
memory means the peaks barely move between sizes while the rows grow a hundredfold.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from harness import setup_django

from tests.bench.costs_query import run_child, seed

URL = "/dashboard/ceo/events.csv?period=all"


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def download(*, traced: bool) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    # Production settings; a named host, plain HTTP (TLS is the load balancer's).
    client = Client(SERVER_NAME="bench.example.test")
    client.force_login(admin)
    client.get(URL.replace("events.csv", "summary.csv"))  # warm: imports, templates, zones
    rss_before = _peak_rss_mb()
    if traced:
        tracemalloc.start()
    began = time.perf_counter()
    response = client.get(URL)
    if response.status_code != 200 or not response.streaming:
        raise SystemExit(f"the export answered {response.status_code}: {response.content[:300]}")
    rows = size = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        size += len(chunk)
    seconds = time.perf_counter() - began
    result = {"rows": rows - 1, "bytes": size, "seconds": round(seconds, 2)}
    if traced:
        result["python_heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
        tracemalloc.stop()
    else:
        result["rows_per_second"] = round((rows - 1) / seconds)
        result["peak_rss_before_mb"] = rss_before
        result["peak_rss_after_mb"] = _peak_rss_mb()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--large", action="store_true", help="add 1,000,000 events")
    parser.add_argument("--seed-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--export-child", choices=["plain", "traced"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "bench.example.test"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    if args.seed_child is not None:
        setup_django(args.dir)
        print(json.dumps({"seed_seconds": round(seed(args.seed_child), 1)}))
        return
    if args.export_child:
        setup_django(args.dir)
        print(json.dumps(download(traced=args.export_child == "traced")))
        return
    sizes = [*args.sizes, *([1_000_000] if args.large else [])]
    report = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as directory:
            seeded = run_child("--seed-child", str(size), "--dir", directory, script=__file__)
            plain = run_child("--export-child", "plain", "--dir", directory, script=__file__)
            traced = run_child("--export-child", "traced", "--dir", directory, script=__file__)
        report[str(size)] = {
            **seeded,
            **plain,
            "python_heap_peak_mb": traced["python_heap_peak_mb"],
        }
        print(json.dumps({str(size): report[str(size)]}), file=sys.stderr)
    print(json.dumps({"benchmark": "events_export", "sizes": report}))


if __name__ == "__main__":
    main()
