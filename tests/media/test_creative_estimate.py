"""``GET /dashboard/creative/estimate``: the live estimate and budget beside the form."""

import pytest

from costs.budgets import update_media_budget
from presets.services import create_style_preset
from tests.media.helpers import ESTIMATE, HTMX, text_of

pytestmark = pytest.mark.django_db


def test_it_follows_provider_duration_and_budget(owner_a_client, org_a):
    response = owner_a_client.get(
        ESTIMATE,
        {"kind": "video", "provider": "veo", "duration_seconds": "30", **{"aspect_ratio": "16:9"}},
        **HTMX,
    )
    text = text_of(response)
    # Veo bills per second (2026-12-01 price book): 30 s x $0.40 at 720p with audio.
    assert 'data-testid="estimate-cost">$12.00<' in response.content.decode()
    assert (
        "veo-3.1-generate-preview second at 720p with audio (8 s + 8 s + 8 s + 6 s clips)" in text
    )
    assert "30 \u00d7 $0.40 per second" in text
    assert "veo-3.1-generate-preview · 30 s · 720p with audio" in text
    assert "Price book 2026-12-01" in text
    assert "Made as 4 clips (8 s + 8 s + 8 s + 6 s), joined." in text
    assert "Within budget" in text

    five = text_of(owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "5"}, **HTMX))
    assert "Made as 1 clip (6 s), joined and trimmed to 5 s (6 s billed)." in five

    update_media_budget(org_a.pk, {"daily_limit": "2", "monthly_limit": "100"})
    blocked = text_of(
        owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "30"}, **HTMX)
    )
    assert "The daily budget of $2.00 would be exceeded by $10.00" in blocked
    assert "Today $0.00 of $2.00" in blocked and "This month $0.00 of $100.00" in blocked

    bad = text_of(owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "0"}, **HTMX))
    assert "The duration must be a whole number of seconds from 1 to 300." in bad


def test_it_answers_404_for_a_foreign_preset(owner_a_client, org_b):
    created = create_style_preset(
        tenant_id=org_b.pk,
        data={"name": "Beta look", "style_prompt": "Teal", "aspect_ratios": ["1:1"]},
    )
    response = owner_a_client.get(ESTIMATE, {"preset_id": created.id}, **HTMX)
    assert response.status_code == 404


@pytest.mark.parametrize("duration", ["²", "①", "-4", "0", "301", "8.5", "", "9" * 40])
def test_it_names_a_duration_that_is_not_1_to_300_whole_seconds(owner_a_client, duration):
    response = owner_a_client.get(
        ESTIMATE, {"kind": "video", "provider": "veo", "duration_seconds": duration}, **HTMX
    )
    assert response.status_code == 200
    assert (
        'data-testid="estimate-error">The duration must be a whole number of seconds from 1 '
        "to 300.<" in response.content.decode()
    )
