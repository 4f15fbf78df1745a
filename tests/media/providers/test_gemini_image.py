"""Gemini generateContent image adapter (gemini-flash, gemini-pro) against a fake server."""

import base64
from email.utils import formatdate

import pytest

from media.models import ProviderCall
from media.providers import (
    BadResponse,
    IdempotencyConflict,
    InvalidRequest,
    ModelRetired,
    ProviderUnavailable,
    QuotaExhausted,
    RateLimited,
    RequestRejected,
    SafetyBlocked,
    image_provider,
)
from media.providers.gemini import BLOCKING_FINISH_REASONS
from tests.media.providers.conftest import FIXED_NOW
from tests.media.providers.fakes import Reply, google_error, quota_failure, retry_info

FLASH = "/v1beta/models/gemini-3.1-flash-image:generateContent"
PRO = "/v1beta/models/gemini-3-pro-image:generateContent"


def image_reply(*images: bytes, finish="STOP") -> Reply:
    parts = [{"text": "Here is your image"}]
    parts += [
        {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(image).decode()}}
        for image in images
    ]
    return Reply(
        json={
            "candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": finish}],
            "usageMetadata": {
                "promptTokenCount": 17,
                "candidatesTokenCount": 1306,
                "totalTokenCount": 1323,
            },
            "modelVersion": "gemini-3.1-flash-image",
            "responseId": "resp-123",
        }
    )


@pytest.fixture
def flash(make_config, retry):
    return image_provider("gemini-flash", config=make_config("gemini-flash"), retry=retry)


def generate(adapter, key="job-1:image", **overrides):
    values = {"prompt": "  A banana in a tuxedo  ", "aspect_ratio": "16:9", "idempotency_key": key}
    values.update(overrides)
    return adapter.generate_image(**values)


def test_it_sends_the_wire_format_and_returns_the_last_image(fake, flash, png_bytes):
    fake.on("POST", FLASH, image_reply(b"draft image", png_bytes))

    result = generate(flash)

    (request,) = fake.seen("POST", FLASH)
    assert request.headers["x-goog-api-key"] == "test-key"
    assert request.json == {
        "contents": [{"role": "user", "parts": [{"text": "A banana in a tuxedo"}]}],
        "generationConfig": {
            "responseModalities": ["TEXT", "IMAGE"],
            "imageConfig": {"aspectRatio": "16:9"},
        },
    }
    assert result.data == png_bytes
    assert result.mime_type == "image/png"
    assert (result.provider, result.model) == ("gemini-flash", "gemini-3.1-flash-image")
    assert result.simulated is False and result.reused is False
    assert result.provider_request_id == "resp-123"
    assert (result.input_tokens, result.output_tokens) == (17, 1306)


def test_it_sends_the_image_size_on_pro_models_only(fake, make_config, retry, png_bytes):
    pro = image_provider("gemini-pro", config=make_config("gemini-pro"), retry=retry)
    fake.on("POST", PRO, image_reply(png_bytes))

    generate(pro, image_size="4K")

    assert fake.seen("POST", PRO)[0].json["generationConfig"]["imageConfig"] == {
        "aspectRatio": "16:9",
        "imageSize": "4K",
    }
    flash = image_provider("gemini-flash", config=make_config("gemini-flash"), retry=retry)
    with pytest.raises(InvalidRequest) as refused:
        generate(flash, key="other", image_size="4K")
    assert refused.value.field == "image_size"


@pytest.mark.parametrize(
    ("headers", "details", "expected_sleep"),
    [
        ({"Retry-After": "7"}, [], 7.0),
        ({"Retry-After": formatdate(FIXED_NOW + 30, usegmt=True)}, [], 30.0),
        ({"retry-after-ms": "1500"}, [], 1.5),
        ({}, [retry_info("45.8s")], 45.8),
    ],
    ids=["retry-after-seconds", "retry-after-date", "retry-after-ms", "retry-info"],
)
def test_it_waits_as_long_as_a_429_asks_then_succeeds(
    fake, flash, sleeps, png_bytes, headers, details, expected_sleep
):
    fake.on(
        "POST",
        FLASH,
        Reply(429, json=google_error(429, "RESOURCE_EXHAUSTED", details=details), headers=headers),
        image_reply(png_bytes),
    )

    result = generate(flash)

    assert result.data == png_bytes
    assert sleeps == [pytest.approx(expected_sleep)]
    assert len(fake.seen("POST", FLASH)) == 2


