"""The test tier's hands inside the stack: ``python -m tests.stack.agent <command> '<json>'``,
run with the stack's environment (PostgreSQL, Redis, Firestore: the production settings), so that
the money rules are exercised by separate OS processes through the real services.

Commands that race (``race_holds``, ``record_same``, ``place_hold_retrying``) take
``{"rounds": [arguments, ...]}``: before each round they print ``ready`` and wait for a line on
standard input, so the caller releases every process at once, then print the round's answer as
one JSON line. Other commands print their answer as one JSON line last.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakedbot.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import OperationalError, close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bakedbot.api_tokens import create_api_token  # noqa: E402
from bakedbot.models import Membership, Organisation  # noqa: E402
from costs.budgets import BudgetExceeded, place_budget_hold, update_media_budget  # noqa: E402
from costs.domain import MediaGenerationEvent  # noqa: E402
from costs.models import BudgetHold  # noqa: E402
from costs.repository import CostStoreUnavailable  # noqa: E402
from costs.services import record_media_generation  # noqa: E402
from costs.stores import get_repository  # noqa: E402
from media.models import GenerationJob, ProviderSlot  # noqa: E402
from media.services import recover_stale_generation_jobs  # noqa: E402

CSRF_SECRET = "stacktierstacktierstacktier12345"  # 32 letters and digits: a valid CSRF secret


def _wait_for_go() -> None:
    print("ready", flush=True)
    sys.stdin.readline()


def _threads(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:
            results[index] = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def tenants(*, count: int, prefix: str, daily_limit: str | None = None) -> list[dict]:
    """Organisations (UTC) with an owner, an API token and a logged-in session each."""
    made = []
    for n in range(count):
        org = Organisation.objects.create(
            name=f"{prefix} {n}", slug=f"{prefix}-{n}", kind="brand", time_zone="UTC"
        )
        owner = get_user_model().objects.create_user(
            username=f"{prefix}-{n}@stack.test", email=f"{prefix}-{n}@stack.test"
        )
        Membership.objects.create(user=owner, organisation=org, role=Membership.Role.OWNER)
        if daily_limit is not None:
            update_media_budget(org.pk, {"daily_limit": daily_limit})
        token = create_api_token(tenant=org, name="stack tier", created_by=owner)
        client = Client()
        client.force_login(owner)
        made.append(
            {
                "id": org.pk,
                "token": token.secret,
                "session": client.cookies["sessionid"].value,
                "csrf": CSRF_SECRET,
            }
        )
    return made


def race_holds(*, tenant: str, threads: int, estimate: str) -> dict:

    def place(index: int) -> str:
        try:
            place_budget_hold(tenant_id=tenant, estimated_cost=estimate, reason=f"race {index}")
            return "placed"
        except BudgetExceeded:
            return "refused"

    results = _threads(threads, place)
    return {
        "placed": results.count("placed"),
        "refused": results.count("refused"),
        "errors": [r for r in results if r not in ("placed", "refused")],
    }


def record_same(*, event_id: str, tenant: str, threads: int) -> dict:
    event = MediaGenerationEvent(
        id=event_id,
        tenant_id=tenant,
        user_id="stack-tier",
        type="image",
        provider="gemini-pro",
        created_at=datetime.now(UTC),
    )
    results = _threads(threads, lambda index: record_media_generation(event).created)
    return {
        "created": sum(1 for r in results if r is True),
        "not_created": sum(1 for r in results if r is False),
        "errors": [r for r in results if not isinstance(r, bool)],
    }


def usage(*, tenants: list[str], days: int = 1) -> dict:
    """Stored events and every aggregate (tenant daily, tenant range, global) of ``tenants``
    over today +- ``days``, as the cost store holds them."""
    repository = get_repository()
    today = timezone.now().date()
    start, end = today - timedelta(days=days), today + timedelta(days=days)
    by_tenant = repository.usage_by_tenant(start, end)
    answer: dict = {"tenants": {}, "global": _totals(repository.global_usage(start, end).totals)}
    global_daily = repository.global_daily_usage(start, end)
    answer["global_daily_count"] = sum(d.totals.count for d in global_daily)
    for tenant in tenants:
        events = repository.recent_events(tenant_id=tenant, limit=100_000)
        daily = repository.tenant_daily_usage(tenant, start, end)
        answer["tenants"][tenant] = {
            "events": len(events),
            "event_ids": len({e.id for e in events}),
            "event_cost_micros": sum(e.cost_micros or 0 for e in events),
            "daily_count": sum(d.totals.count for d in daily),
            "daily_cost_micros": sum(d.totals.cost_micros for d in daily),
            "usage_count": repository.tenant_usage(tenant, start, end).totals.count,
            "by_tenant_count": by_tenant.get(tenant, _zero()).count,
        }
    return answer


def _zero():
    from costs.domain import UsageTotals

    return UsageTotals()


def _totals(totals) -> dict:
    return {"count": totals.count, "cost_micros": totals.cost_micros}


def holds(*, tenant: str) -> dict:
    rows = BudgetHold.objects.filter(tenant_id=tenant)
    counts: dict[str, int] = {}
    for status in rows.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return {
        "by_status": counts,
        "settled": list(
            rows.filter(status="settled").values_list("amount_micros", "actual_micros")
        ),
    }


def jobs(*, tenants: list[str] | None = None, ids: list[str] | None = None) -> dict:
    rows = GenerationJob.objects.all()
    if tenants is not None:
        rows = rows.filter(tenant_id__in=tenants)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return {
        "jobs": [
            {
                "id": job.pk,
                "tenant": job.tenant_id,
                "status": job.status,
                "attempts": job.attempts,
                "retries": job.retries,
                "clips_done": job.clips_done,
                "clips_total": job.clips_total,
                "cost_micros": job.cost_micros,
                "hold_id": job.hold_id,
            }
            for job in rows
        ],
        "pending_outbox": _pending_outbox(),
    }


def _pending_outbox() -> int | None:
    """Events waiting in the cost outbox (None while the outbox does not exist)."""
    from django.apps import apps

    try:
        model = apps.get_model("costs", "PendingCostEvent")
    except LookupError:
        return None
    return model.objects.count()


def expire_and_recover(*, job_id: str) -> dict:
    """Time passes: the dead worker's job and slot leases run out, and recovery (the schedule
    every five minutes) puts the job back on the queue."""
    expired = timezone.now() - timedelta(seconds=1)
    GenerationJob.objects.filter(pk=job_id).update(lease_expires_at=expired)
    ProviderSlot.objects.filter(job_id=job_id).update(lease_expires_at=expired)
    return {"recovered": recover_stale_generation_jobs()}


def place_hold_retrying(*, tenant: str, estimate: str) -> dict:
    """Place one hold as a job does; a lost database connection is retried on a new one."""
    failures = []
    for _ in range(5):
        try:
            hold = place_budget_hold(tenant_id=tenant, estimated_cost=estimate, reason="fault")
            return {"hold": hold.id, "failures": failures}
        except (OperationalError, CostStoreUnavailable) as exc:
            # The service answers "not now" (CostStoreUnavailable from the lost connection).
            failures.append(f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}")
            close_old_connections()
            connection.close()
    return {"hold": None, "failures": failures}


def backend_pid() -> dict:
    return {"pid": connection.cursor().connection.info.backend_pid}


RACES = {f.__name__: f for f in (race_holds, record_same, place_hold_retrying)}
COMMANDS = {f.__name__: f for f in (tenants, usage, holds, jobs, expire_and_recover, backend_pid)}

if __name__ == "__main__":
    command, arguments = sys.argv[1], json.loads(sys.argv[2] if len(sys.argv) > 2 else "{}")
    if command in RACES:
        get_repository()  # the store's client is built before the races, not inside one
        for round_arguments in arguments["rounds"]:
            _wait_for_go()
            print(json.dumps(RACES[command](**round_arguments)), flush=True)
    else:
        print(json.dumps(COMMANDS[command](**arguments)), flush=True)
