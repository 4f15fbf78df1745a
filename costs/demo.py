"""Demo data of the cost core, loaded by ``manage.py demo_setup`` after the demo organisations.

Idempotent: running it again restores the same settings.
"""

from collections.abc import Callable

from costs.budgets import update_media_budget
from costs.demo_events import load_demo_events

# Each organisation shows a different budget set-up; Harbor has none (the "no limit" state).
DEMO_BUDGETS = {
    "org_greenleaf": {
        "daily_limit": "25",
        "weekly_limit": "120",
        "monthly_limit": "400",
        "soft_threshold_percent": 80,
        "hard_limit_enabled": True,
        "alert_recipients": ["owner@greenleaf.test"],
    },
    "org_summit": {
        "daily_limit": "",
        "weekly_limit": "",
        "monthly_limit": "150",
        "soft_threshold_percent": 75,
        "hard_limit_enabled": True,
        "alert_recipients": ["owner@summit.test", "finance@summit.test"],
    },
    "org_evergreen": {
        "daily_limit": "5",
        "weekly_limit": "30",
        "monthly_limit": "100",
        "soft_threshold_percent": 90,
        "hard_limit_enabled": False,
        "alert_recipients": ["owner@evergreen.test"],
    },
}


def load_demo_budgets(write: Callable[[str], object]) -> None:
    for tenant_id, settings in DEMO_BUDGETS.items():
        update_media_budget(tenant_id, settings)
    write(f"Demo media budgets for {len(DEMO_BUDGETS)} organisations.")


def load_demo_data(write: Callable[[str], object]) -> None:
    load_demo_budgets(write)
    load_demo_events(write)
