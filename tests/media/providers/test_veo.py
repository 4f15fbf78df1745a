"""Veo predictLongRunning adapter: start, poll the operation, download (following redirects)."""

import io

import pytest
from PIL import Image

from media.models import ProviderCall
from media.providers import (
    BadResponse,
    DownloadFailed,
    GenerationFailed,
    InvalidRequest,
    ProviderUnavailable,
    SafetyBlocked,
    video_provider,
)
from tests.media.providers.fakes import FakeProvider, Reply, google_error, retry_info

START = "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
OPERATION = "models/veo-3.1-generate-preview/operations/op1"
POLL = f"/v1beta/{OPERATION}"
FILE = "/v1beta/files/xyz:download?alt=media"


def started(name=OPERATION) -> Reply:
    return Reply(json={"name": name})


def running(done_field=True) -> Reply:
    return Reply(json={"name": OPERATION, "done": False} if done_field else {"name": OPERATION})


def finished(uri: str) -> Reply:
    return Reply(
        json={
            "name": OPERATION,
            "done": True,
            "response": {
                "generateVideoResponse": {
                    "generatedSamples": [{"video": {"uri": uri}}],
                    "raiMediaFilteredCount": 0,
                    "raiMediaFilteredReasons": [],
                }
            },
        }
    )


@pytest.fixture
def veo(make_config, retry):
    return video_provider("veo", config=make_config("veo"), retry=retry)


@pytest.fixture
def storage():
    server = FakeProvider()
    yield server
    server.close()


def generate(adapter, key="job-7:clip:1", **overrides):
    values = {
        "prompt": "drone shot over a skyline",
        "duration_seconds": 8,
        "aspect_ratio": "9:16",
        "idempotency_key": key,
    }
    values.update(overrides)
    return adapter.generate_video(**values)


def test_it_starts_polls_and_downloads_the_video(fake, veo, sleeps, mp4_bytes):
    fake.on("POST", START, started())
    fake.on("GET", POLL, running(done_field=False), running(), finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=mp4_bytes, content_type="video/mp4"))
    progress = []

    result = generate(veo, negative_prompt="text", on_progress=progress.append)

    (start,) = fake.seen("POST", START)
    assert start.headers["x-goog-api-key"] == "test-key"
    assert start.json == {
        "instances": [{"prompt": "drone shot over a skyline"}],
        "parameters": {
            "aspectRatio": "9:16",
            "durationSeconds": 8,
            "resolution": "720p",
            "negativePrompt": "text",
        },
    }
    assert all(r.headers["x-goog-api-key"] == "test-key" for r in fake.seen("GET", POLL))
    assert sleeps == [2.0, 2.0]
    assert progress == [None, None, 100]
    assert result.data == mp4_bytes and result.mime_type == "video/mp4"
    assert Image.open(io.BytesIO(result.thumbnail)).format == "PNG"
    assert (result.duration_seconds, result.aspect_ratio, result.resolution) == (8, "9:16", "720p")
    assert result.provider_request_id == OPERATION
    assert result.simulated is False and result.reused is False


def test_it_follows_a_redirect_without_sending_the_key_elsewhere(fake, storage, veo, mp4_bytes):
    fake.on("POST", START, started())
    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(302, headers={"location": storage.url + "/bucket/video.mp4"}))
    storage.on("GET", "/bucket/video.mp4", Reply(body=mp4_bytes, content_type="video/mp4"))

    result = generate(veo)

    assert result.data == mp4_bytes
    assert fake.seen("GET", FILE)[0].headers["x-goog-api-key"] == "test-key"
    assert "x-goog-api-key" not in storage.seen("GET", "/bucket/video.mp4")[0].headers


def test_it_waits_for_retry_info_when_the_start_is_rate_limited(fake, veo, sleeps, mp4_bytes):
    fake.on(
        "POST",
        START,
        Reply(429, json=google_error(429, "RESOURCE_EXHAUSTED", details=[retry_info("12.5s")])),
        started(),
    )
    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=mp4_bytes))

    assert generate(veo).data == mp4_bytes
    assert sleeps == [12.5]


def test_it_retries_a_500_and_a_timeout_on_start(fake, make_config, retry, sleeps, mp4_bytes):
    adapter = video_provider("veo", config=make_config("veo", read_timeout=0.3), retry=retry)
    fake.on(
        "POST", START, Reply(500, json=google_error(500, "INTERNAL")), Reply(delay=30), started()
    )
    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=mp4_bytes))

    assert generate(adapter).data == mp4_bytes
    assert len(fake.seen("POST", START)) == 3 and len(sleeps) == 2


def test_it_does_not_repeat_a_start_answered_with_malformed_json(fake, veo):
    fake.on("POST", START, Reply(body=b"<html>oops</html>", content_type="text/html"))

    with pytest.raises(BadResponse):
        generate(veo)
    assert len(fake.seen("POST", START)) == 1


