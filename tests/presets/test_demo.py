from bakedbot.demo import demo_setup_tenants
from presets.demo import load_demo_data
from presets.models import BuiltinPresetUsage, StylePreset
from presets.selectors import get_published_presets, get_style_preset


def test_it_loads_demo_presets_idempotently(db):
    demo_setup_tenants()
    lines = []
    load_demo_data(lines.append)
    StylePreset.objects.filter(name="Summit alpine").update(description="Edited by hand")
    load_demo_data(lines.append)
    assert StylePreset.objects.count() == 6  # five demo presets and Evergreen's copy
    copy = StylePreset.objects.get(tenant_id="org_evergreen", copied_from__isnull=False)
    assert copy.name == "Greenleaf signature" and not copy.is_public
    assert StylePreset.objects.get(name="Summit alpine").description.startswith("Crisp")
    published = {entry.preset.name for entry in get_published_presets("org_harbor")}
    assert published == {"Greenleaf signature", "Summit alpine"}
    assert get_style_preset("org_evergreen", "builtin-dispensary-menu").usage_count == 27
    assert BuiltinPresetUsage.objects.count() == 7
    assert "Style presets" in lines[0]
