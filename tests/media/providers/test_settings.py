"""The provider settings read from the environment."""

import os
import subprocess

import pytest
from django.conf import settings

from media.providers import PROVIDERS, provider_config
from tests.bakedbot.test_settings import _run_manage


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Keys from the surrounding environment must not leak into the child's settings.
    cleared = {k: "" for k in os.environ if k.startswith(("GEMINI_", "OPENAI_"))}
    return _run_manage(*args, **{"DEBUG": "1", **cleared, **env})


def test_every_provider_key_has_settings():
    assert set(settings.MEDIA_PROVIDERS) == set(PROVIDERS)


def test_the_environment_sets_keys_urls_and_models():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.MEDIA_PROVIDERS['veo']); "
        "print(s.MEDIA_PROVIDERS['sora']['model']); print(s.MEDIA_CAPTION_PROVIDER); "
        "print(s.MEDIA_PROVIDER_OPTIONS['read_timeout'])",
        GEMINI_API_KEY="g-key",
        GEMINI_BASE_URL="https://gateway.test/v1beta",
        VEO_MODEL="veo-3.1-fast-generate-preview",
        SORA_MODEL="sora-2-pro",
        CAPTION_PROVIDER="openai",
        MEDIA_READ_TIMEOUT="300",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "{'api_key': 'g-key', 'base_url': 'https://gateway.test/v1beta', "
        "'model': 'veo-3.1-fast-generate-preview'}",
        "sora-2-pro",
        "openai-text",
        "300",
    ]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GEMINI_BASE_URL": "generativelanguage.googleapis.com"}, "GEMINI_BASE_URL must be an"),
        ({"CAPTION_PROVIDER": "claude"}, "CAPTION_PROVIDER must be one of gemini, openai"),
        ({"MEDIA_MAX_ATTEMPTS": "0"}, "MEDIA_MAX_ATTEMPTS must be at least 1"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(env, message):
    result = _manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_without_keys_every_provider_is_simulated(settings):
    settings.MEDIA_PROVIDERS = {
        key: {**entry, "api_key": ""} for key, entry in settings.MEDIA_PROVIDERS.items()
    }

    assert all(provider_config(key).simulated for key in PROVIDERS)
    assert "api_key" not in repr(provider_config("veo"))
