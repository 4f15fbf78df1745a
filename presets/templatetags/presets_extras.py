"""Template helpers for the presets pages (tenant-keeping links are in ``bakedbot``'s
``tenancy`` library)."""

from django import template

register = template.Library()


@register.filter
def aspect_css(ratio: str) -> str:
    """``16:9`` as the CSS ``aspect-ratio`` value ``16 / 9``."""
    width, _, height = ratio.partition(":")
    return f"{width} / {height}"
