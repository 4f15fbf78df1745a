"""django-q2 entry points of the cost core: call a service."""

from costs.outbox import drain_cost_outbox

__all__ = ["drain_cost_outbox"]
