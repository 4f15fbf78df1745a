from datetime import UTC, datetime
from decimal import Decimal

import pytest

from costs.budgets import update_media_budget
from costs.domain import MediaGenerationEvent, new_event_id
from costs.money import decimal_to_micros
from costs.services import track_media_generation


@pytest.fixture
def record_spend():
    """Record a generation that cost ``dollars`` through the cost core, as generation does."""

    def _record(tenant_id: str, dollars: str, *, at: datetime | None = None):
        return track_media_generation(
            MediaGenerationEvent(
                id=new_event_id(),
                tenant_id=tenant_id,
                user_id="tester",
                type="image",
                provider="gemini-flash",
                cost_micros=decimal_to_micros(Decimal(dollars)),
                created_at=at or datetime.now(UTC),
            )
        )

    return _record


@pytest.fixture
def set_budget():
    def _set(tenant_id: str, **updates):
        update_media_budget(tenant_id, updates)

    return _set