def test_it_backs_off_with_full_jitter_after_a_500_then_succeeds(fake, flash, sleeps, png_bytes):
    fake.on(
        "POST",
        FLASH,
        Reply(500, json=google_error(500, "INTERNAL")),
        Reply(503, body=b"<html>upstream unavailable</html>", content_type="text/html"),
        image_reply(png_bytes),
    )

    assert generate(flash).data == png_bytes
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 1.0 and 0 <= sleeps[1] <= 2.0


def test_it_gives_up_after_the_last_attempt_with_a_retryable_error(fake, flash, sleeps):
    fake.on("POST", FLASH, *[Reply(503, json=google_error(503, "UNAVAILABLE"))] * 4)

    with pytest.raises(ProviderUnavailable) as failed:
        generate(flash)

    assert failed.value.retryable is True and failed.value.status_code == 503
    assert len(fake.seen("POST", FLASH)) == 4
    assert len(sleeps) == 3
    assert all(0 <= s <= cap for s, cap in zip(sleeps, (1, 2, 4), strict=True))


def test_it_caps_the_backoff(retry):
    assert all(0 <= retry.backoff(attempt) <= 8.0 for attempt in range(1, 30))


def test_it_retries_a_read_timeout(fake, make_config, retry, sleeps, png_bytes):
    adapter = image_provider(
        "gemini-flash", config=make_config("gemini-flash", read_timeout=0.3), retry=retry
    )
    fake.on("POST", FLASH, Reply(delay=30, json={}), image_reply(png_bytes))

    assert generate(adapter).data == png_bytes
    assert len(sleeps) == 1


def test_it_reports_a_timeout_as_retryable_once_attempts_run_out(fake, make_config, retry):
    adapter = image_provider(
        "gemini-flash", config=make_config("gemini-flash", read_timeout=0.2), retry=retry
    )
    fake.on("POST", FLASH, *[Reply(delay=30, json={})] * 4)

    with pytest.raises(ProviderUnavailable, match="timed out") as failed:
        generate(adapter)
    assert failed.value.retryable is True


def test_it_retries_a_refused_connection(make_config, retry, sleeps):
    closed = make_config("gemini-flash", base_url="http://127.0.0.1:9/v1beta")
    adapter = image_provider("gemini-flash", config=closed, retry=retry)

    with pytest.raises(ProviderUnavailable, match="connection failed"):
        generate(adapter)
    assert len(sleeps) == 3


def test_it_does_not_retry_a_malformed_200(fake, flash, sleeps):
    fake.on("POST", FLASH, Reply(body=b'{"candidates": [', content_type="application/json"))

    with pytest.raises(BadResponse, match="not JSON") as failed:
        generate(flash)

    assert failed.value.retryable is False
    assert len(fake.seen("POST", FLASH)) == 1 and sleeps == []


@pytest.mark.parametrize("reason", sorted(BLOCKING_FINISH_REASONS))
def test_it_fails_a_blocking_finish_reason_clearly_without_retrying(fake, flash, reason):
    fake.on("POST", FLASH, Reply(json={"candidates": [{"finishReason": reason}]}))

    with pytest.raises(SafetyBlocked, match=f"finishReason {reason}") as blocked:
        generate(flash)

    assert blocked.value.reason == reason and blocked.value.retryable is False
    assert len(fake.seen("POST", FLASH)) == 1


def test_it_fails_a_blocked_prompt_clearly(fake, flash):
    fake.on("POST", FLASH, Reply(json={"promptFeedback": {"blockReason": "SAFETY"}}))

    with pytest.raises(SafetyBlocked, match="prompt was blocked") as blocked:
        generate(flash)
    assert blocked.value.reason == "SAFETY"


def test_it_fails_a_reply_without_an_image(fake, flash):
    fake.on(
        "POST",
        FLASH,
        Reply(
            json={
                "candidates": [
                    {
                        "content": {"parts": [{"text": "I can only describe it."}]},
                        "finishReason": "STOP",
                    }
                ]
            }
        ),
    )

    with pytest.raises(BadResponse, match="no image; the model said: I can only describe it"):
        generate(flash)


def test_it_fails_invalid_base64(fake, flash):
    bad = {"inlineData": {"mimeType": "image/png", "data": "not base64!!"}}
    fake.on("POST", FLASH, Reply(json={"candidates": [{"content": {"parts": [bad]}}]}))

    with pytest.raises(BadResponse, match="base64"):
        generate(flash)


