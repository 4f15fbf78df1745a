"""The built-in presets: defined here, visible to every tenant, never stored and never editable.

Their ids (``builtin-<slug>``) are stable: other apps store them (an A/B variant's preset, a
playbook step's style), so an id here is never renamed or reused. The five general styles match
the original system's ``generate_image`` step styles (professional, playful, modern, vintage,
luxury); the rest are for cannabis retail.
"""

from datetime import UTC, datetime

from presets.domain import BUILT_IN, ColorPalette, StylePresetData, Typography

BUILTIN_PREFIX = "builtin-"
_DEFINED = datetime(2026, 2, 11, tzinfo=UTC)


def _builtin(
    slug: str,
    name: str,
    description: str,
    style_prompt: str,
    negative_prompt: str,
    aspect_ratios: tuple[str, ...],
    palette: tuple[str, str, str],
    typography: tuple[str, str, str],
    tags: tuple[str, ...],
) -> StylePresetData:
    return StylePresetData(
        id=f"{BUILTIN_PREFIX}{slug}",
        tenant_id=None,
        category=BUILT_IN,
        name=name,
        description=description,
        style_prompt=style_prompt,
        negative_prompt=negative_prompt,
        aspect_ratios=aspect_ratios,
        color_palette=ColorPalette(*palette),
        typography=Typography(*typography),
        tags=tags,
        usage_count=0,
        is_public=False,
        created_at=_DEFINED,
        updated_at=_DEFINED,
    )


BUILTIN_PRESETS: tuple[StylePresetData, ...] = (
    _builtin(
        "professional",
        "Professional",
        "Clean, trustworthy studio look for product and brand announcements.",
        "Professional studio photography, soft even lighting, clean neutral background, sharp "
        "focus, balanced composition, polished commercial finish.",
        "clutter, harsh shadows, lens flare, cartoon, low resolution, watermark",
        ("1:1", "4:5", "16:9"),
        ("#1F3A5F", "#F4F6F8", "#2F7D4F"),
        ("Inter", "medium", "normal"),
        ("clean", "corporate", "studio"),
    ),
    _builtin(
        "playful",
        "Playful",
        "Bright, friendly and energetic for social posts and promotions.",
        "Playful vibrant illustration style, bold saturated colours, rounded shapes, upbeat "
        "energetic mood, dynamic angles.",
        "dark mood, muted colours, gritty texture, horror",
        ("1:1", "9:16"),
        ("#FF6B6B", "#FFF4E0", "#4ECDC4"),
        ("Nunito", "large", "bold"),
        ("bright", "fun", "social"),
    ),
    _builtin(
        "modern",
        "Modern",
        "Minimal, geometric and contemporary with generous white space.",
        "Modern minimalist design, geometric composition, generous negative space, crisp "
        "lines, contemporary editorial lighting.",
        "ornate details, vintage texture, clutter, busy background",
        ("16:9", "1:1", "4:5"),
        ("#111827", "#FFFFFF", "#6366F1"),
        ("Helvetica", "medium", "light"),
        ("minimal", "geometric", "contemporary"),
    ),
    _builtin(
        "vintage",
        "Vintage",
        "Warm film tones and retro textures with a nostalgic feel.",
        "Vintage 1970s film photograph, warm faded tones, subtle grain, retro typography "
        "feel, nostalgic golden-hour light.",
        "neon, futuristic, glossy plastic, oversaturated digital look",
        ("4:5", "1:1"),
        ("#8C5A3C", "#F3E3C3", "#D98E04"),
        ("Georgia", "medium", "normal"),
        ("retro", "film", "warm"),
    ),
    _builtin(
        "luxury",
        "Luxury",
        "Dark, rich and premium for top-shelf products.",
        "Luxury premium product photography, deep dark background, gold accents, dramatic "
        "rim lighting, rich textures, elegant restrained composition.",
        "cheap plastic, clutter, bright flat lighting, cartoon, discount signage",
        ("4:5", "1:1", "9:16"),
        ("#0B0B0F", "#C9A227", "#F5F0E6"),
        ("Playfair Display", "large", "normal"),
        ("premium", "elegant", "dark"),
    ),
    _builtin(
        "dispensary-menu",
        "Dispensary menu board",
        "Legible in-store menu and deals boards with clear hierarchy.",
        "Clean digital menu board design for a cannabis dispensary, clear price hierarchy, "
        "high-contrast legible layout, organised product rows, brand colours.",
        "people consuming cannabis, smoke, cartoon characters, illegible text, clutter",
        ("16:9", "9:16"),
        ("#14281D", "#F1F7ED", "#7FB069"),
        ("Montserrat", "large", "bold"),
        ("cannabis", "menu", "in-store", "deals"),
    ),
    _builtin(
        "product-spotlight",
        "Product spotlight",
        "Hero shots of flower, pre-rolls and packaging for daily spotlights.",
        "Macro hero shot of a cannabis product and its packaging, shallow depth of field, "
        "crisp trichome detail, soft natural light, neutral backdrop.",
        "people consuming cannabis, minors, smoke clouds, blurry product, cluttered scene",
        ("1:1", "4:5", "9:16"),
        ("#2E4600", "#F7F7F2", "#A2C523"),
        ("Inter", "medium", "bold"),
        ("cannabis", "product", "spotlight"),
    ),
    _builtin(
        "craft-cultivation",
        "Craft cultivation",
        "Earthy farm-to-jar storytelling for craft growers.",
        "Earthy craft cannabis cultivation scene, sunlit greenhouse or outdoor farm, natural "
        "textures of soil and wood, hand-crafted authentic mood, warm natural palette.",
        "people consuming cannabis, industrial sterile lab, neon, cartoon",
        ("16:9", "4:5", "1:1"),
        ("#3E5C2B", "#EFE6D2", "#C97B35"),
        ("Lora", "medium", "normal"),
        ("cannabis", "earthy", "farm", "story"),
    ),
    _builtin(
        "compliance-safe",
        "Compliance-safe",
        "Conservative look for regulated channels: no consumption, nothing aimed at minors.",
        "Tasteful understated lifestyle imagery for a licensed cannabis retailer, adults only, "
        "product shown closed in packaging, calm neutral setting, informational tone.",
        "people consuming cannabis, smoking, minors, cartoon characters, candy-like imagery, "
        "health claims, intoxication",
        ("1:1", "4:5", "16:9", "9:16"),
        ("#2B3A42", "#F5F5F5", "#3F88C5"),
        ("Inter", "small", "normal"),
        ("cannabis", "compliance", "regulated"),
    ),
)

BUILTINS_BY_ID: dict[str, StylePresetData] = {preset.id: preset for preset in BUILTIN_PRESETS}


def is_builtin_id(preset_id: str) -> bool:
    return preset_id.startswith(BUILTIN_PREFIX)
