"""Each caption text call records a ``text`` event priced by the provider's usage metadata
(Gemini ``usageMetadata``, OpenAI ``usage``); a simulated caption is recorded as simulated at the
price it would have cost (the expected tokens); a dry run records nothing."""

import pytest

from costs.selectors import get_recent_media_events
from playbooks.captions import expected_caption_tokens
from playbooks.selectors import caption_estimate
from tests.media.providers.fakes import Reply
from tests.playbooks.helpers import context_for, execute, runtime_for

pytestmark = pytest.mark.django_db
STEP = {"id": "step-3", "type": "generate_caption", "params": {"platform": "twitter"}}


def _only_event(org):
    (event,) = get_recent_media_events(org.pk, 10)
    return event


def test_a_gemini_caption_is_priced_by_its_usage_metadata(org_a, text_server):
    text_server.reply("Weekend deals at bakedbot.ai")  # the fake answers 10 + 20 tokens
    outcome = execute(STEP, context_for(org_a, run_id="run_g"), runtime_for(org_a, [STEP]))
    event = _only_event(org_a)
    assert (event.type, event.provider, event.model, event.simulated) == (
        "text",
        "gemini-text",
        "gemini-3.5-flash",
        False,
    )
    # 10 x $0.50/M + 20 x $3.00/M = 5 + 60 micro-dollars
    assert (event.input_tokens, event.output_tokens, event.cost_micros) == (10, 20, 65)
    assert (event.id, event.playbook_run_id) == ("run_g:caption:twitter", "run_g")
    assert outcome.cost_micros == 65 and outcome.result["input_tokens"] == 10


def test_an_openai_caption_is_priced_by_its_usage(org_a, settings, fake_server):
    settings.MEDIA_CAPTION_PROVIDER = "openai-text"
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "openai-text": {
            **settings.MEDIA_PROVIDERS["openai-text"],
            "api_key": "test-key",
            "base_url": fake_server.url + "/v1",
        },
    }
    fake_server.on(
        "POST",
        "/v1/chat/completions",
        Reply(
            json={
                "id": "chatcmpl-1",
                "choices": [
                    {
                        "message": {"role": "assistant", "content": "Deals today"},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 400, "completion_tokens": 1000, "total_tokens": 1400},
            }
        ),
    )
    execute(STEP, context_for(org_a, run_id="run_o"), runtime_for(org_a, [STEP]))
    event = _only_event(org_a)
    assert (event.provider, event.model, event.simulated) == ("openai-text", "gpt-5-mini", False)
    # 400 x $0.25/M + 1,000 x $2.00/M = 100 + 2,000 micro-dollars
    assert (event.input_tokens, event.output_tokens, event.cost_micros) == (400, 1000, 2100)


def test_an_answer_without_usage_metadata_is_priced_at_the_expected_tokens(
    org_a, text_server, fake_server
):
    fake_server.on(
        "POST",
        "/v1beta/models/gemini-3.5-flash:generateContent",
        Reply(
            json={
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": "Hi"}]},
                        "finishReason": "STOP",
                    }
                ]
            }
        ),
    )
    execute(STEP, context_for(org_a, run_id="run_n"), runtime_for(org_a, [STEP]))
    event = _only_event(org_a)
    assert (event.input_tokens, event.output_tokens) == expected_caption_tokens("twitter")
    assert event.cost_micros == caption_estimate("twitter").cost_micros > 0
    assert "no usage metadata" in event.params["tokens"]


def test_a_simulated_caption_is_recorded_at_what_it_would_have_cost(org_a):
    execute(STEP, context_for(org_a, run_id="run_s"), runtime_for(org_a, [STEP]))
    event = _only_event(org_a)
    assert event.simulated is True
    assert (
        (event.input_tokens, event.output_tokens)
        == expected_caption_tokens("twitter")
        == (
            350,
            70,
        )
    )
    assert event.cost_micros == caption_estimate("twitter").cost_micros == 385  # 175 + 210


def test_a_dry_run_records_nothing(org_a):
    outcome = execute(STEP, context_for(org_a), runtime_for(org_a, [STEP], dry_run=True))
    assert outcome.cost_micros == 0
    assert get_recent_media_events(org_a.pk, 10) == []
