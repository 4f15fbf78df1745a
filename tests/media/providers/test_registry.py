"""The model registry (retirement dates as data) and the provider information the UI reads."""

from datetime import date

import pytest

from media.providers import (
    PROVIDERS,
    InvalidRequest,
    ModelRetired,
    image_provider,
    list_providers,
    model_lifecycle,
    model_retired_on,
    provider_info,
)
from media.providers.registry import MODEL_LIFECYCLE, model_check_available


@pytest.mark.parametrize(
    ("model", "retired_on"),
    [
        ("gemini-2.5-flash-image", date(2026, 10, 2)),
        ("models/gemini-3-pro-image-preview", date(2026, 6, 25)),
        ("imagen-4.0-fast-generate-001", date(2026, 8, 17)),
        ("imagen-4.0-ultra-generate-001", date(2026, 8, 17)),
        ("veo-3.0-generate-001", date(2026, 6, 30)),
        ("veo-3.0-fast-generate-001", date(2026, 6, 30)),
        ("sora-2", date(2026, 9, 24)),
        ("sora-2-pro", date(2026, 9, 24)),
        ("gemini-3-pro-image", None),
        ("veo-3.1-generate-preview", None),
        ("a-model-we-never-heard-of", None),
    ],
)
def test_it_knows_when_models_retire(model, retired_on):
    assert model_retired_on(model) == retired_on


def test_an_exact_row_wins_over_a_family_pattern():
    assert model_lifecycle("gemini-3-pro-image").pattern == "gemini-3-pro-image"
    assert model_lifecycle("veo-3.0-fast-generate-001").pattern == "veo-3.0-*"


def test_a_model_works_until_its_retirement_day():
    model_check_available(provider="veo", model="veo-3.0-generate-001", today=date(2026, 6, 29))

    with pytest.raises(ModelRetired) as retired:
        model_check_available(provider="veo", model="veo-3.0-generate-001", today=date(2026, 6, 30))

    assert str(retired.value) == (
        "veo: model veo-3.0-generate-001 was retired on 2026-06-30; use veo-3.1-generate-preview "
        "instead. Set another model id for veo in the settings, or list veo-3.0-generate-001 in "
        "MEDIA_ALLOW_RETIRED_MODELS if a gateway still serves it"
    )
    assert retired.value.replacement == "veo-3.1-generate-preview"
    assert retired.value.retryable is False


def test_a_gateway_may_keep_serving_a_retired_model():
    model_check_available(
        provider="sora", model="sora-2", allowed_retired=("sora-2",), today=date(2027, 1, 1)
    )


def test_the_registry_keeps_its_history():
    # Rows are never deleted: historical events name these models.
    patterns = {row.pattern for row in MODEL_LIFECYCLE}
    assert {"gemini-2.5-flash-image", "imagen-4.0-*", "veo-3.0-*", "sora-2*"} <= patterns


def test_provider_info_reports_retirement_for_the_ui(settings):
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": [],
    }

    imagen = provider_info("imagen")
    veo = provider_info("veo")

    assert imagen.available is False and imagen.retired_on == date(2026, 8, 17)
    assert "MEDIA_ALLOW_RETIRED_MODELS" in imagen.unavailable_reason
    assert veo.available is True and veo.clip_seconds == (4, 6, 8)
    assert veo.aspect_ratios == ("16:9", "9:16") and veo.kind == "video"


def test_provider_info_offers_the_sizes_and_resolutions_the_configured_model_is_priced_at(
    settings,
):
    assert provider_info("gemini-pro").image_sizes == ("1K", "2K", "4K")
    assert provider_info("veo").resolutions == ("720p", "1080p", "4k")
    # Sora's API makes 1024p with its pro models only: sora-2 is priced (and offered) at 720p.
    assert provider_info("sora").model == "sora-2"
    assert provider_info("sora").resolutions == ("720p",)
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "sora": {**settings.MEDIA_PROVIDERS["sora"], "model": "sora-2-pro"},
    }
    assert provider_info("sora").resolutions == ("720p", "1024p")


def test_list_providers_filters_by_kind():
    assert [info.key for info in list_providers("image")] == [
        "gemini-flash",
        "gemini-pro",
        "imagen",
    ]
    assert [info.key for info in list_providers()] == list(PROVIDERS)


def test_unknown_or_mismatched_provider_keys_are_refused():
    with pytest.raises(InvalidRequest, match="unknown provider 'dall-e'") as unknown:
        image_provider("dall-e")
    assert unknown.value.field == "provider"
    with pytest.raises(InvalidRequest, match="veo is a video provider"):
        image_provider("veo")
