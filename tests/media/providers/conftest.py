import io
import random

import pytest
from PIL import Image

from media.providers import ProviderConfig
from media.providers.retry import RetryPolicy
from media.providers.video_tools import render_clip
from tests.media.providers.fakes import FakeProvider

# The clock the retry policy sees, so HTTP-date Retry-After values are exact.
FIXED_NOW = 1_800_000_000.0

MODELS = {
    "gemini-flash": "gemini-3.1-flash-image",
    "gemini-pro": "gemini-3-pro-image",
    "imagen": "imagen-4.0-generate-001",
    "veo": "veo-3.1-generate-preview",
    "sora": "sora-2",
    "gemini-text": "gemini-3.5-flash",
    "openai-text": "gpt-5-mini",
}
OPENAI_KEYS = {"sora", "openai-text"}
# Imagen and Sora are retired at Google and OpenAI; these tests play a gateway still serving them.
GATEWAY_MODELS = ("imagen-4.0-generate-001", "sora-2")


@pytest.fixture(autouse=True)
def _media_root(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fake():
    server = FakeProvider()
    yield server
    server.close()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def retry(sleeps):
    return RetryPolicy(
        max_attempts=4,
        base_delay=1.0,
        max_delay=8.0,
        max_retry_after=60.0,
        sleep=sleeps.append,
        rng=random.Random(7),
        clock=lambda: FIXED_NOW,
    )


@pytest.fixture
def make_config(fake):
    def make(key: str, **overrides) -> ProviderConfig:
        values = {
            "key": key,
            "model": MODELS[key],
            "base_url": fake.url + ("/v1" if key in OPENAI_KEYS else "/v1beta"),
            "api_key": "test-key",
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "poll_interval": 2.0,
            "poll_timeout": 60.0,
            "allowed_retired": GATEWAY_MODELS,
        }
        values.update(overrides)
        return ProviderConfig(**values)

    return make


@pytest.fixture(scope="session")
def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (64, 36), "#2a7f62").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="session")
def mp4_bytes(png_bytes):
    return render_clip(still_png=png_bytes, duration_seconds=4, width=64, height=36)
