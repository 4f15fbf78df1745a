"""System checks (``manage.py check``): every image tier names image providers and sizes the
media service accepts, so a typo in ``PLAYBOOKS_IMAGE_TIERS`` shows at start-up, not at 09:00 on a
Monday when a scheduled run reaches its image step."""

from django.conf import settings
from django.core.checks import Error, register

from media.providers import PROVIDERS


@register()
def check_image_tiers(app_configs, **kwargs):
    errors = []
    for tier, options in settings.PLAYBOOKS_IMAGE_TIERS.items():
        for option in (options,) if isinstance(options, str) else options:
            provider, _, size = option.partition("@")
            spec = PROVIDERS.get(provider)
            if spec is None or spec.kind != "image":
                images = ", ".join(key for key, s in PROVIDERS.items() if s.kind == "image")
                problem = f"“{provider}” is not an image provider (choose one of {images})"
            elif size and size not in spec.image_sizes:
                sizes = ", ".join(spec.image_sizes) or "none"
                problem = f"{provider} has no image size “{size}” (its sizes: {sizes})"
            else:
                continue
            errors.append(
                Error(
                    f"PLAYBOOKS_IMAGE_TIERS: the {tier} tier's “{option}”: {problem}.",
                    hint="Options look like gemini-pro or gemini-pro@4K, separated by |.",
                    id="playbooks.E001",
                )
            )
    return errors
