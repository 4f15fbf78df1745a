"""generate_caption through the real text adapter (media.providers.text_provider) against a local
fake Gemini server; simulated (no key) falls back to the deterministic template."""

import pytest

from playbooks.captions import PLATFORMS, caption_length, hashtags_in
from tests.playbooks.helpers import context_for, execute, runtime_for

pytestmark = pytest.mark.django_db

STEPS = [{"id": "step-1", "type": "fetch_deals"}, {"id": "step-3", "type": "generate_caption"}]
DEALS = {"deals": [{"title": "20% off all flower", "discount_percent": 20}]}
CAPTION = {"id": "step-3", "type": "generate_caption", "params": {"platform": "instagram"}}


def test_the_caption_comes_from_the_text_provider_and_is_fitted(org_a, text_server):
    written = "Flower Friday all week 🌿 " * 200 + " ".join(f"#t{n}" for n in range(9))
    text_server.reply(written)
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(CAPTION, context, runtime_for(org_a, STEPS)).result
    assert result["simulated"] is False
    assert result["caption"].startswith("Flower Friday all week 🌿")
    assert caption_length("instagram", result["caption"]) <= PLATFORMS["instagram"].max_length
    assert len(hashtags_in(result["caption"])) == 5
    assert "21+" in result["caption"]
    (request,) = text_server.server.requests
    assert request.headers["x-goog-api-key"] == "test-key"
    (prompt,) = text_server.prompts()
    assert "instagram caption of at most 2200 characters" in prompt
    assert "20% off all flower" in prompt


def test_without_a_key_the_template_is_used(org_a, fake_server):
    # The autouse fixture leaves every provider without a key.
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(CAPTION, context, runtime_for(org_a, STEPS)).result
    assert result["simulated"] is True
    assert result["caption"].startswith("This week at Alpha Brands:")
    assert fake_server.requests == []
