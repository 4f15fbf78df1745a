"""Benchmark: the playbook scheduler tick, and cron evaluation in tenant zones.

    .venv/bin/python tests/bench/playbooks_scheduler.py [--playbooks 1000]

On a fresh SQLite database (production settings): N organisations in eight time zones, each with
Weekly Deals Video installed. Measures one tick that finds all N due and starts their runs (run
rows, step rows, a queued django-q2 task each), a tick with nothing due (the every-minute cost),
and ``next_slot`` evaluations per second. Prints JSON.
"""

import argparse
import json
import os
import tempfile
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from harness import setup_django, timed

ZONES = [
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "Pacific/Honolulu",
    "Europe/Berlin",
    "Asia/Tokyo",
    "Australia/Sydney",
]


def seed(count: int) -> None:
    from bakedbot.models import Organisation
    from playbooks.services import install_playbook_template, seed_playbook_templates

    seed_playbook_templates()
    Organisation.objects.bulk_create(
        Organisation(
            id=f"org_b{n}",
            name=f"Bench {n}",
            slug=f"bench-{n}",
            kind="brand",
            time_zone=ZONES[n % len(ZONES)],
        )
        for n in range(count)
    )
    for n in range(count):
        install_playbook_template(template_id="weekly-deals-video", org_id=f"org_b{n}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--playbooks", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["LOG_LEVEL"] = "WARNING"  # not a line per enqueued task
        setup_django(tmp)
        from playbooks.cron import next_slot
        from playbooks.models import Playbook, PlaybookRun
        from playbooks.scheduler import schedule_due_playbooks

        seed(args.playbooks)
        now = datetime.now(UTC)
        Playbook.objects.update(next_run_at=now - timedelta(minutes=1))

        started_at = time.perf_counter()
        started = schedule_due_playbooks(now)
        busy_ms = (time.perf_counter() - started_at) * 1000
        assert len(started) == args.playbooks == PlaybookRun.objects.count()

        def idle_tick():
            assert schedule_due_playbooks(now + timedelta(seconds=30)) == []

        idle = timed(idle_tick, 20)

        zones = [ZoneInfo(zone) for zone in ZONES]
        evaluations = 20_000
        t0 = time.perf_counter()
        for n in range(evaluations):
            next_slot("0 9 * * 1", zones[n % len(zones)], now + timedelta(hours=n))
        cron_per_second = evaluations / (time.perf_counter() - t0)

        print(
            json.dumps(
                {
                    "playbooks": args.playbooks,
                    "busy_tick_ms": round(busy_ms, 1),
                    "busy_tick_ms_per_playbook": round(busy_ms / args.playbooks, 3),
                    "idle_tick_median_ms": idle["median_ms"],
                    "next_slot_per_second": round(cron_per_second),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
