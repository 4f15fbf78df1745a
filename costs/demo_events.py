"""90 days of demo generation events for the demo organisations (``manage.py demo_setup``).

Deterministic: each event's id and details come from its tenant and local date, so running the
loader again records nothing twice and only adds the days that passed since. The volume follows a
weekday rhythm (weekends are quiet), mixes the five providers, and includes a few failures and
cache hits, so the CEO costs tab and the media dashboard are worth opening on first run.
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from costs.domain import MediaGenerationEvent
from costs.services import track_media_generations
from costs.tenants import tenant_time_zone

DAYS = 90
# Weekday generations per organisation (weekends get about a third).
VOLUME = {"org_greenleaf": 34, "org_summit": 21, "org_evergreen": 9, "org_harbor": 6}
MIX = [
    ("image", "gemini-flash", 38),
    ("image", "gemini-pro", 20),
    ("image_edit", "gemini-flash", 6),
    ("image", "imagen", 14),
    ("video", "veo", 14),
    ("video", "sora", 8),
]
DURATIONS = {"veo": (4, 6, 8, 8, 10, 15), "sora": (4, 8, 8, 12, 15, 30)}
PROMPTS = [
    "Weekend deals banner: 20% off pre-rolls, warm sunset palette",
    "Product shot of a vape cartridge on a marble counter, soft light",
    "Instagram story: new strain drop, bold typography, green and gold",
    "15 second video: dispensary storefront at dusk, neon sign, slow push-in",
    "Edibles flat lay with citrus and mint, overhead, pastel background",
    "Happy hour announcement, retro poster style, 4:5",
    "Drone shot over a greenhouse at sunrise for the brand story",
    "Customer appreciation day flyer with the store mascot",
]
# Failures that fit what failed (a video never fails for an image quota). Each list has the same
# length, so the demo's random sequence, and so every other figure, stays as it was.
ERRORS = {
    "image": [
        "RESOURCE_EXHAUSTED: quota exceeded for image generation (429)",
        "SAFETY: the image was blocked by the provider's safety filters",
        "INVALID_ARGUMENT: the prompt asked for text the image model cannot render",
        "UNAVAILABLE: the provider answered 503 three times",
    ],
    "video": [
        "RESOURCE_EXHAUSTED: quota exceeded for video generation (429)",
        "SAFETY: the video was blocked by the provider's safety filters",
        "Timeout: the video operation did not finish within 600 s",
        "UNAVAILABLE: the provider answered 503 three times",
    ],
}


def _events_for_day(tenant_id: str, day: date, now: datetime) -> list[MediaGenerationEvent]:
    rng = random.Random(f"{tenant_id}:{day.isoformat()}")
    zone = tenant_time_zone(tenant_id)
    weekday = day.weekday() < 5
    base = VOLUME[tenant_id] * (1 if weekday else 0.35)
    count = max(0, round(rng.gauss(base, base * 0.25)))
    events = []
    for n in range(count):
        media_type, provider, _ = rng.choices(MIX, [w for *_, w in MIX])[0]
        local = datetime.combine(day, time(8), tzinfo=zone) + timedelta(
            seconds=rng.randrange(12 * 3600)
        )
        created_at = local.astimezone(UTC)
        failed = rng.random() < 0.035
        cached = not failed and media_type != "video" and rng.random() < 0.05
        if created_at > now:
            continue
        events.append(
            MediaGenerationEvent(
                id=f"demo-{tenant_id}-{day.isoformat()}-{n:03d}",
                tenant_id=tenant_id,
                user_id=f"owner@{tenant_id.removeprefix('org_')}.test",
                type=media_type,
                provider=provider,
                prompt=rng.choice(PROMPTS),
                duration_seconds=rng.choice(DURATIONS[provider]) if media_type == "video" else None,
                success=not failed,
                error=rng.choice(ERRORS["video" if media_type == "video" else "image"])
                if failed
                else "",
                generation_ms=rng.randrange(60_000, 240_000)
                if media_type == "video"
                else rng.randrange(2_500, 14_000),
                created_at=created_at,
                cache_hit=cached,
                simulated=True,
            )
        )
    return events


def load_demo_events(write: Callable[[str], object], *, now: datetime | None = None) -> int:
    """Record the demo events of the last ``DAYS`` local days; returns how many were new."""
    now = now or datetime.now(UTC)
    events = []
    for tenant_id in VOLUME:
        today = now.astimezone(tenant_time_zone(tenant_id)).date()
        for offset in range(DAYS):
            events.extend(_events_for_day(tenant_id, today - timedelta(days=offset), now))
    added = track_media_generations(events)
    write(f"Demo generation events: {added} new, {len(events)} in the last {DAYS} days.")
    return added
