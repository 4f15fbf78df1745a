"""The image tier map from the environment (``PLAYBOOKS_IMAGE_TIERS``), and the system check that
refuses a tier naming something the media service can't make."""

from django.conf import settings

from playbooks.checks import check_image_tiers
from tests.bakedbot.test_settings import _run_manage


def test_the_default_tiers_work_on_a_fresh_install():
    assert settings.PLAYBOOKS_IMAGE_TIERS == {
        "free": ("gemini-flash",),
        "paid": ("gemini-pro",),
        "super": ("imagen", "gemini-pro@4K"),
    }
    assert check_image_tiers(None) == []


def test_the_environment_sets_a_tier_s_preferences():
    result = _run_manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; print(s.PLAYBOOKS_IMAGE_TIERS)",
        DEBUG="1",
        PLAYBOOKS_IMAGE_TIERS="super=gemini-pro@2K, paid=gemini-flash|gemini-pro",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "{'free': ('gemini-flash',), 'paid': ('gemini-flash', 'gemini-pro'), "
        "'super': ('gemini-pro@2K',)}"
    )


def test_a_malformed_tier_stops_start_up_naming_the_variable():
    result = _run_manage("check", DEBUG="1", PLAYBOOKS_IMAGE_TIERS="ultra=gemini-pro")
    assert result.returncode != 0
    assert "PLAYBOOKS_IMAGE_TIERS must look like" in result.stderr


def test_the_check_names_a_provider_or_size_the_service_would_refuse(settings):
    settings.PLAYBOOKS_IMAGE_TIERS = {
        "free": ("dall-e",),
        "paid": ("gemini-flash@4K",),
        "super": ("veo", "gemini-pro@8K"),
    }
    errors = check_image_tiers(None)
    assert [error.id for error in errors] == ["playbooks.E001"] * 4
    messages = [error.msg for error in errors]
    assert messages[0] == (
        "PLAYBOOKS_IMAGE_TIERS: the free tier's “dall-e”: “dall-e” is not an image provider "
        "(choose one of gemini-flash, gemini-pro, imagen)."
    )
    assert "gemini-flash has no image size “4K” (its sizes: none)" in messages[1]
    assert "“veo” is not an image provider" in messages[2]
    assert "gemini-pro has no image size “8K” (its sizes: 1K, 2K, 4K)" in messages[3]
