from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from presets.domain import PresetNotFound
from presets.selectors import get_style_preset, get_style_presets
from presets.services import track_preset_usage
from tests.factories import OrganisationFactory
from tests.presets.factories import make_preset


def test_it_counts_uses_of_a_custom_preset(org_a):
    preset_id = make_preset(org_a)
    assert track_preset_usage(tenant_id=org_a.pk, preset_id=preset_id) == 1
    assert track_preset_usage(tenant_id=org_a.pk, preset_id=preset_id) == 2
    assert get_style_preset(org_a.pk, preset_id).usage_count == 2


def test_it_does_not_touch_updated_at(org_a):
    preset_id = make_preset(org_a)
    before = get_style_preset(org_a.pk, preset_id).updated_at
    track_preset_usage(tenant_id=org_a.pk, preset_id=preset_id)
    assert get_style_preset(org_a.pk, preset_id).updated_at == before


def test_it_counts_built_ins_per_tenant(org_a, org_b):
    for _ in range(3):
        track_preset_usage(tenant_id=org_a.pk, preset_id="builtin-luxury")
    assert track_preset_usage(tenant_id=org_b.pk, preset_id="builtin-luxury") == 1
    assert get_style_preset(org_a.pk, "builtin-luxury").usage_count == 3
    assert get_style_preset(org_b.pk, "builtin-luxury").usage_count == 1
    counts = {preset.id: preset.usage_count for preset in get_style_presets(org_a.pk)}
    assert counts["builtin-luxury"] == 3 and counts["builtin-modern"] == 0


def test_it_refuses_another_tenants_preset(org_a, org_b):
    preset_id = make_preset(org_a)
    with pytest.raises(PresetNotFound):
        track_preset_usage(tenant_id=org_b.pk, preset_id=preset_id)
    assert get_style_preset(org_a.pk, preset_id).usage_count == 0


@pytest.mark.parametrize("preset_id", ["preset_missing", "builtin-missing"])
def test_it_refuses_an_unknown_preset(org_a, preset_id):
    with pytest.raises(PresetNotFound):
        track_preset_usage(tenant_id=org_a.pk, preset_id=preset_id)


def test_it_refuses_an_unknown_tenant_for_a_built_in(db):
    with pytest.raises(PresetNotFound):
        track_preset_usage(tenant_id="org_missing", preset_id="builtin-modern")


@pytest.mark.django_db(transaction=True)
def test_it_loses_no_use_under_concurrency():
    org = OrganisationFactory()
    preset_id = make_preset(org)

    def use(n):
        try:
            track_preset_usage(
                tenant_id=org.pk, preset_id=preset_id if n % 2 else "builtin-playful"
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(use, range(80)))
    assert get_style_preset(org.pk, preset_id).usage_count == 40
    assert get_style_preset(org.pk, "builtin-playful").usage_count == 40
