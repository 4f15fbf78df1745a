"""A bounded load run through gunicorn: API event recording plus Creative Center generations
across 20 tenants at 60 events/s for 30 s; once the queue has drained, every accepted request is
one stored event and is counted once in every aggregate (tenant daily, tenant range, global)."""

import statistics
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

pytestmark = pytest.mark.xdist_group("stack")

TENANTS = 20
SECONDS = 30
API_PER_SECOND = 54
CREATIVE_PER_SECOND = 6
CLIENT_THREADS = 48


def test_it_records_every_accepted_request_once_under_load(stack, figures):
    tenants = stack.agent("tenants", count=TENANTS, prefix=f"load-{uuid.uuid4().hex[:8]}")
    ids = [t["id"] for t in tenants]
    before = stack.agent("usage", tenants=ids)
    local = threading.local()
    outcomes: list[tuple[str, str, int, float]] = []  # kind, tenant, status, seconds
    lock = threading.Lock()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return local.session

    def api_event(tenant: dict, n: int) -> int:
        return (
            session()
            .post(
                f"{stack.url}/api/v1/events",
                json={"type": "image", "provider": "gemini-flash", "prompt": f"load {n}"},
                headers={
                    "Authorization": f"Bearer {tenant['token']}",
                    "Idempotency-Key": f"load-{n}",
                },
                timeout=30,
            )
            .status_code
        )

    def creative(tenant: dict, n: int) -> int:
        response = session().post(
            f"{stack.url}/dashboard/creative/generate",
            data={
                "kind": "image",
                "provider": "gemini-flash",
                "base_prompt": f"Load test jar {n} {uuid.uuid4().hex}",
                "aspect_ratio": "1:1",
                "use_cache": "off",
            },
            headers={
                "HX-Request": "true",
                "X-CSRFToken": tenant["csrf"],
                "Cookie": f"sessionid={tenant['session']}; csrftoken={tenant['csrf']}",
            },
            timeout=30,
            allow_redirects=False,
        )
        # The jobs panel answers a queued job (listed by id, maybe already running or done by
        # the time the panel is drawn); a refusal answers the form instead.
        if response.status_code == 200 and "data-job-id=" not in response.text:
            return 299
        return response.status_code

    plan = []
    for second in range(SECONDS):
        for k in range(API_PER_SECOND):
            plan.append((second + k / API_PER_SECOND, "api", len(plan)))
        for k in range(CREATIVE_PER_SECOND):
            plan.append((second + (k + 0.5) / CREATIVE_PER_SECOND, "creative", len(plan)))
    plan.sort()
    started = time.monotonic()

    def send(at: float, kind: str, n: int) -> None:
        delay = started + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        tenant = tenants[n % TENANTS]
        sent = time.monotonic()
        try:
            status = (api_event if kind == "api" else creative)(tenant, n)
        except requests.RequestException:
            status = 0
        with lock:
            outcomes.append((kind, tenant["id"], status, time.monotonic() - sent))

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        for item in plan:
            pool.submit(send, *item)
    sending_seconds = time.monotonic() - started

    sent = Counter((kind, status) for kind, _, status, _ in outcomes)
    figures(
        "load run: requests sent through gunicorn",
        {
            "seconds_sending": round(sending_seconds, 1),
            "statuses": {f"{kind} {status}": n for (kind, status), n in sorted(sent.items())},
        },
    )
    drained = stack.wait_until_drained(tenants=ids)
    after = stack.agent("usage", tenants=ids)

    statuses = Counter((kind, status) for kind, _, status, _ in outcomes)
    accepted_api = Counter(t for kind, t, status, _ in outcomes if kind == "api" and status == 201)
    accepted_jobs = Counter(t for kind, t, s, _ in outcomes if kind == "creative" and s == 200)
    accepted = sum(accepted_api.values()) + sum(accepted_jobs.values())
    done_jobs = Counter(j["tenant"] for j in drained["jobs"] if j["status"] == "done")
    mine = after["tenants"]
    stored = sum(m["events"] for m in mine.values())
    latencies = sorted(s for kind, _, status, s in outcomes if kind == "api")
    figures(
        "load run through gunicorn (4 web workers, 2 job workers, PostgreSQL, Redis, Firestore)",
        {
            "tenants": TENANTS,
            "seconds_sending": round(sending_seconds, 1),
            "requests": len(outcomes),
            "offered_events_per_s": API_PER_SECOND + CREATIVE_PER_SECOND,
            "accepted_events_per_s": round(accepted / sending_seconds, 1),
            "statuses": {f"{kind} {status}": n for (kind, status), n in sorted(statuses.items())},
            "accepted_api_events": sum(accepted_api.values()),
            "accepted_generations": sum(accepted_jobs.values()),
            "jobs_done": sum(done_jobs.values()),
            "stored_events": stored,
            "tenant_daily_count": sum(m["daily_count"] for m in mine.values()),
            "tenant_range_count": sum(m["usage_count"] for m in mine.values()),
            "by_tenant_count": sum(m["by_tenant_count"] for m in mine.values()),
            "global_count_delta": after["global"]["count"] - before["global"]["count"],
            "global_daily_count_delta": after["global_daily_count"] - before["global_daily_count"],
            "api_median_ms": round(statistics.median(latencies) * 1000, 1),
            "api_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        },
    )
    assert not [s for (kind, s), n in statuses.items() if s >= 500 or s == 0]
    assert len(outcomes) == len(plan) == accepted
    assert [j for j in drained["jobs"] if j["status"] != "done"] == []
    assert done_jobs == accepted_jobs
    for tenant in ids:
        expected = accepted_api[tenant] + accepted_jobs[tenant]
        counts = mine[tenant]
        assert (
            counts["events"],
            counts["event_ids"],
            counts["daily_count"],
            counts["usage_count"],
            counts["by_tenant_count"],
        ) == (expected,) * 5, tenant
        assert counts["event_cost_micros"] == counts["daily_cost_micros"]
    assert after["global"]["count"] - before["global"]["count"] == accepted
    assert after["global_daily_count"] - before["global_daily_count"] == accepted
    assert after["global"]["cost_micros"] - before["global"]["cost_micros"] == sum(
        m["event_cost_micros"] for m in mine.values()
    )
