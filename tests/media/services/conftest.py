"""Fixtures for the generation service: files in a temporary MEDIA_ROOT, providers simulated by
default or pointed at a scripted HTTP server on loopback, quick retry and poll settings."""

import base64
import itertools

import pytest

from costs.budgets import update_media_budget
from costs.models import BudgetHold
from media.jobs import hooks
from media.providers.video_tools import render_clip
from tests.media.providers import conftest as provider_fixtures
from tests.media.providers.fakes import FakeProvider, Reply

FLASH_PATH = "/v1beta/models/gemini-3.1-flash-image:generateContent"
VEO_START = "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"


@pytest.fixture(autouse=True)
def quick_settings(settings):
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "connect_timeout": 2,
        "read_timeout": 5,
        "max_attempts": 3,
        "backoff_base_ms": 1,
        "backoff_cap_seconds": 1,
        "max_retry_after_seconds": 2,
        "poll_interval_seconds": 0.02,
        "poll_timeout_seconds": 10,
    }
    settings.MEDIA_SLOT_WAIT_SECONDS = 0


@pytest.fixture
def fake():
    server = FakeProvider()
    yield server
    server.close()


@pytest.fixture
def real_provider(settings, fake):
    """Give a provider an API key and point it at the fake server: it is called for real."""

    def configure(key: str) -> FakeProvider:
        entry = settings.MEDIA_PROVIDERS[key]
        base = fake.url + ("/v1" if key == "sora" else "/v1beta")
        settings.MEDIA_PROVIDERS = {
            **settings.MEDIA_PROVIDERS,
            key: {**entry, "api_key": "test-key", "base_url": base},
        }
        return fake

    return configure


@pytest.fixture
def enqueued():
    """Job hand-offs to django-q2, kept instead of sent (the worker test sends them)."""
    with hooks.keep_deliveries() as kept:
        yield kept


@pytest.fixture
def set_budget():
    def _set(tenant_id: str, **updates):
        update_media_budget(tenant_id, updates)  # InvalidInput if the test asks for nonsense

    return _set


def holds(tenant_id: str) -> list[BudgetHold]:
    return list(BudgetHold.objects.filter(tenant_id=tenant_id).order_by("created_at"))


def image_reply(png: bytes, response_id: str = "resp-1") -> Reply:
    part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}
    return Reply(
        json={
            "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP"}],
            "responseId": response_id,
        }
    )


png_bytes = provider_fixtures.png_bytes


@pytest.fixture(scope="session")
def clip_bytes(png_bytes):
    """Real MP4 clips by length, as the fake Veo server hands them out."""
    return {
        seconds: render_clip(still_png=png_bytes, duration_seconds=seconds, width=64, height=36)
        for seconds in (4, 6, 8)
    }


def _veo_done(fake, name: str, download: str) -> Reply:
    """A finished Veo operation whose video is at ``download`` on the fake server."""
    done = {
        "generateVideoResponse": {"generatedSamples": [{"video": {"uri": fake.url + download}}]}
    }
    return Reply(json={"name": name, "done": True, "response": done})


def veo_start(fake, clip_bytes):
    """A start reply for the fake Veo server: each call gets its own operation, done at the
    second poll, whose download is a real MP4 of the requested clip length."""
    numbers = itertools.count()

    def start(seen):
        k = next(numbers)
        seconds = seen.json["parameters"]["durationSeconds"]
        name = f"models/veo-3.1-generate-preview/operations/op{k}"
        download = f"/v1beta/files/f{k}:download?alt=media"
        fake.on(
            "GET",
            f"/v1beta/{name}",
            Reply(json={"name": name, "done": False}),
            _veo_done(fake, name, download),
        )
        fake.on("GET", download, Reply(body=clip_bytes[seconds], content_type="video/mp4"))
        return Reply(json={"name": name})

    return start


def veo_second_clip_refused(fake, clip_bytes) -> None:
    """Script the fake Veo server for a video of two clips: the first (8 s) is made, the second's
    start is refused with a 400 no retry can fix."""
    name = "models/veo-3.1-generate-preview/operations/op0"
    download = "/v1beta/files/f0:download?alt=media"
    fake.on(
        "POST",
        VEO_START,
        Reply(json={"name": name}),
        Reply(400, json={"error": {"code": 400, "message": "no", "status": "INVALID_ARGUMENT"}}),
    )
    fake.on("GET", f"/v1beta/{name}", _veo_done(fake, name, download))
    fake.on("GET", download, Reply(body=clip_bytes[8], content_type="video/mp4"))
