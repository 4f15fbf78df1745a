"""Demo presets: a few custom presets per demo organisation (two of them published, one copied by
another organisation) and some usage of the built-ins. Safe to run again: presets are created or
restored by name, usage counts are set, not added."""

from presets.models import BuiltinPresetUsage, StylePreset
from presets.services import copy_style_preset, create_style_preset, update_style_preset


def _preset(name, description, style, negative, ratios, palette, typography, tags, public=False):
    return {
        "name": name,
        "description": description,
        "style_prompt": style,
        "negative_prompt": negative,
        "aspect_ratios": list(ratios),
        "primary_color": palette[0],
        "secondary_color": palette[1],
        "accent_color": palette[2],
        "font_family": typography[0],
        "font_size": typography[1],
        "font_weight": typography[2],
        "tags": list(tags),
        "is_public": public,
    }


DEMO_PRESETS = {
    "org_greenleaf": [
        (
            _preset(
                "Greenleaf signature",
                "Our house look: fresh greens, natural light, clean packaging.",
                "Fresh natural-light product photography with lush green foliage accents, clean "
                "white packaging, calm premium feel.",
                "people consuming cannabis, smoke, cartoon characters",
                ("1:1", "4:5", "9:16"),
                ("#2F7D4F", "#F1F7ED", "#E0B84C"),
                ("Montserrat", "medium", "bold"),
                ("brand", "signature", "cannabis"),
                public=True,
            ),
            42,
        ),
        (
            _preset(
                "Summer drop",
                "Seasonal launches and limited strains.",
                "Sunny outdoor summer scene, bright saturated colours, festival energy, product in "
                "the foreground.",
                "night, rain, people consuming cannabis",
                ("9:16", "1:1"),
                ("#FF7A00", "#FFF4E0", "#00A6A6"),
                ("Nunito", "large", "bold"),
                ("summer", "launch"),
            ),
            7,
        ),
    ],
    "org_summit": [
        (
            _preset(
                "Summit alpine",
                "Crisp mountain air: cool blues and granite greys.",
                "Crisp alpine landscape backdrop, cool blue morning light, granite textures, "
                "product on a weathered wooden surface.",
                "tropical, neon, clutter, people consuming cannabis",
                ("16:9", "4:5"),
                ("#1E3A5F", "#EEF3F8", "#8FB8DE"),
                ("Lora", "medium", "normal"),
                ("mountain", "outdoor", "cannabis"),
                public=True,
            ),
            18,
        ),
    ],
    "org_evergreen": [
        (
            _preset(
                "Evergreen weekly deals",
                "In-store screens and social posts for the weekly deals.",
                "Bold deal announcement layout for a neighbourhood dispensary, big readable "
                "prices, evergreen and cream colours, friendly tone.",
                "people consuming cannabis, minors, illegible text",
                ("16:9", "9:16", "1:1"),
                ("#14532D", "#FEFCE8", "#F59E0B"),
                ("Bebas Neue", "large", "bold"),
                ("deals", "in-store"),
            ),
            25,
        ),
    ],
    "org_harbor": [
        (
            _preset(
                "Harbor waterfront",
                "Relaxed island feel for the harbour store.",
                "Relaxed waterfront golden-hour scene, ocean blues and sand tones, soft warm haze, "
                "laid-back island mood.",
                "snow, city skyline, people consuming cannabis",
                ("4:5", "1:1"),
                ("#0E7490", "#FDF6E3", "#F97316"),
                ("Georgia", "medium", "normal"),
                ("island", "lifestyle"),
            ),
            11,
        ),
    ],
}
BUILTIN_USAGE = {
    "org_greenleaf": {"builtin-product-spotlight": 31, "builtin-professional": 12},
    "org_summit": {"builtin-craft-cultivation": 9, "builtin-luxury": 4},
    "org_evergreen": {"builtin-dispensary-menu": 27, "builtin-compliance-safe": 6},
    "org_harbor": {"builtin-playful": 5},
}
# Evergreen browsed Greenleaf's published preset and took a copy.
COPIES = [("org_evergreen", "org_greenleaf", "Greenleaf signature")]


def _create_or_restore(tenant_id: str, data: dict) -> str:
    existing = StylePreset.objects.filter(tenant_id=tenant_id, name__iexact=data["name"]).first()
    if existing is None:
        return create_style_preset(tenant_id=tenant_id, data=data).id
    return update_style_preset(tenant_id=tenant_id, preset_id=existing.pk, updates=data).id


def load_demo_data(write) -> None:
    count = 0
    for tenant_id, presets in DEMO_PRESETS.items():
        for data, uses in presets:
            preset_id = _create_or_restore(tenant_id, data)
            StylePreset.objects.filter(pk=preset_id).update(usage_count=uses)
            count += 1
        for preset_id, uses in BUILTIN_USAGE.get(tenant_id, {}).items():
            BuiltinPresetUsage.objects.update_or_create(
                tenant_id=tenant_id, preset_id=preset_id, defaults={"usage_count": uses}
            )
    for tenant_id, source_tenant_id, name in COPIES:
        source = StylePreset.objects.get(tenant_id=source_tenant_id, name=name)
        if not StylePreset.objects.filter(tenant_id=tenant_id, copied_from=source).exists():
            copy_style_preset(tenant_id=tenant_id, source_id=source.pk)
    write(f"Style presets: {count} custom presets for the demo organisations, 2 published")