def test_it_retries_a_malformed_poll(fake, veo, mp4_bytes):
    fake.on("POST", START, started())
    fake.on("GET", POLL, Reply(body=b"{not json"), finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=mp4_bytes))

    assert generate(veo).data == mp4_bytes
    assert len(fake.seen("GET", POLL)) == 2


def test_it_fails_an_operation_that_ended_in_error(fake, veo):
    fake.on("POST", START, started())
    fake.on(
        "GET",
        POLL,
        Reply(
            json={
                "name": OPERATION,
                "done": True,
                "error": {"code": 3, "message": "bad prompt", "status": "INVALID_ARGUMENT"},
            }
        ),
    )

    with pytest.raises(GenerationFailed, match="bad prompt") as failed:
        generate(veo)
    assert failed.value.retryable is False and failed.value.code == "INVALID_ARGUMENT"


def test_a_retry_after_a_retryable_operation_error_starts_a_new_operation(fake, veo, mp4_bytes):
    fake.on("POST", START, started(), started("models/veo-3.1-generate-preview/operations/op2"))
    fake.on(
        "GET",
        POLL,
        Reply(json={"name": OPERATION, "done": True, "error": {"code": 14, "message": "busy"}}),
    )
    op2 = "/v1beta/models/veo-3.1-generate-preview/operations/op2"
    fake.on("GET", op2, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=mp4_bytes))

    with pytest.raises(GenerationFailed) as failed:
        generate(veo)
    assert failed.value.retryable is True
    result = generate(veo)

    assert result.data == mp4_bytes
    assert result.provider_request_id == "models/veo-3.1-generate-preview/operations/op2"
    assert len(fake.seen("POST", START)) == 2


def test_it_fails_a_filtered_video_clearly(fake, veo):
    fake.on("POST", START, started())
    filtered = {
        "generatedSamples": [],
        "raiMediaFilteredCount": 1,
        "raiMediaFilteredReasons": ["The video violates the usage guidelines."],
    }
    fake.on(
        "GET",
        POLL,
        Reply(json={"done": True, "response": {"generateVideoResponse": filtered}}),
    )

    with pytest.raises(SafetyBlocked, match="violates the usage guidelines") as blocked:
        generate(veo)
    assert blocked.value.retryable is False
    with pytest.raises(SafetyBlocked, match="not called again"):
        generate(veo)
    assert len(fake.seen("POST", START)) == 1


def test_a_download_404_fails_clearly(fake, veo):
    fake.on("POST", START, started())
    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(404, json=google_error(404, "NOT_FOUND", "file expired")))

    with pytest.raises(DownloadFailed, match="file expired") as failed:
        generate(veo)
    assert failed.value.retryable is False and len(fake.seen("GET", FILE)) == 1


def test_a_download_503_is_retried(fake, veo, sleeps, mp4_bytes):
    fake.on("POST", START, started())
    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(503), Reply(body=mp4_bytes))

    assert generate(veo).data == mp4_bytes
    assert len(sleeps) == 1


def test_a_download_that_is_not_a_video_fails(fake, veo):
    fake.on("POST", START, started())
    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=b"<html>sign in</html>", content_type="text/html"))

    with pytest.raises(DownloadFailed, match="not an MP4"):
        generate(veo)


def test_a_poll_timeout_keeps_the_operation_for_the_next_attempt(
    fake, make_config, retry, sleeps, mp4_bytes
):
    adapter = video_provider("veo", config=make_config("veo", poll_timeout=5), retry=retry)
    fake.on("POST", START, started())
    fake.on("GET", POLL, running(), running(), running())

    with pytest.raises(ProviderUnavailable, match="still running") as waiting:
        generate(adapter)
    assert waiting.value.retryable is True
    assert ProviderCall.objects.get().handle == OPERATION

    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=mp4_bytes))
    result = generate(adapter)

    assert result.data == mp4_bytes and result.reused is False
    assert len(fake.seen("POST", START)) == 1


def test_the_same_key_again_costs_nothing(fake, veo, mp4_bytes):
    fake.on("POST", START, started())
    fake.on("GET", POLL, finished(fake.url + FILE))
    fake.on("GET", FILE, Reply(body=mp4_bytes))
    first = generate(veo)
    requests_before = len(fake.requests)

    again = generate(veo)

    assert len(fake.requests) == requests_before
    assert again.reused is True
    assert (again.data, again.thumbnail) == (first.data, first.thumbnail)
    assert again.provider_request_id == OPERATION


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"duration_seconds": 5}, "duration_seconds"),
        ({"aspect_ratio": "1:1"}, "aspect_ratio"),
        ({"resolution": "8k"}, "resolution"),
        ({"duration_seconds": 8.0}, "duration_seconds"),
        ({"idempotency_key": "k" * 201}, "idempotency_key"),
    ],
)
def test_it_refuses_parameters_veo_does_not_take(fake, veo, overrides, field):
    with pytest.raises(InvalidRequest) as refused:
        generate(veo, **overrides)
    assert refused.value.field == field and fake.requests == []
