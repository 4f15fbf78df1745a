"""Benchmark: JSON API requests through the whole Django stack (middleware, bearer auth, the
rate-limit UPDATE on the token row, the endpoint), in process with Django's test client.

    .venv/bin/python tests/bench/api_requests.py [--runs 300] [--threads 8]

Runs on a fresh SQLite database (WAL, IMMEDIATE transactions, as in production settings) with one
organisation holding 90 days of events (40 a day) on the sql cost store. Prints JSON: median and
p99 per endpoint, a walk through every page of the events, and requests per second for
``--threads`` clients sharing one token (all of them serialise on that token's row).
"""

import argparse
import json
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta

from harness import setup_django


def seed() -> str:
    from django.contrib.auth import get_user_model

    from bakedbot.api_tokens import create_api_token
    from bakedbot.models import Membership, Organisation
    from costs.domain import MediaGenerationEvent, new_event_id
    from costs.services import track_media_generations

    org = Organisation.objects.create(
        id="org_bench", name="Bench", slug="bench", kind="brand", time_zone="America/Denver"
    )
    owner = get_user_model().objects.create_user("owner@bench.test")
    Membership.objects.create(user=owner, organisation=org, role="owner")
    now = datetime.now(UTC)
    providers = ["gemini-flash", "gemini-pro", "imagen", "veo", "sora"]
    events = []
    for i in range(90 * 40):
        provider = providers[i % 5]
        events.append(
            MediaGenerationEvent(
                id=new_event_id(),
                tenant_id=org.pk,
                user_id="bench",
                type="video" if provider in ("veo", "sora") else "image",
                provider=provider,
                duration_seconds=8 if provider in ("veo", "sora") else None,
                created_at=now - timedelta(minutes=36 * i),
            )
        )
    track_media_generations(events)
    return create_api_token(tenant=org, name="bench", created_by=owner).secret


def timed(call) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    return elapsed


def summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
        "runs": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        setup_django(database_url=f"sqlite:///{scratch}/bench.sqlite3", API_RATE_LIMIT=str(10**9))
        from django.db import connection
        from django.test import Client

        secret = seed()
        headers = {"Authorization": f"Bearer {secret}"}
        client = Client()

        def get(path, **params):
            return lambda: client.get(f"/api/v1{path}", params, headers=headers)

        counter = iter(range(10**9))

        def post_new():
            key = f"bench-{next(counter)}"
            return client.post(
                "/api/v1/events",
                {"type": "image", "provider": "imagen"},
                content_type="application/json",
                headers=headers | {"Idempotency-Key": key},
            )

        def post_replay():
            return client.post(
                "/api/v1/events",
                {"type": "image", "provider": "imagen"},
                content_type="application/json",
                headers=headers | {"Idempotency-Key": "bench-replayed"},
            )

        cases = {
            "GET /estimate (auth + rate limit + pricing)": get(
                "/estimate", type="video", provider="veo", duration_seconds=10
            ),
            "GET /usage (90 days)": get(
                "/usage",
                start_date=(datetime.now(UTC).date() - timedelta(days=89)).isoformat(),
                end_date=datetime.now(UTC).date().isoformat(),
            ),
            "GET /costs/by-provider?period=30d": get("/costs/by-provider", period="30d"),
            "GET /events?limit=50": get("/events", limit=50),
            "GET /budget": get("/budget"),
            "GET /alerts": get("/alerts"),
            "POST /events (new key)": post_new,
            "POST /events (replayed key)": post_replay,
        }
        results = {}
        for name, call in cases.items():
            for _ in range(5):  # warm up
                timed(call)
            results[name] = summary([timed(call) for _ in range(args.runs)])

        started = time.perf_counter()
        pages, cursor = 0, None
        while True:
            params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
            body = client.get("/api/v1/events", params, headers=headers).json()
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break
        walk = {
            "pages_of_100": pages,
            "total_ms": round((time.perf_counter() - started) * 1000, 1),
        }

        connection.close()
        per_thread = max(1, args.runs // args.threads)
        barrier = threading.Barrier(args.threads)

        def worker():
            own = Client()
            barrier.wait()
            for _ in range(per_thread):
                response = own.get(
                    "/api/v1/estimate", {"type": "image", "provider": "imagen"}, headers=headers
                )
                assert response.status_code == 200
            connection.close()

        threads = [threading.Thread(target=worker) for _ in range(args.threads)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        print(
            json.dumps(
                {
                    "benchmark": "api_requests",
                    "database": "sqlite",
                    "events": 90 * 40,
                    "endpoints": results,
                    "events_walk": walk,
                    "concurrent_one_token": {
                        "threads": args.threads,
                        "requests": per_thread * args.threads,
                        "requests_per_second": round(per_thread * args.threads / elapsed, 1),
                    },
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
