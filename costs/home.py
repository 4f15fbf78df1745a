"""The cost panel of the super admin's landing page (registered in ``costs.apps``): the platform's
spend today and this month with its month-end projection, and organisations near or over budget."""

from datetime import timedelta

from django.http import HttpRequest

from bakedbot.selectors import list_organisations, organisation_names
from costs.budget_selectors import get_budget_usage_by_tenant
from costs.forecast import MonthForecast
from costs.repository import CostStoreUnavailable
from costs.selectors import platform_today
from costs.stores import get_repository


def home_panel_context(request: HttpRequest) -> dict:
    today = platform_today()
    try:
        repository = get_repository()
        spent_today = repository.global_usage(today, today).totals
        month = repository.global_usage(today.replace(day=1), today).totals
        budgets = get_budget_usage_by_tenant([org.id for org in list_organisations()])
    except CostStoreUnavailable as exc:
        return {"unavailable": exc.message}
    watch = sorted(
        (usage for usage in budgets.values() if usage.state in ("warning", "exceeded")),
        key=lambda usage: -usage.percent,
    )
    names = organisation_names(usage.tenant_id for usage in watch)
    return {
        "today": today,
        "yesterday": today - timedelta(days=1),
        "spent_today": spent_today,
        "month": month,
        "forecast": MonthForecast(today, month.cost_micros),
        "watch": [(names.get(usage.tenant_id, usage.tenant_id), usage) for usage in watch],
    }
