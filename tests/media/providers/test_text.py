"""Caption text adapters: Gemini generateContent and OpenAI Chat Completions."""

import pytest

from media.providers import BadResponse, SafetyBlocked, text_provider
from media.providers.openai_text import OpenAITextProvider
from tests.media.providers.fakes import Reply

GEMINI = "/v1beta/models/gemini-3.5-flash:generateContent"
CHAT = "/v1/chat/completions"


@pytest.fixture
def gemini(make_config, retry):
    return text_provider("gemini-text", config=make_config("gemini-text"), retry=retry)


@pytest.fixture
def openai(make_config, retry):
    return text_provider("openai-text", config=make_config("openai-text"), retry=retry)


def test_gemini_sends_the_system_instruction_and_joins_text_parts(fake, gemini):
    fake.on(
        "POST",
        GEMINI,
        Reply(
            json={
                "candidates": [
                    {
                        "content": {
                            "parts": [
                                {"text": "thinking...", "thought": True},
                                {"text": "Weekend deals "},
                                {"text": "are here. #ShopLocal"},
                            ]
                        },
                        "finishReason": "STOP",
                    }
                ],
                "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": 12},
                "responseId": "r-9",
            }
        ),
    )

    result = gemini.generate_text(
        prompt="Write a caption", system="Be brief.", max_output_tokens=200, idempotency_key="c-1"
    )

    assert fake.seen("POST", GEMINI)[0].json == {
        "contents": [{"role": "user", "parts": [{"text": "Write a caption"}]}],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {"maxOutputTokens": 200},
    }
    assert result.text == "Weekend deals are here. #ShopLocal"
    assert (result.input_tokens, result.output_tokens, result.provider_request_id) == (
        40,
        12,
        "r-9",
    )


@pytest.mark.parametrize(
    "body",
    [
        {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}},
        {"candidates": [{"finishReason": "SAFETY"}]},
    ],
)
def test_gemini_safety_blocks_fail_clearly(fake, gemini, body):
    fake.on("POST", GEMINI, Reply(json=body))

    with pytest.raises(SafetyBlocked):
        gemini.generate_text(prompt="Write a caption", idempotency_key="c-1")
    assert len(fake.seen("POST", GEMINI)) == 1


def test_openai_sends_messages_and_reads_the_choice(fake, openai):
    fake.on(
        "POST",
        CHAT,
        Reply(
            json={
                "id": "chatcmpl-42",
                "choices": [
                    {
                        "message": {"role": "assistant", "content": " Fresh drops today. "},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 30, "completion_tokens": 6, "total_tokens": 36},
            }
        ),
    )

    result = openai.generate_text(
        prompt="Write a caption", system="Be brief.", max_output_tokens=100, idempotency_key="c-2"
    )

    request = fake.seen("POST", CHAT)[0]
    assert request.headers["authorization"] == "Bearer test-key"
    assert request.json == {
        "model": "gpt-5-mini",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Write a caption"},
        ],
        "max_completion_tokens": 100,
    }
    assert result.text == "Fresh drops today."
    assert (result.input_tokens, result.output_tokens) == (30, 6)
    assert result.provider_request_id == "chatcmpl-42"


@pytest.mark.parametrize(
    ("choice", "reason"),
    [
        ({"message": {"content": None}, "finish_reason": "content_filter"}, "content_filter"),
        (
            {"message": {"content": None, "refusal": "I can't help"}, "finish_reason": "stop"},
            "refusal",
        ),
    ],
)
def test_openai_refusals_are_safety_blocks(fake, openai, choice, reason):
    fake.on("POST", CHAT, Reply(json={"id": "x", "choices": [choice]}))

    with pytest.raises(SafetyBlocked) as blocked:
        openai.generate_text(prompt="Write a caption", idempotency_key="c-3")
    assert blocked.value.reason == reason


def test_openai_without_choices_is_a_bad_response(fake, openai):
    fake.on("POST", CHAT, Reply(json={"id": "x", "choices": []}))

    with pytest.raises(BadResponse, match="no choices"):
        openai.generate_text(prompt="Write a caption", idempotency_key="c-4")


def test_the_caption_provider_setting_picks_the_adapter(settings):
    settings.MEDIA_CAPTION_PROVIDER = "openai-text"
    entry = {"api_key": "sk-test", "base_url": "https://gateway.test/v1", "model": "gpt-5-mini"}
    settings.MEDIA_PROVIDERS = {**settings.MEDIA_PROVIDERS, "openai-text": entry}

    adapter = text_provider()

    assert isinstance(adapter, OpenAITextProvider)
    assert (adapter.config.model, adapter.config.base_url) == ("gpt-5-mini", entry["base_url"])
