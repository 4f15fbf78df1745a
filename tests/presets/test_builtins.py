import dataclasses

import pytest

from presets.builtins import BUILTIN_PRESETS
from presets.selectors import get_style_preset, get_style_presets, preset_input_from_data
from presets.validation import check_preset_input

ORIGINAL_STYLES = ["professional", "playful", "modern", "vintage", "luxury"]


def test_it_defines_the_original_styles_and_cannabis_retail_ones_with_stable_ids():
    ids = [preset.id for preset in BUILTIN_PRESETS]
    assert ids[:5] == [f"builtin-{style}" for style in ORIGINAL_STYLES]
    assert len(ids) == len(set(ids)) >= 8
    assert sum("cannabis" in preset.tags for preset in BUILTIN_PRESETS) >= 3
    assert all(
        preset.category == "built-in" and preset.tenant_id is None for preset in BUILTIN_PRESETS
    )


@pytest.mark.parametrize("preset", BUILTIN_PRESETS, ids=lambda preset: preset.id)
def test_it_passes_each_built_in_through_the_validation_of_custom_presets(preset):
    cleaned, errors = check_preset_input(preset_input_from_data(preset), partial=False)
    assert errors.errors == {}
    assert cleaned["aspect_ratios"] == list(preset.aspect_ratios)


def test_it_makes_built_ins_immutable_objects():
    with pytest.raises(dataclasses.FrozenInstanceError):
        BUILTIN_PRESETS[0].name = "Changed"


def test_it_shows_every_tenant_the_built_ins(org_a, org_b):
    for org in (org_a, org_b):
        ids = {preset.id for preset in get_style_presets(org.pk)}
        assert {preset.id for preset in BUILTIN_PRESETS} <= ids
        assert get_style_preset(org.pk, "builtin-luxury").name == "Luxury"
