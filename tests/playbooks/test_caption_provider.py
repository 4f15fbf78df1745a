"""generate_caption through the real text adapter (media.providers.text_provider) against a local
fake Gemini server; simulated (no key) falls back to the deterministic template."""

import pytest

from playbooks.captions import PLATFORMS, caption_length, hashtags_in
from playbooks.executor import MediaTextGateway
from tests.media.providers.fakes import Reply
from tests.playbooks.helpers import context_for, execute, runtime_for

pytestmark = pytest.mark.django_db

STEPS = [{"id": "step-1", "type": "fetch_deals"}, {"id": "step-3", "type": "generate_caption"}]
DEALS = {"deals": [{"title": "20% off all flower", "discount_percent": 20}]}
CAPTION = {"id": "step-3", "type": "generate_caption", "params": {"platform": "instagram"}}


@pytest.fixture
def gemini_text(settings, fake_server):
    settings.MEDIA_CAPTION_PROVIDER = "gemini-text"
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "gemini-text": {
            "api_key": "k",
            "base_url": fake_server.url + "/v1beta",
            "model": "gemini-test",
        },
    }
    return fake_server


def _gemini_reply(text: str) -> Reply:
    return Reply(
        json={
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 20},
        }
    )


def test_the_caption_comes_from_the_text_provider_and_is_fitted(org_a, gemini_text):
    written = "Flower Friday all week 🌿 " * 200 + " ".join(f"#t{n}" for n in range(9))
    gemini_text.on("POST", "/v1beta/models/gemini-test:generateContent", _gemini_reply(written))
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(CAPTION, context, runtime_for(org_a, STEPS, text=MediaTextGateway())).result
    assert result["simulated"] is False
    assert result["caption"].startswith("Flower Friday all week 🌿")
    assert caption_length("instagram", result["caption"]) <= PLATFORMS["instagram"].max_length
    assert len(hashtags_in(result["caption"])) == 5
    assert "21+" in result["caption"]
    (request,) = gemini_text.requests
    assert request.headers["x-goog-api-key"] == "k"
    prompt = request.json["contents"][0]["parts"][0]["text"]
    assert "instagram caption of at most 2200 characters" in prompt
    assert "20% off all flower" in prompt


def test_without_a_key_the_template_is_used(org_a, settings, fake_server):
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "gemini-text": {"api_key": "", "base_url": fake_server.url, "model": "gemini-test"},
    }
    settings.MEDIA_CAPTION_PROVIDER = "gemini-text"
    context = context_for(org_a, step_results={"step-1": DEALS})
    result = execute(CAPTION, context, runtime_for(org_a, STEPS, text=MediaTextGateway())).result
    assert result["simulated"] is True
    assert result["caption"].startswith("This week at Alpha Brands:")
    assert fake_server.requests == []
