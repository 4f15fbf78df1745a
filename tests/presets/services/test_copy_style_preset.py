from presets.models import StylePreset
from presets.selectors import get_published_presets, get_style_preset
from presets.services import (
    copy_style_preset,
    set_style_preset_public,
    track_preset_usage,
    update_style_preset,
)
from tests.presets.factories import make_preset


def _published(tenant, **overrides) -> str:
    preset_id = make_preset(tenant, **overrides)
    assert set_style_preset_public(tenant.pk, preset_id, public=True).success
    return preset_id


def test_it_publishes_and_withdraws_a_preset(org_a, org_b):
    preset_id = make_preset(org_a)
    assert get_published_presets(org_b.pk) == []
    set_style_preset_public(org_a.pk, preset_id, public=True)
    [entry] = get_published_presets(org_b.pk)
    assert entry.preset.id == preset_id and entry.publisher_name == org_a.name
    assert not entry.in_my_library
    assert get_published_presets(org_a.pk) == []  # one's own presets are in one's library
    set_style_preset_public(org_a.pk, preset_id, public=False)
    assert get_published_presets(org_b.pk) == []


def test_it_refuses_to_publish_a_built_in_or_another_tenants_preset(org_a, org_b):
    preset_id = make_preset(org_a)
    assert not set_style_preset_public(org_b.pk, preset_id, public=True).success
    assert not set_style_preset_public(org_a.pk, "builtin-modern", public=True).success
    assert get_style_preset(org_a.pk, preset_id).is_public is False


def test_it_copies_a_published_preset_into_an_independent_private_preset(org_a, org_b):
    source_id = _published(org_a, name="Alpha glow")
    track_preset_usage(org_a.pk, source_id)
    success, copy_id, error = copy_style_preset(org_b.pk, source_id)
    assert success, error
    copy = get_style_preset(org_b.pk, copy_id)
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

    assert update_style_preset(org_b.pk, copy_id, {"style_prompt": "Changed by Beta."}).success
    assert get_style_preset(org_a.pk, source_id).style_prompt == source.style_prompt
    assert update_style_preset(org_a.pk, source_id, {"name": "Alpha glow 2"}).success
    assert get_style_preset(org_b.pk, copy_id).name == "Alpha glow"


def test_the_copy_survives_its_source(org_a, org_b):
    source_id = _published(org_a)
    _, copy_id, _ = copy_style_preset(org_b.pk, source_id)
    StylePreset.objects.filter(pk=source_id).delete()
    assert get_style_preset(org_b.pk, copy_id).name == "Summer drop"


def test_it_refuses_to_copy_another_tenants_private_preset(org_a, org_b):
    source_id = make_preset(org_a)
    success, copy_id, error = copy_style_preset(org_b.pk, source_id)
    assert (success, copy_id) == (False, None)
    assert error == {"preset": "No such preset to copy."}
    assert not StylePreset.objects.filter(tenant=org_b).exists()


def test_it_gives_the_copy_a_free_name(org_a, org_b):
    source_id = _published(org_a, name="Glow")
    make_preset(org_b, name="Glow")
    names = [
        get_style_preset(org_b.pk, copy_style_preset(org_b.pk, source_id).preset_id).name
        for _ in range(2)
    ]
    assert names == ["Glow (copy)", "Glow (copy 2)"]


def test_it_keeps_a_long_copy_name_within_80_characters(org_a):
    source_id = make_preset(org_a, name="n" * 80)
    _, copy_id, _ = copy_style_preset(org_a.pk, source_id)
    name = get_style_preset(org_a.pk, copy_id).name
    assert len(name) == 80 and name.endswith(" (copy)")


def test_it_copies_a_built_in_to_customise_it(org_a):
    success, copy_id, _ = copy_style_preset(org_a.pk, "builtin-vintage")
    assert success
    copy = get_style_preset(org_a.pk, copy_id)
    assert copy.category == "custom" and copy.name == "Vintage (copy)"
    assert update_style_preset(org_a.pk, copy_id, {"tags": ["mine"]}).success
    assert get_style_preset(org_a.pk, "builtin-vintage").tags == ("retro", "film", "warm")
