from presets.models import StylePreset
from presets.selectors import get_style_presets
from presets.services import delete_style_preset
from tests.presets.factories import make_preset


def test_it_deletes_a_custom_preset(org_a):
    preset_id = make_preset(org_a)
    assert delete_style_preset(org_a.pk, preset_id) == (True, None)
    assert not StylePreset.objects.filter(pk=preset_id).exists()


def test_it_refuses_to_delete_a_built_in(org_a):
    success, error = delete_style_preset(org_a.pk, "builtin-professional")
    assert not success and "Built-in presets cannot be changed or deleted" in error["preset"]
    assert "builtin-professional" in {preset.id for preset in get_style_presets(org_a.pk)}


def test_it_refuses_another_tenants_preset(org_a, org_b):
    preset_id = make_preset(org_a)
    success, error = delete_style_preset(org_b.pk, preset_id)
    assert not success and error == {"preset": "No such preset in your library."}
    assert StylePreset.objects.filter(pk=preset_id).exists()
