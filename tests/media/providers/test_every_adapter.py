"""The behaviours every adapter shares, run against each one's own wire format: success, a 429 with
each retry hint, a 500 then success, a timeout, a malformed 200, and client errors not retried."""

import base64
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate

import pytest

from media.providers import (
    BadResponse,
    ProviderUnavailable,
    RequestRejected,
    image_provider,
    text_provider,
    video_provider,
)
from tests.media.providers.conftest import FIXED_NOW
from tests.media.providers.fakes import Reply, google_error, openai_error, retry_info


@dataclass
class Case:
    key: str
    path: str  # the paid request
    google: bool
    success: Callable[[dict], Reply]
    follow_up: Callable[[object, dict], None]  # polls and downloads after a successful start
    call: Callable[..., object]
    check: Callable[[object, dict], None]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _gemini_image(assets):
    inline = {"inlineData": {"mimeType": "image/png", "data": _b64(assets["png"])}}
    return Reply(json={"candidates": [{"content": {"parts": [inline]}, "finishReason": "STOP"}]})


def _no_follow_up(fake, assets):
    pass


def _veo_follow_up(fake, assets):
    name = "models/veo-3.1-generate-preview/operations/op1"
    uri = fake.url + "/v1beta/files/v1:download?alt=media"
    done = {"generateVideoResponse": {"generatedSamples": [{"video": {"uri": uri}}]}}
    fake.on("GET", f"/v1beta/{name}", Reply(json={"name": name, "done": True, "response": done}))
    fake.on("GET", "/v1beta/files/v1:download?alt=media", Reply(body=assets["mp4"]))


def _sora_follow_up(fake, assets):
    fake.on("GET", "/v1/videos/video_1", Reply(json={"id": "video_1", "status": "completed"}))
    fake.on("GET", "/v1/videos/video_1/content", Reply(body=assets["mp4"]))
    fake.on(
        "GET",
        "/v1/videos/video_1/content?variant=thumbnail",
        Reply(body=assets["png"], content_type="image/png"),
    )


def _image(adapter, key):
    return adapter.generate_image(prompt="a lit candle", aspect_ratio="1:1", idempotency_key=key)


def _video(adapter, key):
    return adapter.generate_video(
        prompt="a lit candle", duration_seconds=4, aspect_ratio="16:9", idempotency_key=key
    )


def _text(adapter, key):
    return adapter.generate_text(prompt="Caption a lit candle", idempotency_key=key)


def _is_png(result, assets):
    assert result.data == assets["png"]


def _is_video(result, assets):
    assert result.data == assets["mp4"] and result.thumbnail


def _is_caption(result, assets):
    assert result.text == "Candlelight, calm nights."


CASES = [
    Case(
        "gemini-flash",
        "/v1beta/models/gemini-3.1-flash-image:generateContent",
        True,
        _gemini_image,
        _no_follow_up,
        _image,
        _is_png,
    ),
    Case(
        "gemini-pro",
        "/v1beta/models/gemini-3-pro-image:generateContent",
        True,
        _gemini_image,
        _no_follow_up,
        _image,
        _is_png,
    ),
    Case(
        "imagen",
        "/v1beta/models/imagen-4.0-generate-001:predict",
        True,
        lambda assets: Reply(
            json={
                "predictions": [
                    {"mimeType": "image/png", "bytesBase64Encoded": _b64(assets["png"])}
                ]
            }
        ),
        _no_follow_up,
        _image,
        _is_png,
    ),
    Case(
        "veo",
        "/v1beta/models/veo-3.1-generate-preview:predictLongRunning",
        True,
        lambda assets: Reply(json={"name": "models/veo-3.1-generate-preview/operations/op1"}),
        _veo_follow_up,
        _video,
        _is_video,
    ),
    Case(
        "sora",
        "/v1/videos",
        False,
        lambda assets: Reply(json={"id": "video_1", "status": "queued"}),
        _sora_follow_up,
        _video,
        _is_video,
    ),
    Case(
        "gemini-text",
        "/v1beta/models/gemini-3.5-flash:generateContent",
        True,
        lambda assets: Reply(
            json={
                "candidates": [
                    {
                        "content": {"parts": [{"text": "Candlelight, calm nights."}]},
                        "finishReason": "STOP",
                    }
                ]
            }
        ),
        _no_follow_up,
        _text,
        _is_caption,
    ),
    Case(
        "openai-text",
        "/v1/chat/completions",
        False,
        lambda assets: Reply(
            json={
                "id": "chatcmpl-1",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Candlelight, calm nights."},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 9, "completion_tokens": 5},
            }
        ),
        _no_follow_up,
        _text,
        _is_caption,
    ),
]


@pytest.fixture(params=CASES, ids=[case.key for case in CASES])
def case(request):
    return request.param


@pytest.fixture
def assets(png_bytes, mp4_bytes):
    return {"png": png_bytes, "mp4": mp4_bytes}


