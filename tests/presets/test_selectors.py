import pytest

from presets.domain import PresetNotFound
from presets.selectors import (
    get_preset_picker,
    get_preset_tags,
    get_published_preset,
    get_style_preset,
    get_style_presets,
    preview_style_preset,
)
from tests.presets.factories import make_preset, make_published_preset


def test_it_lists_own_custom_presets_by_name_then_the_built_ins(org_a, org_b):
    make_preset(org_a, name="Zest")
    make_preset(org_a, name="Amber")
    make_preset(org_b, name="Beta only")
    presets = get_style_presets(org_a.pk)
    assert [preset.name for preset in presets[:2]] == ["Amber", "Zest"]
    assert all(preset.category == "built-in" for preset in presets[2:])
    assert "Beta only" not in {preset.name for preset in presets}


def test_it_filters_by_category_tag_and_name(org_a):
    make_preset(org_a, name="Summer drop", tags=["summer", "cannabis"])
    make_preset(org_a, name="Winter", tags=["winter"])
    assert {p.name for p in get_style_presets(org_a.pk, category="custom")} == {
        "Summer drop",
        "Winter",
    }
    assert all(p.is_builtin for p in get_style_presets(org_a.pk, category="built-in"))
    tagged = {p.name for p in get_style_presets(org_a.pk, tag="Cannabis")}
    assert "Summer drop" in tagged and "Dispensary menu board" in tagged and "Winter" not in tagged
    assert [p.name for p in get_style_presets(org_a.pk, search="  DROP ")] == ["Summer drop"]
    assert [p.name for p in get_style_presets(org_a.pk, search="lux")] == ["Luxury"]
    assert get_style_presets(org_a.pk, category="custom", tag="cannabis", search="win") == []


def test_it_lists_the_tags_of_the_library(org_a, org_b):
    make_preset(org_a, tags=["zeta", "alpha"])
    make_preset(org_b, tags=["beta-secret"])
    tags = get_preset_tags(org_a.pk)
    assert tags == sorted(tags)
    assert {"zeta", "alpha", "cannabis", "retro"} <= set(tags)
    assert "beta-secret" not in tags


def test_it_answers_not_found_for_another_tenants_or_unknown_presets(org_a, org_b):
    preset_id = make_published_preset(org_a)
    for tenant_id, wanted in [(org_b.pk, preset_id), (org_a.pk, "nope"), (org_a.pk, "builtin-x")]:
        with pytest.raises(PresetNotFound):
            get_style_preset(tenant_id, wanted)
    assert get_published_preset(org_b.pk, preset_id).id == preset_id
    with pytest.raises(PresetNotFound):
        get_published_preset(org_a.pk, preset_id)


def test_it_builds_the_picker_context(org_a, org_b):
    mine = make_preset(org_a, name="Mine")
    theirs = make_preset(org_b, name="Theirs")
    picker = get_preset_picker(org_a.pk, selected_id=mine)
    assert picker.field_name == "preset_id"
    assert [option.preset.id for option in picker.custom] == [mine]
    assert picker.custom[0].selected and not picker.none_selected
    assert all(option.preset.is_builtin and not option.selected for option in picker.builtin)

    picker = get_preset_picker(org_a.pk, selected_id=theirs, field_name="style")
    assert picker.field_name == "style" and picker.none_selected
    assert not any(option.selected for option in picker.custom + picker.builtin)
    assert not get_preset_picker(org_a.pk, allow_none=False).none_selected


def test_its_preview_keeps_valid_fields_and_falls_back_for_the_rest(org_a):
    draft = preview_style_preset(
        {"name": "", "primary_color": "#00ff00", "accent_color": "oops", "aspect_ratios": []}
    )
    assert draft.name == "Untitled preset"
    assert draft.color_palette.primary == "#00FF00"
    assert draft.color_palette.accent == "#B7791F"
    assert draft.aspect_ratios == ("1:1",)
    base = get_style_preset(org_a.pk, make_preset(org_a))
    draft = preview_style_preset({"font_size": "small", "accent_color": "bad"}, base=base)
    assert draft.typography.font_size == "small"
    assert draft.color_palette.accent == base.color_palette.accent
    assert draft.name == base.name
