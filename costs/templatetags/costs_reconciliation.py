"""``{% reconciliation_panel start end %}``: the CEO tab's small recorded-vs-billed section
(its own include, so the CEO tab needs one line and no view change)."""

from django import template

from costs.reconciliation import reconcile
from costs.repository import CostStoreUnavailable

register = template.Library()


@register.inclusion_tag("costs/_reconciliation.html")
def reconciliation_panel(start, end) -> dict:
    try:
        days = reconcile(start=start, end=end)
    except CostStoreUnavailable:
        return {"unavailable": True}
    billed = [day for day in days if day.billed_micros]
    return {
        "days": billed,
        "flagged": [day for day in billed if day.flagged],
        "unbilled": len(days) - len(billed),
    }
