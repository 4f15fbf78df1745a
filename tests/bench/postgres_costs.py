"""Benchmark: the cost core on PostgreSQL — budget hold place + settle under 32 concurrent
callers, and events recorded per second by 1, 4 and 8 concurrent writers.

    .venv/bin/python tests/bench/postgres_costs.py [--seconds 10] [--callers 32] [--processes 4]

Starts its own throw-away PostgreSQL cluster (Debian's postgresql, on a free loopback port, with
the server's default durability: fsync and synchronous commit on; ``--no-fsync`` turns them off to
show what the commit flush costs) under var/, migrates it and
runs the real services with the production settings (``DEBUG=0``, ``COSTS_STORE=sql``). Callers
are OS processes with threads in each (``--processes`` x callers/processes), as web and job
workers are. Holds are measured with every caller on one tenant (they queue on its budget row
lock, each holding it through its commit) and with each caller on a tenant of its own. Prints
JSON: median, p99 and throughput per mode. Targets: hold place + settle p99
<= 50 ms at 32 callers; writer throughput has no target (it says whether it scales).
"""

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from harness import setup_django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bakedbot.management.stack import Postgres, free_port, postgres_data_dir  # noqa: E402

TARGET_P99_MS = 50.0
TENANT = "org_bench_pg"
SPREAD_TENANTS = 32


def seed() -> None:
    from django.core.management import call_command

    from bakedbot.models import Organisation
    from costs.budgets import update_media_budget
    from costs.domain import MediaGenerationEvent, new_event_id
    from costs.services import track_media_generations

    call_command("migrate", verbosity=0)
    tenants = [TENANT] + [f"{TENANT}_{n}" for n in range(SPREAD_TENANTS)]
    limits = {"daily_limit": "1000000", "weekly_limit": "1000000", "monthly_limit": "1000000"}
    now = datetime.now(UTC)
    for n, tenant_id in enumerate(tenants):
        Organisation.objects.update_or_create(
            id=tenant_id,
            defaults={"name": f"Bench {n}", "slug": f"bench-pg-{n}", "kind": "brand"},
        )
        update_media_budget(tenant_id, limits)
        track_media_generations(  # a month of history, 40 generations a day
            MediaGenerationEvent(
                id=new_event_id(),
                tenant_id=tenant_id,
                user_id="bench",
                type="image",
                provider="gemini-flash",
                created_at=now - timedelta(minutes=36 * i),
            )
            for i in range(30 * 40)
        )


def hold_caller(deadline: float, tenant_id: str) -> list[float]:
    from costs.budgets import place_budget_hold, settle_budget_hold

    samples = []
    while time.monotonic() < deadline:
        started = time.perf_counter()
        hold = place_budget_hold(tenant_id=tenant_id, estimated_cost=Decimal("0.625"), reason="b")
        settle_budget_hold(hold=hold, actual_cost=Decimal("0.50"))
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def record_writer(deadline: float, writer: int) -> list[float]:
    from costs.domain import MediaGenerationEvent, new_event_id
    from costs.services import track_media_generation

    samples = []
    n = 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        track_media_generation(
            MediaGenerationEvent(
                id=new_event_id(),
                tenant_id=f"{TENANT}_{n % 8}",  # writers share 8 tenants' aggregates
                user_id=f"writer-{writer}",
                type="image",
                provider="gemini-pro" if n % 3 else "imagen",
                created_at=datetime.now(UTC),
            )
        )
        samples.append((time.perf_counter() - started) * 1000)
        n += 1
    return samples


def process_main(
    kind: str, threads: int, first: int, start_at: float, seconds: float, queue
) -> None:
    """One OS process of callers: ``threads`` threads from ``start_at`` for ``seconds``.
    Callers are numbered from ``first``; kind ``hold`` puts them all on one tenant,
    ``hold-spread`` each on a tenant of its own."""
    from django.db import connection

    connection.close()  # never share the parent's connection after fork
    results: list[list[float]] = [[] for _ in range(threads)]

    def run(slot: int) -> None:
        try:
            time.sleep(max(0.0, start_at - time.monotonic()))
            deadline = start_at + seconds
            if kind == "hold":
                results[slot] = hold_caller(deadline, TENANT)
            elif kind == "hold-spread":
                results[slot] = hold_caller(deadline, f"{TENANT}_{(first + slot) % SPREAD_TENANTS}")
            else:
                results[slot] = record_writer(deadline, slot + threads * os.getpid())
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(slot,)) for slot in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put([s for samples in results for s in samples])


def measure(kind: str, callers: int, processes: int, seconds: float) -> dict:
    processes = max(1, min(processes, callers))
    per_process = [
        callers // processes + (1 if i < callers % processes else 0) for i in range(processes)
    ]
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.monotonic() + 1.0
    firsts = [sum(per_process[:i]) for i in range(processes)]
    children = [
        context.Process(target=process_main, args=(kind, threads, first, start_at, seconds, queue))
        for threads, first in zip(per_process, firsts, strict=True)
    ]
    for child in children:
        child.start()
    samples = [s for _ in children for s in queue.get()]
    for child in children:
        child.join()
    ordered = sorted(samples)
    return {
        "callers": callers,
        "processes": processes,
        "samples": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2),
        "max_ms": round(ordered[-1], 2),
        "per_second": round(len(ordered) / seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--callers", type=int, default=32)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument(
        "--no-fsync",
        action="store_true",
        help="cluster without fsync and synchronous commit: shows what the commit flush costs",
    )
    args = parser.parse_args()
    root = ROOT / "var" / f"bench-postgres-{os.getpid()}"
    postgres = Postgres(
        data_dir=postgres_data_dir(root / "postgres"),
        port=free_port(),
        log=root / "postgres.log",
        fast=args.no_fsync,
    )
    try:
        postgres.start()
        setup_django(database_url=postgres.url, migrate=False)
        seed()
        from django.db import connection

        connection.close()
        single = measure("hold", 1, 1, args.seconds)
        contended = measure("hold", args.callers, args.processes, args.seconds)
        spread = measure("hold-spread", args.callers, args.processes, args.seconds)
        writers = {
            str(n): measure("record", n, min(n, args.processes), args.seconds) for n in (1, 4, 8)
        }
        base = writers["1"]["per_second"]
        result = {
            "benchmark": "cost core on PostgreSQL",
            "postgres": postgres.connect().info.server_version,
            "durable_commits": not args.no_fsync,
            "hold_place_settle": {
                "single": single,
                f"callers_{args.callers}_one_tenant": contended,
                f"callers_{args.callers}_own_tenants": spread,
            },
            "target_p99_ms": TARGET_P99_MS,
            "meets_target_one_tenant": contended["p99_ms"] <= TARGET_P99_MS,
            "meets_target_own_tenants": spread["p99_ms"] <= TARGET_P99_MS,
            "record_writers": writers,
            "record_speedup_vs_1_writer": {
                n: round(w["per_second"] / base, 2) for n, w in writers.items()
            },
            "cpu_cores": os.cpu_count(),
        }
    finally:
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
