"""OS processes racing for a budget on one SQLite file (tests/bakedbot/test_sqlite_backend.py).

    python -m tests.bakedbot.sqlite_race setup <sqlite file> <tenant id> <daily limit>
    python -m tests.bakedbot.sqlite_race race <sqlite file> <tenant id> <threads>

``setup`` migrates the file and creates the organisation with its daily limit; ``race`` places
$1 holds from ``threads`` threads at once and prints JSON: placed, refused and any other error.
"""

import json
import os
import sys
import threading


def main() -> None:
    mode, path, tenant_id, number = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bakedbot.settings"
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "race-only-secret-key-" + "x" * 40)
    os.environ["COSTS_STORE"] = "sql"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    if mode == "setup":
        setup(tenant_id, number)
    else:
        race(tenant_id, int(number))


def setup(tenant_id: str, daily_limit: str) -> None:
    from django.core.management import call_command

    from bakedbot.models import Organisation
    from costs.budgets import update_media_budget

    call_command("migrate", verbosity=0)
    Organisation.objects.create(id=tenant_id, name="Race", slug="race", kind="brand")
    update_media_budget(tenant_id, {"daily_limit": daily_limit})


def race(tenant_id: str, threads: int) -> None:
    from django.db import connection

    from costs.budgets import BudgetExceeded, place_budget_hold

    counts = {"placed": 0, "refused": 0, "errors": []}
    guard = threading.Lock()
    barrier = threading.Barrier(threads)

    def run(index: int) -> None:
        try:
            barrier.wait()
            place_budget_hold(tenant_id=tenant_id, estimated_cost="1.00", reason=f"{index}")
            outcome = "placed"
        except BudgetExceeded:
            outcome = "refused"
        except Exception as exc:  # reported to the test, which fails on it
            outcome = None
            with guard:
                counts["errors"].append(repr(exc))
        finally:
            connection.close()
        if outcome:
            with guard:
                counts[outcome] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
