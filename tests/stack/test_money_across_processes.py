"""The money rules across OS processes on the production stack: the hard budget limit on
PostgreSQL, and one event id recorded once on Firestore and on PostgreSQL."""

import uuid

import pytest

pytestmark = pytest.mark.xdist_group("stack")

PROCESSES = 4
THREADS = 8
ROUNDS = 5


def test_it_lets_exactly_ten_holds_through_from_4_processes_of_8_threads_5_times(stack, figures):
    tenants = stack.agent(
        "tenants", count=ROUNDS, prefix=f"race-{uuid.uuid4().hex[:8]}", daily_limit="10.00"
    )
    rounds = [{"tenant": t["id"], "threads": THREADS, "estimate": "1.00"} for t in tenants]

    answers = stack.race("race_holds", PROCESSES, rounds)

    figures_rounds = []
    for tenant, round_answers in zip(tenants, answers, strict=True):
        assert [a["errors"] for a in round_answers] == [[]] * PROCESSES
        placed = sum(a["placed"] for a in round_answers)
        refused = sum(a["refused"] for a in round_answers)
        stored = stack.sql(
            "SELECT status, count(*) FROM costs_budgethold WHERE tenant_id = %s GROUP BY status",
            tenant["id"],
        )
        figures_rounds.append({"placed": placed, "refused": refused, "stored": dict(stored)})
        assert (placed, refused, dict(stored)) == (10, PROCESSES * THREADS - 10, {"active": 10})
    figures(
        "budget limit across processes (PostgreSQL, limit fits exactly 10 holds of $1)",
        {"callers": f"{PROCESSES} processes x {THREADS} threads", "rounds": figures_rounds},
    )


@pytest.mark.parametrize("store", ["firestore", "sql"])
def test_it_records_one_event_id_from_16_callers_in_4_processes_once(stack, figures, store):
    [tenant] = stack.agent("tenants", count=1, prefix=f"same-{store}-{uuid.uuid4().hex[:8]}")
    env = {"COSTS_STORE": store}
    before = stack.agent("usage", env=env, tenants=[tenant["id"]])
    event_id = f"same-{uuid.uuid4().hex}"

    [answers] = stack.race(
        "record_same",
        PROCESSES,
        [{"event_id": event_id, "tenant": tenant["id"], "threads": 4}],
        env=env,
    )

    assert [a["errors"] for a in answers] == [[]] * PROCESSES
    created = sum(a["created"] for a in answers)
    after = stack.agent("usage", env=env, tenants=[tenant["id"]])
    mine = after["tenants"][tenant["id"]]
    price = mine["event_cost_micros"]  # the price book's, charged once
    assert created == 1
    assert (mine["events"], mine["daily_count"], mine["usage_count"], mine["by_tenant_count"]) == (
        1,
        1,
        1,
        1,
    )
    assert price > 0 and mine["daily_cost_micros"] == price
    assert after["global"]["count"] - before["global"]["count"] == 1
    assert after["global"]["cost_micros"] - before["global"]["cost_micros"] == price
    figures(
        f"idempotency across processes ({'PostgreSQL' if store == 'sql' else 'Firestore'})",
        {
            "callers": f"{PROCESSES} processes x 4 threads",
            "created": created,
            "not_created": sum(a["not_created"] for a in answers),
            "events_stored": mine["events"],
            "tenant_daily_count": mine["daily_count"],
            "global_count_delta": after["global"]["count"] - before["global"]["count"],
        },
    )
