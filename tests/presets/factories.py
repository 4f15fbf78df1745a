"""Preset input for tests: a valid flat input, and presets made through the service."""

from presets.services import create_style_preset, set_style_preset_public


def preset_input(**overrides) -> dict:
    data = {
        "name": "Summer drop",
        "description": "Bright outdoor look for seasonal deals.",
        "style_prompt": "Sunlit outdoor photograph, warm golden tones.",
        "negative_prompt": "night, rain",
        "aspect_ratios": ["4:5", "1:1"],
        "primary_color": "#1f3a5f",
        "secondary_color": "#F4F6F8",
        "accent_color": "#2F7D4F",
        "font_family": "Playfair Display",
        "font_size": "large",
        "font_weight": "bold",
        "tags": ["summer", "deals"],
    }
    data.update(overrides)
    return data


def make_preset(tenant, **overrides) -> str:
    return create_style_preset(tenant_id=tenant.pk, data=preset_input(**overrides)).id


def make_published_preset(tenant, **overrides) -> str:
    """A preset of ``tenant``'s, published for other tenants to browse and copy."""
    preset_id = make_preset(tenant, **overrides)
    assert set_style_preset_public(tenant_id=tenant.pk, preset_id=preset_id, public=True).is_public
    return preset_id
