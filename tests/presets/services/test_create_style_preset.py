import pytest

from bakedbot.errors import InvalidInput
from presets.domain import StylePresetData
from presets.models import StylePreset
from presets.selectors import get_style_preset
from presets.services import create_style_preset
from tests.presets.factories import make_preset, preset_input


def _refused(tenant_id: str, data: dict) -> dict[str, str]:
    with pytest.raises(InvalidInput) as refused:
        create_style_preset(tenant_id=tenant_id, data=data)
    return refused.value.errors


def test_it_creates_a_custom_preset_with_normalised_values(org_a):
    created = create_style_preset(
        tenant_id=org_a.pk,
        data=preset_input(name="  Summer drop ", tags=" Summer,  deals ,,summer"),
    )
    preset = get_style_preset(org_a.pk, created.id)
    assert created == preset
    assert preset.category == "custom"
    assert preset.tenant_id == org_a.pk
    assert preset.name == "Summer drop"
    assert preset.color_palette.primary == "#1F3A5F"
    assert preset.aspect_ratios == ("4:5", "1:1")
    assert preset.default_aspect_ratio == "4:5"
    assert preset.typography.font_family == "Playfair Display"
    assert preset.tags == ("summer", "deals")
    assert preset.usage_count == 0
    assert preset.is_public is False
    assert preset.created_at.tzinfo is not None


def test_it_fills_optional_fields_with_defaults(org_a):
    created = create_style_preset(
        tenant_id=org_a.pk,
        data={"name": "Bare", "style_prompt": "Flat colours.", "aspect_ratios": ["1:1"]},
    )
    preset = get_style_preset(org_a.pk, created.id)
    assert preset.negative_prompt == "" and preset.tags == ()
    assert preset.color_palette.primary.startswith("#")
    assert preset.typography.font_size == "medium"


def _too_long(n):
    return "x" * n


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Name is required."),
        ("name", "   ", "Name is required."),
        ("name", _too_long(81), "at most 80 characters"),
        ("name", 42, "must be text"),
        ("description", _too_long(501), "at most 500 characters"),
        ("style_prompt", "", "Style prompt is required."),
        ("style_prompt", _too_long(1001), "at most 1,000 characters (1,001 given)"),
        ("negative_prompt", _too_long(1001), "at most 1,000 characters"),
        ("aspect_ratios", [], "at least one aspect ratio"),
        ("aspect_ratios", ["3:2"], "“3:2” is not an aspect ratio"),
        ("aspect_ratios", "1:1", "must be a list"),
        ("primary_color", "#12345", "Primary colour must be a colour like #1F3A5F"),
        ("secondary_color", "red", "Secondary colour must be a colour"),
        ("accent_color", "#GGGGGG", "Accent colour must be a colour"),
        ("accent_color", None, "Accent colour must be a colour"),
        ("font_family", "", "Font family is required."),
        ("font_family", "Inter; color: red", "letters, digits, spaces and hyphens"),
        ("font_family", _too_long(61), "at most 60 characters"),
        ("font_size", "huge", "Font size must be one of: small, medium, large"),
        ("font_weight", "heavy", "Font weight must be one of: light, normal, bold"),
        ("tags", [f"tag{i}" for i in range(21)], "at most 20 tags (there are 21)"),
        ("tags", ["x" * 31], "longer than 30 characters"),
        ("tags", [1, 2], "list of words"),
        ("is_public", "yes", "true or false"),
        ("colour", "#FFFFFF", "Unknown field “colour”"),
    ],
)
def test_it_refuses_each_bad_input_naming_the_field(org_a, field, value, message):
    error = _refused(org_a.pk, preset_input(**{field: value}))
    assert list(error) == [field]
    assert message in error[field]
    assert not StylePreset.objects.exists()


@pytest.mark.parametrize("field", ["name", "style_prompt", "aspect_ratios"])
def test_it_requires_name_style_prompt_and_aspect_ratios(org_a, field):
    data = preset_input()
    del data[field]
    assert list(_refused(org_a.pk, data)) == [field]


def test_it_reports_every_bad_field_at_once(org_a):
    error = _refused(org_a.pk, preset_input(name="", primary_color="blue", aspect_ratios=[]))
    assert set(error) == {"name", "primary_color", "aspect_ratios"}


def test_it_accepts_the_limits_exactly(org_a):
    created = create_style_preset(
        tenant_id=org_a.pk,
        data=preset_input(
            name="n" * 80,
            style_prompt="s" * 1000,
            negative_prompt="n" * 1000,
            tags=[f"{i:02d}" + "t" * 28 for i in range(20)],
        ),
    )
    assert created.name == "n" * 80


def test_it_refuses_a_name_already_used_in_the_tenant_in_any_case(org_a):
    make_preset(org_a, name="Summer drop")
    error = _refused(org_a.pk, preset_input(name="SUMMER DROP"))
    assert error == {"name": "You already have a preset with this name."}
    assert StylePreset.objects.count() == 1


def test_it_allows_the_same_name_in_another_tenant(org_a, org_b):
    make_preset(org_a, name="Summer drop")
    created = create_style_preset(tenant_id=org_b.pk, data=preset_input(name="Summer drop"))
    assert created.tenant_id == org_b.pk


def test_it_refuses_the_name_of_a_built_in(org_a):
    error = _refused(org_a.pk, preset_input(name="luxury"))
    assert "built-in" in error["name"]


def test_it_refuses_an_unknown_tenant(db):
    error = _refused("org_missing", preset_input())
    assert error == {"tenant_id": "No such organisation."}
    assert not StylePreset.objects.exists()


def test_its_result_is_the_new_preset(org_a):
    result = create_style_preset(tenant_id=org_a.pk, data=preset_input())
    assert isinstance(result, StylePresetData)
    assert result.id == StylePreset.objects.get().pk


def test_it_takes_keyword_arguments_only(org_a):
    with pytest.raises(TypeError):
        create_style_preset(org_a.pk, preset_input())  # type: ignore[misc]
    assert not StylePreset.objects.exists()
