import pytest

from bakedbot.errors import InvalidInput
from presets.domain import PresetNotFound
from presets.models import StylePreset
from presets.selectors import get_style_presets
from presets.services import delete_style_preset
from tests.presets.factories import make_preset


def test_it_deletes_a_custom_preset(org_a):
    preset_id = make_preset(org_a)
    assert delete_style_preset(tenant_id=org_a.pk, preset_id=preset_id) is None
    assert not StylePreset.objects.filter(pk=preset_id).exists()


def test_it_refuses_to_delete_a_built_in(org_a):
    with pytest.raises(InvalidInput) as refused:
        delete_style_preset(tenant_id=org_a.pk, preset_id="builtin-professional")
    assert "Built-in presets cannot be changed or deleted" in refused.value.errors["preset"]
    assert "builtin-professional" in {preset.id for preset in get_style_presets(org_a.pk)}


def test_it_refuses_another_tenants_preset(org_a, org_b):
    preset_id = make_preset(org_a)
    with pytest.raises(PresetNotFound) as refused:
        delete_style_preset(tenant_id=org_b.pk, preset_id=preset_id)
    assert str(refused.value) == "No such preset in your library."
    assert StylePreset.objects.filter(pk=preset_id).exists()
