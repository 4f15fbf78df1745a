"""Bad requests are refused before anything is held, sent or written, with every bad field
named."""

import pytest

from bakedbot.errors import InvalidInput
from costs.models import BudgetHold
from costs.selectors import get_recent_media_events
from media.models import GenerationJob
from media.services import generate_image, generate_video, queue_video_generation
from presets.domain import PresetNotFound
from presets.services import create_style_preset

pytestmark = pytest.mark.django_db


def _refused(call, **kwargs) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        call(**kwargs)
    return refused.value.errors


def _image(org, **overrides):
    values = {"provider": "gemini-flash", "prompt": "A cat", "aspect_ratio": "1:1"}
    values.update(overrides)
    return lambda: generate_image(org.pk, None, **values)


def _video(org, **overrides):
    values = {"provider": "veo", "prompt": "A cat", "aspect_ratio": "16:9", "duration_seconds": 8}
    values.update(overrides)
    return lambda: generate_video(org.pk, None, **values)


def _nothing_written(org):
    assert GenerationJob.objects.count() == 0
    assert BudgetHold.objects.count() == 0
    assert get_recent_media_events(org.pk) == []


@pytest.mark.parametrize(
    ("prompt", "message"),
    [
        ("", "Enter a prompt."),
        ("   \n\t ", "Enter a prompt."),
        ("x" * 4001, "The prompt is 4,001 characters long; the limit is 4,000."),
        (None, "Enter a prompt."),
    ],
)
def test_the_prompt_must_be_1_to_4000_characters_after_trimming(org_a, prompt, message):
    assert _refused(_image(org_a, prompt=prompt)) == {"prompt": message}
    _nothing_written(org_a)


def test_a_4000_character_prompt_with_spaces_around_it_is_fine(org_a):
    result = _image(org_a, prompt="  " + "x" * 4000 + "  ")()
    assert result.tracking_event.success


@pytest.mark.parametrize("duration", [0, -4, 301, 10.5, "10", True, None])
def test_the_duration_must_be_a_whole_number_of_seconds_from_1_to_300(org_a, duration):
    errors = _refused(_video(org_a, duration_seconds=duration))
    assert errors == {
        "duration_seconds": "The duration must be a whole number of seconds from 1 to 300."
    }
    _nothing_written(org_a)


def test_the_aspect_ratio_must_be_one_the_provider_makes(org_a):
    errors = _refused(_video(org_a, aspect_ratio="4:3"))
    assert errors == {
        "aspect_ratio": "Veo makes 16:9, 9:16, 1:1 videos (1:1 is cropped from the centre of a "
        "16:9 video); 4:3 is not one of them."
    }
    assert _refused(_image(org_a, provider="imagen", aspect_ratio="4:5")) == {
        "provider": _refused(_image(org_a, provider="imagen"))["provider"],
        "aspect_ratio": "Imagen makes 1:1, 3:4, 4:3, 16:9, 9:16 images; 4:5 is not one of them.",
    }
    assert _image(org_a, aspect_ratio="21:9")().tracking_event.success


def test_the_size_or_resolution_must_be_one_the_provider_offers(org_a, settings):
    assert _refused(_image(org_a, provider="gemini-pro", image_size="8K")) == {
        "image_size": "Choose an image size Gemini Pro Image makes: 1K, 2K, 4K."
    }
    assert _refused(_image(org_a, image_size="4K")) == {
        "image_size": "Gemini Flash Image has no image size to choose: leave the image size out."
    }
    assert _refused(_video(org_a, resolution="1024p")) == {
        "resolution": "Choose a resolution Veo makes: 720p, 1080p, 4k."
    }
    # Sora's API offers 1024p (its pro models); the configured sora-2 is priced at 720p only,
    # so that is all it offers.
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "allow_retired_models": ["sora-2"],
    }
    assert _refused(_video(org_a, provider="sora", resolution="1024p")) == {
        "resolution": "Choose a resolution Sora makes: 720p."
    }
    _nothing_written(org_a)


@pytest.mark.parametrize(
    ("call", "provider", "expected"),
    [
        (_image, "dall-e", "Choose one of the image providers: gemini-flash, gemini-pro, imagen."),
        (_image, "veo", "Choose one of the image providers: gemini-flash, gemini-pro, imagen."),
        (_video, "gemini-flash", "Choose one of the video providers: veo, sora."),
    ],
)
def test_the_provider_must_make_that_kind_of_media(org_a, call, provider, expected):
    assert _refused(call(org_a, provider=provider))["provider"] == expected


def test_a_retired_model_is_refused_with_the_reason(org_a):
    errors = _refused(_image(org_a, provider="imagen"))
    assert "retired on 2026-08-17" in errors["provider"]
    assert "retired on 2026-09-24" in _refused(_video(org_a, provider="sora"))["provider"]
    _nothing_written(org_a)


def test_simulate_false_needs_an_api_key(org_a):
    errors = _refused(_image(org_a, simulate=False))
    assert errors == {
        "simulate": "Gemini Flash Image has no API key configured, so it can only run in "
        "simulate mode."
    }


def test_every_bad_field_is_named_at_once(org_a):
    errors = _refused(
        lambda: queue_video_generation(
            org_a.pk, None, provider="veo", prompt="", aspect_ratio="4:3", duration_seconds=999
        )
    )
    assert set(errors) == {"prompt", "aspect_ratio", "duration_seconds"}
    with pytest.raises(InvalidInput) as refused:
        _image(org_a, prompt="", aspect_ratio="7:1")()
    assert refused.value.field == "prompt"
    assert str(refused.value).startswith("prompt: Enter a prompt.; aspect_ratio: ")
    _nothing_written(org_a)


def test_another_tenants_preset_is_not_found(org_a, org_b):
    created = create_style_preset(
        tenant_id=org_b.pk,
        data={"name": "Beta look", "style_prompt": "Teal", "aspect_ratios": ["1:1"]},
    )
    assert created.tenant_id == org_b.pk
    with pytest.raises(PresetNotFound):
        _image(org_a, preset_id=created.id)()
    _nothing_written(org_a)
