"""OpenAI Videos API adapter (sora): create, poll honouring openai-poll-after-ms, download."""

import io

import pytest
from PIL import Image

from media.providers import (
    DownloadFailed,
    GenerationFailed,
    ModelRetired,
    QuotaExhausted,
    RequestRejected,
    SafetyBlocked,
    video_provider,
)
from tests.media.providers.fakes import Reply, openai_error

CREATE = "/v1/videos"
POLL = "/v1/videos/video_123"
CONTENT = "/v1/videos/video_123/content"
THUMBNAIL = "/v1/videos/video_123/content?variant=thumbnail"


def video(status: str, progress: int = 0, **extra) -> dict:
    return {
        "id": "video_123",
        "object": "video",
        "model": "sora-2",
        "status": status,
        "progress": progress,
        "created_at": 1760000000,
        "completed_at": None,
        "seconds": "8",
        "size": "1280x720",
        "error": None,
        **extra,
    }


@pytest.fixture
def sora(make_config, retry):
    return video_provider("sora", config=make_config("sora"), retry=retry)


@pytest.fixture
def webp_bytes():
    out = io.BytesIO()
    Image.new("RGB", (32, 18), "#aa3355").save(out, format="WEBP")
    return out.getvalue()


def generate(adapter, key="job-9:clip:1", **overrides):
    values = {
        "prompt": "a dispensary storefront at dusk",
        "duration_seconds": 8,
        "aspect_ratio": "16:9",
        "idempotency_key": key,
    }
    values.update(overrides)
    return adapter.generate_video(**values)


def script_success(fake, mp4_bytes, webp_bytes):
    fake.on("POST", CREATE, Reply(json=video("queued")))
    fake.on(
        "GET",
        POLL,
        Reply(json=video("in_progress", 42), headers={"openai-poll-after-ms": "250"}),
        Reply(json=video("in_progress", 90)),
        Reply(json=video("completed", 100)),
    )
    fake.on("GET", CONTENT, Reply(body=mp4_bytes, content_type="video/mp4"))
    fake.on("GET", THUMBNAIL, Reply(body=webp_bytes, content_type="image/webp"))


def test_it_creates_polls_and_downloads_video_and_thumbnail(
    fake, sora, sleeps, mp4_bytes, webp_bytes
):
    script_success(fake, mp4_bytes, webp_bytes)
    progress = []

    result = generate(sora, on_progress=progress.append)

    (create,) = fake.seen("POST", CREATE)
    assert create.headers["authorization"] == "Bearer test-key"
    assert create.json == {
        "model": "sora-2",
        "prompt": "a dispensary storefront at dusk",
        "seconds": "8",
        "size": "1280x720",
    }
    # The first poll asked for 250 ms; the second said nothing, so the configured interval.
    assert sleeps == [0.25, 2.0]
    assert progress == [42, 90, 100]
    assert result.data == mp4_bytes
    assert (result.thumbnail, result.thumbnail_mime_type) == (webp_bytes, "image/webp")
    assert result.duration_seconds == 8 and result.provider_request_id == "video_123"
    assert fake.seen("GET", THUMBNAIL)[0].headers["authorization"] == "Bearer test-key"


def test_it_maps_portrait_and_1024p_to_sora_sizes(fake, sora, mp4_bytes, webp_bytes):
    script_success(fake, mp4_bytes, webp_bytes)

    generate(sora, aspect_ratio="9:16", resolution="1024p", duration_seconds=12)

    assert fake.seen("POST", CREATE)[0].json["size"] == "1024x1792"
    assert fake.seen("POST", CREATE)[0].json["seconds"] == "12"


def test_it_honours_retry_after_ms_on_a_429(fake, sora, sleeps, mp4_bytes, webp_bytes):
    fake.on(
        "POST",
        CREATE,
        Reply(
            429,
            json=openai_error("rate_limit_exceeded", type_="requests"),
            headers={"retry-after-ms": "800", "retry-after": "1"},
        ),
    )
    script_success(fake, mp4_bytes, webp_bytes)

    assert generate(sora).data == mp4_bytes
    assert sleeps[0] == 0.8


