"""Faults on the production stack, each with nothing lost and nothing charged twice: a job
worker SIGKILLed in the middle of a multi-clip video, Redis restarted while jobs are queued, the
Firestore emulator stopped for 10 s while events are recorded, and a PostgreSQL backend
terminated while a hold is placed."""

import re
import threading
import time
import uuid
from collections import Counter

import pytest
import requests

from tests.media.qcluster import wait_for

pytestmark = pytest.mark.xdist_group("stack")

JOB_ID = re.compile(r'data-job-id="([^"]+)"')


def _tenant(stack, prefix: str, **options) -> dict:
    [tenant] = stack.agent("tenants", count=1, prefix=f"{prefix}-{uuid.uuid4().hex[:8]}", **options)
    return tenant


def _generate(stack, tenant: dict, **form) -> str:
    """Submit the Creative Center form through gunicorn; the queued job's id."""
    response = requests.post(
        f"{stack.url}/dashboard/creative/generate",
        data={"aspect_ratio": "16:9", "use_cache": "off", **form},
        headers={
            "HX-Request": "true",
            "X-CSRFToken": tenant["csrf"],
            "Cookie": f"sessionid={tenant['session']}; csrftoken={tenant['csrf']}",
        },
        timeout=30,
    )
    assert response.status_code == 200, response.text[:500]
    [job_id] = JOB_ID.findall(response.text)[:1]
    return job_id


def _video(stack, tenant: dict, seconds: int) -> str:
    return _generate(
        stack,
        tenant,
        kind="video",
        provider="sora",
        base_prompt=f"Fault video {uuid.uuid4().hex}",
        duration_seconds=str(seconds),
    )


def _jobs(stack, ids: list[str]) -> dict[str, dict]:
    return {job["id"]: job for job in stack.agent("jobs", ids=ids)["jobs"]}


def _creates_of(stack, first_video: int) -> list[tuple[str, str, int]]:
    return [c for c in stack.sora.creates if int(c[1].split("_")[1]) > first_video]


def test_a_worker_killed_mid_video_leaves_it_to_the_other_worker_charged_once(stack, figures):
    tenant = _tenant(stack, "kill")
    first_video = len(stack.sora.creates)
    second_clip = first_video + 2  # clips are created in order: hold this video's second one
    stack.sora.hold_clip(second_clip)

    job_id = _video(stack, tenant, 16)
    victim = wait_for(
        lambda: (stack.sora.polls.get(f"video_{second_clip}") or [None])[0],
        "a worker to wait for the second clip",
    )
    stack.workers[victim].kill()
    survivor = next(name for name in stack.workers if name != victim)
    killed = _jobs(stack, [job_id])[job_id]
    assert (killed["status"], killed["clips_done"]) == ("running", 1)

    # Time passes: the dead worker's leases run out and the recovery schedule re-queues the job.
    stack.sora.release_all()
    assert stack.agent("expire_and_recover", job_id=job_id) == {"recovered": 1}
    done = wait_for(
        lambda: (
            _jobs(stack, [job_id])[job_id]["status"] in ("done", "failed")
            and _jobs(stack, [job_id])[job_id]
        ),
        "the other worker to finish the video",
    )
    stack.start_worker(victim)

    usage = stack.agent("usage", tenants=[tenant["id"]])["tenants"][tenant["id"]]
    holds = stack.agent("holds", tenant=tenant["id"])
    creates = _creates_of(stack, first_video)
    finishing = stack.sora.polls[f"video_{second_clip}"]
    figures(
        "fault: SIGKILL of a job worker in the middle of a 2-clip video",
        {
            "killed": victim,
            "finished_by": finishing[-1],
            "job": {k: done[k] for k in ("status", "attempts", "retries", "clips_total")},
            "clips_created": [(worker, seconds) for worker, _, seconds in creates],
            "events": usage["events"],
            "charged_micros": usage["event_cost_micros"],
            "holds": holds,
        },
    )
    assert (done["status"], done["attempts"], done["retries"]) == ("done", 2, 1)
    assert finishing[-1] == survivor
    # Each clip was paid for once (the second one was followed, not started again).
    assert len(creates) == done["clips_total"] == 2
    assert (usage["events"], usage["daily_count"]) == (1, 1)
    assert usage["event_cost_micros"] == usage["daily_cost_micros"] == done["cost_micros"]
    assert holds["by_status"] == {"settled": 1}
    assert holds["settled"][0][1] == done["cost_micros"]


def test_a_redis_restart_while_jobs_are_queued_loses_and_repeats_none(stack, figures):
    tenant = _tenant(stack, "redis")
    first_video = len(stack.sora.creates)
    for number in range(first_video + 1, first_video + 40):
        stack.sora.hold_clip(number)
    jobs = [_video(stack, tenant, 4) for _ in range(12)]
    wait_for(lambda: len(_creates_of(stack, first_video)) >= 4, "the workers to start some videos")
    states_at_restart = Counter(j["status"] for j in _jobs(stack, jobs).values())

    stack.redis.restart()
    stack.sora.release_all()

    drained = stack.wait_until_drained(tenants=[tenant["id"]])
    usage = stack.agent("usage", tenants=[tenant["id"]])["tenants"][tenant["id"]]
    creates = Counter(seconds for _, _, seconds in _creates_of(stack, first_video))
    statuses = Counter(j["status"] for j in drained["jobs"])
    figures(
        "fault: Redis restarted while jobs are queued",
        {
            "jobs": len(jobs),
            "at_restart": dict(states_at_restart),
            "after": dict(statuses),
            "attempts": dict(Counter(j["attempts"] for j in drained["jobs"])),
            "videos_created": sum(creates.values()),
            "events": usage["events"],
        },
    )
    assert states_at_restart["queued"] > 0
    assert statuses == {"done": len(jobs)}
    assert sum(creates.values()) == len(jobs)  # no video made twice
    assert (usage["events"], usage["event_ids"], usage["daily_count"]) == (len(jobs),) * 3


