import pytest

from presets.domain import PresetNotFound
from presets.models import StylePreset
from presets.selectors import get_published_presets, get_style_preset
from presets.services import (
    copy_style_preset,
    track_preset_usage,
    update_style_preset,
)
from tests.presets.factories import make_preset, make_published_preset


def _copy(tenant, source_id: str) -> str:
    return copy_style_preset(tenant_id=tenant.pk, source_id=source_id).id


def test_it_copies_a_published_preset_into_an_independent_private_preset(org_a, org_b):
    source_id = make_published_preset(org_a, name="Alpha glow")
    track_preset_usage(tenant_id=org_a.pk, preset_id=source_id)
    copied = copy_style_preset(tenant_id=org_b.pk, source_id=source_id)
    copy = get_style_preset(org_b.pk, copied.id)
    assert copied == copy
    source = get_style_preset(org_a.pk, source_id)
    assert copy.id != source.id and copy.tenant_id == org_b.pk
    assert copy.name == "Alpha glow"
    assert (copy.style_prompt, copy.color_palette, copy.typography, copy.tags) == (
        source.style_prompt,
        source.color_palette,
        source.typography,
        source.tags,
    )
    assert copy.is_public is False and copy.usage_count == 0
    assert get_published_presets(org_b.pk)[0].in_my_library

    changed = update_style_preset(
        tenant_id=org_b.pk, preset_id=copy.id, updates={"style_prompt": "Changed by Beta."}
    )
    assert changed.style_prompt == "Changed by Beta."
    assert get_style_preset(org_a.pk, source_id).style_prompt == source.style_prompt
    renamed = update_style_preset(
        tenant_id=org_a.pk, preset_id=source_id, updates={"name": "Alpha glow 2"}
    )
    assert renamed.name == "Alpha glow 2"
    assert get_style_preset(org_b.pk, copy.id).name == "Alpha glow"


def test_it_makes_a_copy_that_survives_its_source(org_a, org_b):
    source_id = make_published_preset(org_a)
    copy_id = _copy(org_b, source_id)
    StylePreset.objects.filter(pk=source_id).delete()
    assert get_style_preset(org_b.pk, copy_id).name == "Summer drop"


def test_it_refuses_to_copy_another_tenants_private_preset(org_a, org_b):
    source_id = make_preset(org_a)
    with pytest.raises(PresetNotFound) as refused:
        copy_style_preset(tenant_id=org_b.pk, source_id=source_id)
    assert str(refused.value) == "No such preset to copy."
    assert not StylePreset.objects.filter(tenant=org_b).exists()


def test_it_gives_the_copy_a_free_name(org_a, org_b):
    source_id = make_published_preset(org_a, name="Glow")
    make_preset(org_b, name="Glow")
    names = [copy_style_preset(tenant_id=org_b.pk, source_id=source_id).name for _ in range(2)]
    assert names == ["Glow (copy)", "Glow (copy 2)"]


def test_it_keeps_a_long_copy_name_within_80_characters(org_a):
    source_id = make_preset(org_a, name="n" * 80)
    copy_id = _copy(org_a, source_id)
    name = get_style_preset(org_a.pk, copy_id).name
    assert len(name) == 80 and name.endswith(" (copy)")


def test_it_copies_a_built_in_to_customise_it(org_a):
    copy_id = _copy(org_a, "builtin-vintage")
    copy = get_style_preset(org_a.pk, copy_id)
    assert copy.category == "custom" and copy.name == "Vintage (copy)"
    assert update_style_preset(
        tenant_id=org_a.pk, preset_id=copy_id, updates={"tags": ["mine"]}
    ).tags == ("mine",)
    assert get_style_preset(org_a.pk, "builtin-vintage").tags == ("retro", "film", "warm")
