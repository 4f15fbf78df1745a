"""Benchmark: 90-day cost queries, 10,000 vs 1,000,000 events over 200 tenants (SQL store).

    .venv/bin/python tests/bench/costs_query.py [--small 10000] [--large 1000000] [--runs 40]

Each size gets a fresh SQLite database (WAL) seeded in bulk through ``track_media_generations``
(events and aggregates). Then, in ``--rounds`` rounds alternating between the sizes (fresh
processes), each query is timed ``--runs`` times; the median of the round medians is reported with
the ratio. Target: every median under 50 ms at the large size and a ratio <= 1.5 (query cost must
not grow with the event count).
"""

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from harness import setup_django

TENANTS = 200
DAYS = 90
ZONES = ["America/Los_Angeles", "America/Denver", "America/New_York", "Pacific/Honolulu"]
PROVIDERS = [
    ("image", "gemini-flash", 40),
    ("image", "gemini-pro", 25),
    ("image_edit", "gemini-pro", 5),
    ("image", "imagen", 15),
    ("video", "veo", 10),
    ("video", "sora", 5),
]


def seed(events: int) -> float:
    from bakedbot.models import Organisation
    from costs.domain import MediaGenerationEvent
    from costs.services import track_media_generations

    rng = random.Random(events)
    Organisation.objects.bulk_create(
        Organisation(
            id=f"org_bench{i:03d}",
            name=f"Bench {i}",
            slug=f"bench-{i}",
            kind="brand",
            time_zone=ZONES[i % len(ZONES)],
        )
        for i in range(TENANTS)
    )
    weights = [w for _, _, w in PROVIDERS]
    now = datetime.now(UTC)
    began = time.perf_counter()
    chunk = 50_000
    for chunk_start in range(0, events, chunk):
        batch = []
        for n in range(chunk_start, min(events, chunk_start + chunk)):
            media_type, provider, _ = rng.choices(PROVIDERS, weights)[0]
            batch.append(
                MediaGenerationEvent(
                    id=f"bench-{n}",
                    tenant_id=f"org_bench{rng.randrange(TENANTS):03d}",
                    user_id="bench",
                    type=media_type,
                    provider=provider,
                    duration_seconds=rng.choice((4, 8, 10, 15)) if media_type == "video" else None,
                    success=rng.random() > 0.04,
                    cache_hit=rng.random() < 0.03,
                    created_at=now - timedelta(seconds=rng.randrange(DAYS * 86400 - 7200)),
                )
            )
        track_media_generations(batch)
    return time.perf_counter() - began


def measure(runs: int) -> dict[str, float]:
    from costs.selectors import get_media_costs_by_provider, get_media_usage
    from costs.stores import get_repository
    from costs.tenants import tenant_today

    repository = get_repository()
    today = datetime.now(UTC).date()
    start = today - timedelta(days=DAYS - 1)

    def tenant_usage(i):
        tenant = f"org_bench{i % TENANTS:03d}"
        end = tenant_today(tenant)
        return get_media_usage(tenant, end - timedelta(days=DAYS - 1), end)

    queries = {
        "get_media_usage (one tenant, 90 days)": tenant_usage,
        "get_media_costs_by_provider (one tenant, 90d)": lambda i: get_media_costs_by_provider(
            f"org_bench{i % TENANTS:03d}", "90d"
        ),
        "global by provider (90 days)": lambda i: repository.global_usage(start, today),
        "by tenant (200 tenants, 90 days)": lambda i: repository.usage_by_tenant(start, today),
        "daily series by provider (90 days)": lambda i: repository.global_daily_usage(start, today),
    }
    medians = {}
    for name, query in queries.items():
        for i in range(3):
            query(i)
        timings = []
        for i in range(runs):
            began = time.perf_counter()
            query(i)
            timings.append((time.perf_counter() - began) * 1000)
        medians[name] = round(statistics.median(timings), 3)
    return medians


def child_seed(directory: str, events: int) -> None:
    setup_django(directory)
    seconds = seed(events)
    from costs.models import GenerationEvent, GlobalDailyUsage, TenantDailyUsage

    print(
        json.dumps(
            {
                "events": GenerationEvent.objects.count(),
                "tenant_daily_rows": TenantDailyUsage.objects.count(),
                "global_daily_rows": GlobalDailyUsage.objects.count(),
                "seed_seconds": round(seconds, 1),
            }
        )
    )


def child_measure(directory: str, runs: int) -> None:
    setup_django(directory)
    print(json.dumps(measure(runs)))


def run_child(*args: str, script: Path | str = __file__) -> dict:
    """Run ``script`` with ``args`` in a fresh process; its last stdout line is JSON."""
    result = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise SystemExit(f"{script} {' '.join(args)} failed:\n{result.stderr}")
    output = result.stdout
    return json.loads(output.strip().splitlines()[-1])


def bench_arguments(runs: int) -> argparse.Namespace:
    """The options both size-comparing benchmarks take (and their hidden child modes)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    return parser.parse_args()


def seed_and_measure(script: Path | str, args: argparse.Namespace) -> dict[str, dict]:
    """Seed a database per size, then measure in rounds that alternate between the sizes (so a
    busy machine slows both alike). Returns per size the seed result and ``rounds``."""
    sizes = {"small": args.small, "large": args.large}
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as root:
        for name, size in sizes.items():
            Path(root, name).mkdir()
            directory = str(Path(root, name))
            results[name] = run_child("--seed-child", str(size), "--dir", directory, script=script)
            results[name]["rounds"] = []
        for _ in range(args.rounds):
            for name in sizes:
                results[name]["rounds"].append(
                    run_child(
                        "--measure-child",
                        "--dir",
                        str(Path(root, name)),
                        "--runs",
                        str(args.runs),
                        script=script,
                    )
                )
    return results


def main() -> None:
    args = bench_arguments(runs=40)
    if args.seed_child is not None:
        child_seed(args.dir, args.seed_child)
        return
    if args.measure_child:
        child_measure(args.dir, args.runs)
        return
    results = seed_and_measure(__file__, args)
    for result in results.values():
        rounds = result.pop("rounds")
        result["median_ms"] = {
            query: round(statistics.median(r[query] for r in rounds), 3) for query in rounds[0]
        }
    small, large = results["small"], results["large"]
    ratios = {
        name: round(large["median_ms"][name] / small["median_ms"][name], 2)
        for name in small["median_ms"]
    }
    total_small = sum(small["median_ms"].values())
    total_large = sum(large["median_ms"].values())
    print(
        json.dumps(
            {
                "benchmark": "costs_query",
                "store": "sql (SQLite, WAL)",
                "tenants": TENANTS,
                "days": DAYS,
                "small": small,
                "large": large,
                "ratio_large_to_small": ratios,
                "all_queries_ms": {"small": round(total_small, 3), "large": round(total_large, 3)},
                "all_queries_ratio": round(total_large / total_small, 2),
                "targets": {"median_ms_at_large": 50, "ratio": 1.5},
                "meets_targets": all(v < 50 for v in large["median_ms"].values())
                and max(ratios.values()) <= 1.5,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
