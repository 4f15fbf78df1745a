"""What the media view tests share: URLs, the HTMX header, page text, and ways to make content
and spend."""

import re
from datetime import UTC, datetime
from decimal import Decimal

from django.urls import reverse

from costs.domain import MediaGenerationEvent, new_event_id
from costs.money import decimal_to_micros
from costs.pricing import configured_model, price_book
from costs.services import track_media_generation
from media.services import submit_content_for_approval

HTMX = {"HTTP_HX_REQUEST": "true"}

PAGE = reverse("media:creative")
ESTIMATE = reverse("media:creative_estimate")
GENERATE = reverse("media:creative_generate")
JOBS = reverse("media:creative_jobs")

DASHBOARD = reverse("media:dashboard")
UPDATE = reverse("media:budget_update")
GOOD_BUDGET = {
    "daily_limit": "10",
    "weekly_limit": "50",
    "monthly_limit": "150.50",
    "soft_threshold_percent": "80",
    "hard_limit_enabled": "on",
    "alert_recipients": "ops@example.com",
}


def text_of(response) -> str:
    """The page's text without tags, white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def select_options(html: str, name: str) -> list[str]:
    """The values the form's select ``name`` offers, in order ([] when the form has none)."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return re.findall(r'<option value="([^"]*)"', found.group(1)) if found else []


def selected_option(html: str, name: str) -> str | None:
    """The value the form's select ``name`` has selected (None: the browser's first)."""
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    chosen = re.search(r'<option value="([^"]*)"\s+selected', found.group(1)) if found else None
    return chosen.group(1) if chosen else None


def priced_micros(provider, *, image_size=None, resolution=None, seconds=None) -> int:
    """What the price book in effect (one priced by model and dimension, 2026-12-01 on) charges
    ``provider``'s configured model for one image at ``image_size``, or for ``seconds`` of video
    billed per second at ``resolution`` with audio."""
    price = price_book().model_price(provider, configured_model(provider))
    if seconds is None:
        return price.size_micros[image_size]
    return price.per_second_micros[(resolution, "audio")] * seconds


def submit(org, media, *, title="Weekly deals", playbook_run_id=None) -> str:
    """Put ``media`` in ``org``'s approval queue; the content's id."""
    return submit_content_for_approval(
        tenant_id=org.pk,
        title=title,
        caption="20% off all flower",
        platform="instagram",
        media_ids=[media.id],
        playbook_run_id=playbook_run_id,
        submitted_by=None,
    ).id


def ack_url(alert_id: str) -> str:
    return reverse("media:alert_acknowledge", args=[alert_id])


def spend(tenant_id, dollars, provider="gemini-flash", type="image", prompt="a prompt", **extra):
    """Record a generation of ``dollars`` in the cost core."""
    return track_media_generation(
        MediaGenerationEvent(
            id=new_event_id(),
            tenant_id=tenant_id,
            user_id="u1",
            type=type,
            provider=provider,
            prompt=prompt,
            cost_micros=decimal_to_micros(Decimal(dollars)),
            created_at=datetime.now(UTC),
            **extra,
        )
    )
