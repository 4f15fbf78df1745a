"""A caption's text call is a cost like any other: its type and provider appear in the API's
usage, on the tenant's media page, on the CEO tab and in the budget's spend."""

from datetime import UTC, datetime

import pytest

from costs.budget_selectors import get_media_budget_status
from costs.domain import MediaGenerationEvent
from costs.services import track_media_generation

pytestmark = pytest.mark.django_db


def test_text_costs_everywhere(api_a, org_a, owner_a_client, super_admin_client):
    event = track_media_generation(
        MediaGenerationEvent(
            id="run_1:caption:instagram",
            tenant_id=org_a.pk,
            user_id="u",
            type="text",
            provider="gemini-text",
            input_tokens=350_000,
            output_tokens=550_000,
            created_at=datetime.now(UTC),
        )
    )
    # gemini-3.5-flash: 350,000 x $0.50/M + 550,000 x $3.00/M = $0.175 + $1.65
    assert (event.model, event.cost_micros) == ("gemini-3.5-flash", 1_825_000)
    response = api_a.get("/usage")
    assert response.status_code == 200, response.json()
    usage = response.json()
    assert usage["by_type"]["text"]["cost"] == "1.825"
    assert usage["by_provider"]["gemini-text"]["cost"] == "1.825"
    assert "Gemini (text)" in owner_a_client.get("/dashboard/media").content.decode()
    ceo = super_admin_client.get("/dashboard/ceo", {"tab": "costs"}).content.decode()
    assert "Gemini (text)" in ceo and "$1.83" in ceo
    assert get_media_budget_status(org_a.pk).period("day").spent_micros == 1_825_000