def adapter_for(case, make_config, retry, **overrides):
    config = make_config(case.key, **overrides)
    kind = {"image": image_provider, "video": video_provider, "text": text_provider}
    factory = {
        "gemini-flash": "image",
        "gemini-pro": "image",
        "imagen": "image",
        "veo": "video",
        "sora": "video",
        "gemini-text": "text",
        "openai-text": "text",
    }[case.key]
    return kind[factory](case.key, config=config, retry=retry)


def rate_limited(case, hint: str) -> Reply:
    if hint == "retry-info":
        details = [retry_info("3.5s")]
        return Reply(429, json=google_error(429, "RESOURCE_EXHAUSTED", details=details))
    headers = {
        "retry-after": {"Retry-After": "3"},
        "retry-after-date": {"Retry-After": formatdate(FIXED_NOW + 3, usegmt=True)},
        "retry-after-ms": {"retry-after-ms": "3000"},
    }[hint]
    body = (
        google_error(429, "RESOURCE_EXHAUSTED")
        if case.google
        else openai_error("rate_limit_exceeded", type_="requests")
    )
    return Reply(429, json=body, headers=headers)


def test_it_succeeds(case, fake, make_config, retry, assets, sleeps):
    fake.on("POST", case.path, case.success(assets))
    case.follow_up(fake, assets)

    result = case.call(adapter_for(case, make_config, retry), "k1")

    case.check(result, assets)
    assert result.simulated is False and result.reused is False
    key_header = "x-goog-api-key" if case.google else "authorization"
    assert fake.seen("POST", case.path)[0].headers[key_header].endswith("test-key")


# RetryInfo is Google's; OpenAI sends headers only.
HINTS = [
    (case, hint)
    for case in CASES
    for hint in ("retry-after", "retry-after-date", "retry-after-ms", "retry-info")
    if case.google or hint != "retry-info"
]


@pytest.mark.parametrize(("case", "hint"), HINTS, ids=[f"{c.key}-{h}" for c, h in HINTS])
def test_it_waits_as_a_429_asks(case, hint, fake, make_config, retry, assets, sleeps):
    fake.on("POST", case.path, rate_limited(case, hint), case.success(assets))
    case.follow_up(fake, assets)

    case.check(case.call(adapter_for(case, make_config, retry), "k1"), assets)

    assert sleeps[0] == pytest.approx(3.5 if hint == "retry-info" else 3.0)
    assert len(fake.seen("POST", case.path)) == 2


def test_it_retries_a_500_then_succeeds(case, fake, make_config, retry, assets, sleeps):
    fake.on(
        "POST", case.path, Reply(500, json={"error": {"message": "boom"}}), case.success(assets)
    )
    case.follow_up(fake, assets)

    case.check(case.call(adapter_for(case, make_config, retry), "k1"), assets)
    assert len(fake.seen("POST", case.path)) == 2 and 0 <= sleeps[0] <= 1.0


def test_it_retries_a_timeout(case, fake, make_config, retry, assets, sleeps):
    fake.on("POST", case.path, Reply(delay=30, json={}), case.success(assets))
    case.follow_up(fake, assets)

    adapter = adapter_for(case, make_config, retry, read_timeout=0.3)
    case.check(case.call(adapter, "k1"), assets)
    assert len(fake.seen("POST", case.path)) == 2


def test_a_timeout_on_every_attempt_is_a_retryable_failure(case, fake, make_config, retry):
    fake.on("POST", case.path, *[Reply(delay=30, json={})] * 4)

    with pytest.raises(ProviderUnavailable, match="timed out") as failed:
        case.call(adapter_for(case, make_config, retry, read_timeout=0.1), "k1")
    assert failed.value.retryable is True


def test_a_malformed_reply_is_not_paid_for_twice(case, fake, make_config, retry, sleeps):
    fake.on("POST", case.path, Reply(body=b'{"half": ', content_type="application/json"))

    with pytest.raises(BadResponse):
        case.call(adapter_for(case, make_config, retry), "k1")
    assert len(fake.seen("POST", case.path)) == 1 and sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_not_retried(case, status, fake, make_config, retry, sleeps):
    fake.on("POST", case.path, Reply(status, json={"error": {"message": "refused"}}))

    with pytest.raises(RequestRejected, match=f"HTTP {status}: refused"):
        case.call(adapter_for(case, make_config, retry), "k1")
    assert len(fake.seen("POST", case.path)) == 1 and sleeps == []


def test_the_same_idempotency_key_calls_once(case, fake, make_config, retry, assets):
    fake.on("POST", case.path, case.success(assets))
    case.follow_up(fake, assets)
    adapter = adapter_for(case, make_config, retry)

    case.call(adapter, "k1")
    again = case.call(adapter, "k1")

    assert again.reused is True
    case.check(again, assets)
    assert len(fake.seen("POST", case.path)) == 1
