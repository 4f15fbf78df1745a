"""Benchmark: events recorded per second through ``track_media_generation`` on the SQL store.

    .venv/bin/python tests/bench/costs_record.py [--events 5000]

Runs against a fresh SQLite database in a temporary directory (WAL, as configured in settings) and
prints JSON. Target: >= 1,000 events/s on a 2-core machine.
"""

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta

from harness import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--tenants", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        from bakedbot.models import Organisation
        from costs.domain import MediaGenerationEvent
        from costs.services import track_media_generation

        zones = ["America/Los_Angeles", "America/New_York", "Asia/Tokyo", "Europe/Berlin"]
        tenants = [
            Organisation.objects.create(
                id=f"org_bench{i:03d}",
                name=f"Bench {i}",
                slug=f"bench-{i}",
                kind="brand",
                time_zone=zones[i % len(zones)],
            ).pk
            for i in range(args.tenants)
        ]
        providers = [
            ("image", "gemini-flash"),
            ("image", "gemini-pro"),
            ("image", "imagen"),
            ("video", "veo"),
            ("video", "sora"),
        ]
        start_at = datetime.now(UTC) - timedelta(hours=1)
        events = []
        for n in range(args.events):
            media_type, provider = providers[n % len(providers)]
            events.append(
                MediaGenerationEvent(
                    id=f"bench-{n}",
                    tenant_id=tenants[n % len(tenants)],
                    user_id="bench",
                    type=media_type,
                    provider=provider,
                    prompt="a product shot of a vape pen on a marble counter",
                    duration_seconds=(4, 6, 8, 10, 15)[n % 5] if media_type == "video" else None,
                    success=n % 20 != 0,
                    created_at=start_at + timedelta(milliseconds=n),
                )
            )
        track_media_generation(events[0])  # warm the zone cache and the SQL statements
        began = time.perf_counter()
        for event in events[1:]:
            track_media_generation(event)
        elapsed = time.perf_counter() - began
        duplicates_began = time.perf_counter()
        for event in events[:1000]:
            track_media_generation(event)
        duplicates_elapsed = time.perf_counter() - duplicates_began
        recorded = len(events) - 1
        print(
            json.dumps(
                {
                    "benchmark": "costs_record",
                    "store": "sql (SQLite, WAL)",
                    "events": recorded,
                    "tenants": args.tenants,
                    "seconds": round(elapsed, 3),
                    "events_per_second": round(recorded / elapsed, 1),
                    "duplicate_events_per_second": round(1000 / duplicates_elapsed, 1),
                    "target_events_per_second": 1000,
                    "meets_target": recorded / elapsed >= 1000,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
