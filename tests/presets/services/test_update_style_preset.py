import pytest

from bakedbot.errors import InvalidInput
from presets.builtins import BUILTINS_BY_ID
from presets.domain import PresetNotFound
from presets.selectors import get_style_preset
from presets.services import update_style_preset
from tests.presets.factories import make_preset


def test_it_changes_only_the_fields_given(org_a):
    preset_id = make_preset(org_a)
    before = get_style_preset(org_a.pk, preset_id)
    saved = update_style_preset(
        tenant_id=org_a.pk,
        preset_id=preset_id,
        updates={"name": "Autumn drop", "aspect_ratios": ["16:9"]},
    )
    after = get_style_preset(org_a.pk, preset_id)
    assert saved == after
    assert after.name == "Autumn drop"
    assert after.aspect_ratios == ("16:9",)
    assert after.style_prompt == before.style_prompt
    assert after.color_palette == before.color_palette
    assert after.updated_at > before.updated_at


def test_it_refuses_bad_input_and_writes_nothing(org_a):
    preset_id = make_preset(org_a)
    before = get_style_preset(org_a.pk, preset_id)
    with pytest.raises(InvalidInput) as refused:
        update_style_preset(
            tenant_id=org_a.pk,
            preset_id=preset_id,
            updates={"name": "Fine name", "accent_color": "#ABC"},
        )
    assert list(refused.value.errors) == ["accent_color"]
    assert get_style_preset(org_a.pk, preset_id) == before


def test_it_keeps_names_unique_but_allows_keeping_its_own(org_a):
    first = make_preset(org_a, name="First")
    make_preset(org_a, name="Second")
    assert (
        update_style_preset(tenant_id=org_a.pk, preset_id=first, updates={"name": "first"}).name
        == "first"
    )
    with pytest.raises(InvalidInput) as refused:
        update_style_preset(tenant_id=org_a.pk, preset_id=first, updates={"name": "SECOND"})
    assert "already have" in refused.value.errors["name"]


@pytest.mark.parametrize("preset_id", sorted(BUILTINS_BY_ID))
def test_it_refuses_to_change_a_built_in(org_a, preset_id):
    with pytest.raises(InvalidInput) as refused:
        update_style_preset(tenant_id=org_a.pk, preset_id=preset_id, updates={"name": "Mine now"})
    assert "Built-in presets cannot be changed" in refused.value.errors["preset"]
    assert get_style_preset(org_a.pk, preset_id).name == BUILTINS_BY_ID[preset_id].name


def test_it_refuses_another_tenants_preset(org_a, org_b):
    preset_id = make_preset(org_a, name="Alpha's")
    with pytest.raises(PresetNotFound) as refused:
        update_style_preset(tenant_id=org_b.pk, preset_id=preset_id, updates={"name": "Stolen"})
    assert str(refused.value) == "No such preset in your library."
    assert get_style_preset(org_a.pk, preset_id).name == "Alpha's"


@pytest.mark.parametrize("preset_id", ["preset_missing", "builtin-missing"])
def test_it_refuses_an_unknown_preset(org_a, preset_id):
    with pytest.raises(PresetNotFound) as refused:
        update_style_preset(tenant_id=org_a.pk, preset_id=preset_id, updates={"name": "x"})
    assert str(refused.value) == "No such preset in your library."
