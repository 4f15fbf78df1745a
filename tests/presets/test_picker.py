"""The picker fragment other apps include in their forms."""

from django.template.loader import render_to_string

from presets.selectors import get_preset_picker
from tests.presets.factories import make_preset


def test_it_renders_radios_named_preset_id_with_small_previews(org_a, org_b):
    mine = make_preset(org_a, name="House", primary_color="#123456")
    make_preset(org_b, name="Not yours")
    html = render_to_string(
        "presets/_picker.html", {"picker": get_preset_picker(org_a.pk, selected_id=mine)}
    )
    assert html.count('type="radio" name="preset_id"') == 1 + 1 + 9
    assert f'value="{mine}" data-aspect-ratio="4:5" checked' in html
    assert 'value="" checked' not in html
    assert "background: #123456" in html
    assert "Your presets" in html and "Built-in" in html
    assert "Not yours" not in html


def test_it_can_use_another_field_name_and_no_empty_choice(org_a):
    html = render_to_string(
        "presets/_picker.html",
        {"picker": get_preset_picker(org_a.pk, field_name="variant_preset", allow_none=False)},
    )
    assert 'name="preset_id"' not in html and 'name="variant_preset"' in html
    assert "No preset" not in html and "Your presets" not in html