@pytest.mark.parametrize(
    ("status", "google_status"),
    [
        (400, "INVALID_ARGUMENT"),
        (401, "UNAUTHENTICATED"),
        (403, "PERMISSION_DENIED"),
        (404, "NOT_FOUND"),
    ],
)
def test_it_never_retries_client_errors(fake, flash, sleeps, status, google_status):
    fake.on("POST", FLASH, Reply(status, json=google_error(status, google_status, "nope")))

    with pytest.raises(RequestRejected, match=f"HTTP {status}: nope") as rejected:
        generate(flash)

    assert rejected.value.retryable is False and rejected.value.code == google_status
    assert len(fake.seen("POST", FLASH)) == 1 and sleeps == []


def test_it_does_not_retry_a_per_day_quota(fake, flash, sleeps):
    details = [quota_failure("GenerateRequestsPerDayPerProjectPerModel"), retry_info("26s")]
    fake.on(
        "POST", FLASH, Reply(429, json=google_error(429, "RESOURCE_EXHAUSTED", details=details))
    )

    with pytest.raises(QuotaExhausted, match="per-day quota") as exhausted:
        generate(flash)

    assert exhausted.value.retryable is False
    assert len(fake.seen("POST", FLASH)) == 1 and sleeps == []


def test_it_retries_a_per_minute_quota(fake, flash, sleeps, png_bytes):
    details = [quota_failure("GenerateRequestsPerMinutePerProjectPerModel"), retry_info("2s")]
    fake.on(
        "POST",
        FLASH,
        Reply(429, json=google_error(429, "RESOURCE_EXHAUSTED", details=details)),
        image_reply(png_bytes),
    )

    assert generate(flash).data == png_bytes
    assert sleeps == [2.0]


def test_it_hands_back_a_wait_longer_than_it_will_sleep(fake, flash, sleeps):
    fake.on(
        "POST",
        FLASH,
        Reply(429, json=google_error(429, "RESOURCE_EXHAUSTED", details=[retry_info("600s")])),
    )

    with pytest.raises(RateLimited) as limited:
        generate(flash)

    assert limited.value.retryable is True and limited.value.retry_after == 600.0
    assert sleeps == []


def test_it_pays_once_per_idempotency_key(fake, flash, png_bytes):
    fake.on("POST", FLASH, image_reply(png_bytes))

    first = generate(flash)
    again = generate(flash)

    assert len(fake.seen("POST", FLASH)) == 1
    assert again.reused is True and first.reused is False
    assert again.data == first.data and again.provider_request_id == "resp-123"
    assert again.input_tokens == 17
    assert ProviderCall.objects.get(idempotency_key="job-1:image").status == "succeeded"


def test_it_remembers_a_safety_block_under_its_key(fake, flash):
    fake.on("POST", FLASH, Reply(json={"candidates": [{"finishReason": "IMAGE_SAFETY"}]}))

    with pytest.raises(SafetyBlocked):
        generate(flash)
    with pytest.raises(SafetyBlocked, match="not called again") as again:
        generate(flash)

    assert again.value.reason == "IMAGE_SAFETY"
    assert len(fake.seen("POST", FLASH)) == 1


def test_it_calls_again_under_the_same_key_after_a_retryable_failure(
    fake, flash, sleeps, png_bytes
):
    fake.on("POST", FLASH, *[Reply(503, json=google_error(503, "UNAVAILABLE"))] * 4)
    with pytest.raises(ProviderUnavailable):
        generate(flash)
    fake.on("POST", FLASH, image_reply(png_bytes))

    result = generate(flash)

    assert result.data == png_bytes and result.reused is False
    call = ProviderCall.objects.get(idempotency_key="job-1:image")
    assert (call.status, call.attempts) == ("succeeded", 2)


def test_it_refuses_a_key_reused_for_another_request(fake, flash, png_bytes):
    fake.on("POST", FLASH, image_reply(png_bytes))
    generate(flash)

    with pytest.raises(IdempotencyConflict):
        generate(flash, prompt="A different prompt")
    assert len(fake.seen("POST", FLASH)) == 1


def test_it_fails_fast_on_a_retired_model(fake, make_config, retry):
    retired = make_config("gemini-flash", model="gemini-2.5-flash-image")
    adapter = image_provider("gemini-flash", config=retired, retry=retry)

    with pytest.raises(ModelRetired, match=r"gemini-2\.5-flash-image was retired on 2026-10-02"):
        generate(adapter)
    assert fake.requests == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"aspect_ratio": "7:3"}, "aspect_ratio"),
        ({"prompt": "   "}, "prompt"),
        ({"palette": ["#12345g"]}, "palette"),
        ({"idempotency_key": ""}, "idempotency_key"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_without_a_call(fake, flash, overrides, field):
    with pytest.raises(InvalidRequest) as refused:
        generate(flash, **overrides)

    assert refused.value.field == field
    assert fake.requests == []
