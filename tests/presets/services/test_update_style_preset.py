import pytest

from presets.builtins import BUILTINS_BY_ID
from presets.selectors import get_style_preset
from presets.services import update_style_preset
from tests.presets.factories import make_preset


def test_it_changes_only_the_fields_given(org_a):
    preset_id = make_preset(org_a)
    before = get_style_preset(org_a.pk, preset_id)
    success, error = update_style_preset(
        org_a.pk, preset_id, {"name": "Autumn drop", "aspect_ratios": ["16:9"]}
    )
    assert (success, error) == (True, None)
    after = get_style_preset(org_a.pk, preset_id)
    assert after.name == "Autumn drop"
    assert after.aspect_ratios == ("16:9",)
    assert after.style_prompt == before.style_prompt
    assert after.color_palette == before.color_palette
    assert after.updated_at > before.updated_at


def test_it_refuses_bad_input_and_writes_nothing(org_a):
    preset_id = make_preset(org_a)
    before = get_style_preset(org_a.pk, preset_id)
    success, error = update_style_preset(
        org_a.pk, preset_id, {"name": "Fine name", "accent_color": "#ABC"}
    )
    assert not success
    assert list(error) == ["accent_color"]
    assert get_style_preset(org_a.pk, preset_id) == before


def test_it_keeps_names_unique_but_allows_keeping_its_own(org_a):
    first = make_preset(org_a, name="First")
    make_preset(org_a, name="Second")
    assert update_style_preset(org_a.pk, first, {"name": "first"}).success
    success, error = update_style_preset(org_a.pk, first, {"name": "SECOND"})
    assert not success and "already have" in error["name"]


@pytest.mark.parametrize("preset_id", sorted(BUILTINS_BY_ID))
def test_it_refuses_to_change_a_built_in(org_a, preset_id):
    success, error = update_style_preset(org_a.pk, preset_id, {"name": "Mine now"})
    assert not success
    assert "Built-in presets cannot be changed" in error["preset"]
    assert get_style_preset(org_a.pk, preset_id).name == BUILTINS_BY_ID[preset_id].name


def test_it_refuses_another_tenants_preset(org_a, org_b):
    preset_id = make_preset(org_a, name="Alpha's")
    success, error = update_style_preset(org_b.pk, preset_id, {"name": "Stolen"})
    assert not success and error == {"preset": "No such preset in your library."}
    assert get_style_preset(org_a.pk, preset_id).name == "Alpha's"


@pytest.mark.parametrize("preset_id", ["preset_missing", "builtin-missing"])
def test_it_refuses_an_unknown_preset(org_a, preset_id):
    success, error = update_style_preset(org_a.pk, preset_id, {"name": "x"})
    assert not success and error == {"preset": "No such preset in your library."}