def test_it_retries_a_500_then_succeeds(fake, sora, sleeps, mp4_bytes, webp_bytes):
    fake.on("POST", CREATE, Reply(500, json=openai_error("server_error", type_="server_error")))
    script_success(fake, mp4_bytes, webp_bytes)

    assert generate(sora).data == mp4_bytes
    assert len(fake.seen("POST", CREATE)) == 2


def test_it_retries_a_409(fake, sora, mp4_bytes, webp_bytes):
    fake.on("POST", CREATE, Reply(409, json=openai_error("conflict")))
    script_success(fake, mp4_bytes, webp_bytes)

    assert generate(sora).data == mp4_bytes


def test_it_never_retries_insufficient_quota(fake, sora, sleeps):
    fake.on(
        "POST",
        CREATE,
        Reply(
            429,
            json=openai_error(
                "insufficient_quota", "You exceeded your quota", "insufficient_quota"
            ),
        ),
    )

    with pytest.raises(QuotaExhausted, match="no quota left") as exhausted:
        generate(sora)

    assert exhausted.value.retryable is False
    assert len(fake.seen("POST", CREATE)) == 1 and sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_it_never_retries_client_errors(fake, sora, status):
    fake.on("POST", CREATE, Reply(status, json=openai_error("invalid_value", "bad size")))

    with pytest.raises(RequestRejected, match="bad size"):
        generate(sora)
    assert len(fake.seen("POST", CREATE)) == 1


def test_a_moderated_prompt_is_a_safety_block(fake, sora):
    fake.on(
        "POST",
        CREATE,
        Reply(400, json=openai_error("moderation_blocked", "Your request was blocked")),
    )

    with pytest.raises(SafetyBlocked) as blocked:
        generate(sora)
    assert blocked.value.reason == "moderation_blocked" and blocked.value.retryable is False


def test_a_failed_video_fails_clearly(fake, sora):
    fake.on("POST", CREATE, Reply(json=video("queued")))
    fake.on(
        "GET",
        POLL,
        Reply(json=video("failed", error={"code": "video_generation_failed", "message": "no"})),
    )

    with pytest.raises(GenerationFailed, match="the video failed: no") as failed:
        generate(sora)
    assert failed.value.retryable is False


def test_a_video_failed_by_moderation_is_a_safety_block(fake, sora):
    fake.on("POST", CREATE, Reply(json=video("queued")))
    fake.on(
        "GET",
        POLL,
        Reply(json=video("failed", error={"code": "moderation_blocked", "message": "policy"})),
    )

    with pytest.raises(SafetyBlocked, match="moderation"):
        generate(sora)


def test_a_download_failure_fails_clearly(fake, sora):
    fake.on("POST", CREATE, Reply(json=video("queued")))
    fake.on("GET", POLL, Reply(json=video("completed", 100)))
    fake.on("GET", CONTENT, Reply(404, json=openai_error("not_found", "Video content expired")))

    with pytest.raises(DownloadFailed, match="Video content expired"):
        generate(sora)


def test_a_missing_thumbnail_falls_back_to_a_frame_of_the_video(fake, sora, mp4_bytes):
    fake.on("POST", CREATE, Reply(json=video("queued")))
    fake.on("GET", POLL, Reply(json=video("completed", 100)))
    fake.on("GET", CONTENT, Reply(body=mp4_bytes, content_type="video/mp4"))
    fake.on("GET", THUMBNAIL, Reply(404, json=openai_error("not_found")))

    result = generate(sora)

    assert result.thumbnail_mime_type == "image/png"
    assert Image.open(io.BytesIO(result.thumbnail)).size == (64, 36)


def test_the_same_key_does_not_create_twice(fake, sora, mp4_bytes, webp_bytes):
    script_success(fake, mp4_bytes, webp_bytes)

    first = generate(sora)
    again = generate(sora)

    assert len(fake.seen("POST", CREATE)) == 1
    assert again.reused is True
    assert (again.data, again.thumbnail, again.thumbnail_mime_type) == (
        first.data,
        first.thumbnail,
        "image/webp",
    )


def test_sora_2_is_retired_unless_a_gateway_serves_it(fake, make_config, retry):
    official = make_config("sora", allowed_retired=())
    adapter = video_provider("sora", config=official, retry=retry)

    with pytest.raises(ModelRetired, match=r"retired on 2026-09-24.*MEDIA_ALLOW_RETIRED_MODELS"):
        generate(adapter)
    assert fake.requests == []
