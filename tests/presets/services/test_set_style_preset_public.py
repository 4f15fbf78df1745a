import pytest

from bakedbot.errors import InvalidInput
from presets.domain import PresetNotFound
from presets.selectors import get_published_presets, get_style_preset
from presets.services import set_style_preset_public
from tests.presets.factories import make_preset


def test_it_publishes_and_withdraws_a_preset(org_a, org_b):
    preset_id = make_preset(org_a)
    assert get_published_presets(org_b.pk) == []
    published = set_style_preset_public(tenant_id=org_a.pk, preset_id=preset_id, public=True)
    assert published.is_public is True
    [entry] = get_published_presets(org_b.pk)
    assert entry.preset.id == preset_id and entry.publisher_name == org_a.name
    assert not entry.in_my_library
    assert get_published_presets(org_a.pk) == []  # one's own presets are in one's library
    set_style_preset_public(tenant_id=org_a.pk, preset_id=preset_id, public=False)
    assert get_published_presets(org_b.pk) == []


def test_it_refuses_to_publish_a_built_in_or_another_tenants_preset(org_a, org_b):
    preset_id = make_preset(org_a)
    with pytest.raises(PresetNotFound):
        set_style_preset_public(tenant_id=org_b.pk, preset_id=preset_id, public=True)
    with pytest.raises(InvalidInput):
        set_style_preset_public(tenant_id=org_a.pk, preset_id="builtin-modern", public=True)
    assert get_style_preset(org_a.pk, preset_id).is_public is False
