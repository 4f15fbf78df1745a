from decimal import Decimal

from bakedbot.demo import demo_setup_tenants
from costs.budget_selectors import get_media_budget
from costs.demo import load_demo_budgets


def test_it_gives_the_demo_tenants_budgets_idempotently(db):
    demo_setup_tenants()
    lines: list[str] = []
    load_demo_budgets(lines.append)
    load_demo_budgets(lines.append)
    greenleaf = get_media_budget("org_greenleaf")
    assert (greenleaf.daily_limit, greenleaf.monthly_limit) == (Decimal(25), Decimal(400))
    assert get_media_budget("org_summit").daily_limit is None
    assert get_media_budget("org_evergreen").hard_limit_enabled is False
    assert not get_media_budget("org_harbor").is_configured
    assert lines == ["Demo media budgets for 3 organisations."] * 2
