"""``{% reconciliation_panel start end %}``: the CEO tab's small recorded-vs-billed section for
the billed days of its period (no store read without a bill); a store outage shows in the
section alone."""

from django import template

from costs.reconciliation import reconcile
from costs.repository import CostStoreUnavailable

register = template.Library()


@register.inclusion_tag("costs/_reconciliation.html")
def reconciliation_panel(start, end) -> dict:
    try:
        days = reconcile(start=start, end=end, billed_only=True)
    except CostStoreUnavailable:
        return {"unavailable": True}
    return {"days": days, "flagged": [day for day in days if day.flagged]}
