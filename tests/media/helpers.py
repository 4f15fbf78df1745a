"""What the media view tests share: URLs, the HTMX header, page text, and ways to make content
and spend."""

import re
from datetime import UTC, datetime
from decimal import Decimal

from django.urls import reverse

from costs.domain import MediaGenerationEvent, new_event_id
from costs.money import decimal_to_micros
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
