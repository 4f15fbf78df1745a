"""Playbook fixtures. Runs go through the REAL media generation service (``media.services``):
every provider is simulated (real MP4s and PNGs made locally, stored under a temporary
MEDIA_ROOT, costs recorded in the cost core) unless a test points one at a local fake server
speaking its wire format (``veo_server``, ``text_server``)."""

import pytest

from playbooks.runner import execute_playbook_run
from playbooks.services import (
    install_playbook_template,
    seed_playbook_templates,
    start_playbook_run,
)
from tests.media.providers.fakes import FakeProvider, Reply
from tests.playbooks.helpers import make_shop

VEO_START = "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
GEMINI_TEXT = "/v1beta/models/gemini-3.5-flash:generateContent"


@pytest.fixture(autouse=True)
def simulated_providers(settings):
    """Whatever the environment says: no provider keys (simulate mode), no retired model
    allowed (files go to the temporary MEDIA_ROOT of tests/conftest.py)."""
    settings.MEDIA_PROVIDERS = {
        key: {**entry, "api_key": ""} for key, entry in settings.MEDIA_PROVIDERS.items()
    }
    settings.MEDIA_CAPTION_PROVIDER = "gemini-text"
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": [],
        "connect_timeout": 2,
        "read_timeout": 5,
        "max_attempts": 2,
        "backoff_base_ms": 1,
        "backoff_cap_seconds": 1,
        "max_retry_after_seconds": 1,
        "poll_interval_seconds": 0.02,
        "poll_timeout_seconds": 10,
    }
    settings.MEDIA_SLOT_WAIT_SECONDS = 0
    return settings


@pytest.fixture
def templates(db):
    result = seed_playbook_templates()
    assert result.success, result
    return result


@pytest.fixture
def run_now():
    """Execute a queued run in this process, as the worker does (real media service and text
    adapter)."""

    def _run(run_or_id):
        return execute_playbook_run(getattr(run_or_id, "pk", run_or_id))

    return _run


@pytest.fixture
def install(templates):
    from playbooks.models import Playbook

    def _install(template_id, org, **changes):
        installed = install_playbook_template(template_id=template_id, org_id=org.pk)
        playbook = Playbook.objects.select_related("template", "organisation").get(
            pk=installed.playbook_id
        )
        for name, value in changes.items():
            setattr(playbook, name, value)
        if changes:
            playbook.save()
        return playbook

    return _install


@pytest.fixture
def shop(org_a):
    return make_shop(org_a)


@pytest.fixture
def playbook(org_a, install):
    return install("weekly-deals-video", org_a)


@pytest.fixture
def run(playbook, shop, run_now):
    """A finished run of the Weekly Deals playbook (its content awaiting approval)."""
    return run_now(start_playbook_run(playbook=playbook, triggered_by="manual"))


@pytest.fixture
def fake_server():
    server = FakeProvider()
    yield server
    server.close()


def _with_key(settings, key: str, base_url: str) -> None:
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        key: {**settings.MEDIA_PROVIDERS[key], "api_key": "test-key", "base_url": base_url},
    }


@pytest.fixture
def veo_server(settings, fake_server):
    """Veo called for real (an API key) against the local fake server; script its replies."""
    _with_key(settings, "veo", fake_server.url + "/v1beta")
    return fake_server


@pytest.fixture
def text_server(settings, fake_server):
    """Captions from the Gemini text API (an API key) on the local fake server. ``reply(text)``
    scripts one answer; ``prompts()`` lists the prompts it was sent."""
    _with_key(settings, "gemini-text", fake_server.url + "/v1beta")

    class TextServer:
        server = fake_server

        @staticmethod
        def reply(text: str) -> None:
            fake_server.on("POST", GEMINI_TEXT, gemini_text_reply(text))

        @staticmethod
        def prompts() -> list[str]:
            return [
                seen.json["contents"][0]["parts"][0]["text"]
                for seen in fake_server.seen("POST", GEMINI_TEXT)
            ]

    return TextServer()


def gemini_text_reply(text: str) -> Reply:
    return Reply(
        json={
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP"}
            ],
            "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 20},
        }
    )