def test_a_firestore_outage_of_10_seconds_loses_and_doubles_nothing(stack, figures):
    """Generations finishing during the outage wait in the outbox; API callers get 503 and
    retry with the same Idempotency-Key. Once the store is back and the outbox drained, every
    generation and every key is one event, counted once."""
    tenant = _tenant(stack, "outage")
    before = stack.agent("usage", tenants=[tenant["id"]])
    api_results: dict[str, list[int]] = {}
    lock = threading.Lock()

    def api_caller(key: str) -> None:
        codes = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                response = requests.post(
                    f"{stack.url}/api/v1/events",
                    json={"type": "image", "provider": "imagen"},
                    headers={"Authorization": f"Bearer {tenant['token']}", "Idempotency-Key": key},
                    timeout=30,
                )
                codes.append(response.status_code)
                if response.status_code in (200, 201):
                    break
                time.sleep(min(float(response.headers.get("Retry-After", "1")), 5))
            except requests.RequestException:
                codes.append(0)
        with lock:
            api_results[key] = codes

    jobs: list[str] = []
    callers: list[threading.Thread] = []
    started = time.monotonic()
    paused_at = resumed_at = None
    while time.monotonic() - started < 20:
        elapsed = time.monotonic() - started
        if paused_at is None and elapsed >= 5:
            stack.emulator.pause()
            paused_at = elapsed
        if paused_at is not None and resumed_at is None and elapsed >= paused_at + 10:
            stack.emulator.resume()
            resumed_at = elapsed
        jobs.append(
            _generate(
                stack,
                tenant,
                kind="image",
                provider="gemini-flash",
                base_prompt=f"Outage {uuid.uuid4().hex}",
                aspect_ratio="1:1",
            )
        )
        caller = threading.Thread(target=api_caller, args=(f"outage-{len(callers)}",))
        caller.start()
        callers.append(caller)
        time.sleep(0.5)
    if resumed_at is None:
        stack.emulator.resume()
    for caller in callers:
        caller.join()

    drained = stack.wait_until_drained(tenants=[tenant["id"]])
    after = stack.agent("usage", tenants=[tenant["id"]])
    usage = after["tenants"][tenant["id"]]
    recorded_keys = [k for k, codes in api_results.items() if codes and codes[-1] in (200, 201)]
    codes = Counter(code for codes in api_results.values() for code in codes)
    figures(
        "fault: Firestore emulator stopped (SIGSTOP) for 10 s while events are recorded",
        {
            "generations": len(jobs),
            "jobs": dict(Counter(j["status"] for j in drained["jobs"])),
            "api_keys": len(api_results),
            "api_responses": dict(codes),
            "api_keys_recorded": len(recorded_keys),
            "events": usage["events"],
            "tenant_daily_count": usage["daily_count"],
            "global_count_delta": after["global"]["count"] - before["global"]["count"],
        },
    )
    assert not [c for c in codes if c >= 500 and c != 503]
    assert len(recorded_keys) == len(api_results)
    assert Counter(j["status"] for j in drained["jobs"]) == {"done": len(jobs)}
    expected = len(jobs) + len(recorded_keys)
    assert (usage["events"], usage["event_ids"], usage["daily_count"]) == (expected,) * 3
    assert after["global"]["count"] - before["global"]["count"] == expected


def test_a_terminated_database_backend_while_a_hold_is_placed_leaks_nothing(stack, figures):
    tenant = _tenant(stack, "terminate", daily_limit="5.00")
    rounds = 3
    terminated = []
    with stack.postgres.connect("bakedbot", autocommit=False) as locker:
        answers = []
        for _ in range(rounds):
            # Hold the tenant's budget row so the next hold waits inside its transaction.
            locker.execute(
                "SELECT 1 FROM costs_mediabudget WHERE tenant_id = %s FOR UPDATE", [tenant["id"]]
            )
            outcome: list = []
            racer = threading.Thread(
                target=lambda found=outcome: found.append(
                    stack.race(
                        "place_hold_retrying",
                        1,
                        [{"tenant": tenant["id"], "estimate": "1.00"}],
                    )
                )
            )
            racer.start()
            waiting = wait_for(
                lambda: stack.sql(
                    "SELECT pid FROM pg_stat_activity WHERE datname = 'bakedbot' "
                    "AND wait_event_type = 'Lock' AND pid <> %s",
                    locker.info.backend_pid,
                ),
                "the hold to wait for the budget row",
            )
            [(pid,)] = waiting
            stack.sql("SELECT pg_terminate_backend(%s)", pid)
            terminated.append(pid)
            locker.rollback()
            racer.join()
            answers.append(outcome[0][0][0])
    holds = stack.sql(
        "SELECT id, status, amount_micros FROM costs_budgethold WHERE tenant_id = %s",
        tenant["id"],
    )
    figures(
        "fault: PostgreSQL backend terminated (pg_terminate_backend) while a hold is placed",
        {
            "rounds": rounds,
            "terminated_backends": len(terminated),
            "caller_failures_then_retried": [len(a["failures"]) for a in answers],
            "holds_stored": len(holds),
        },
    )
    assert [len(a["failures"]) for a in answers] == [1] * rounds
    assert sorted(h[0] for h in holds) == sorted(a["hold"] for a in answers)
    assert {(h[1], h[2]) for h in holds} == {("active", 1_000_000)}
