"""Every backend keeps every billed dimension an event was priced on (model, image size,
resolution, audio, tokens), including the defaults the price book filled in."""

from datetime import UTC, datetime

from costs.domain import MediaGenerationEvent
from costs.services import track_media_generation
from costs.stores import get_repository
from tests.factories import OrganisationFactory

AT = datetime(2026, 12, 1, 15, tzinfo=UTC)


def test_dimensions_round_trip(cost_store):
    tenant = OrganisationFactory(name="Dimensions", time_zone="UTC")
    made = [
        MediaGenerationEvent(
            id=f"{tenant.pk}-img",
            tenant_id=tenant.pk,
            user_id="u",
            type="image",
            provider="gemini-pro",
            image_size="4K",
            created_at=AT,
        ),
        MediaGenerationEvent(
            id=f"{tenant.pk}-vid",
            tenant_id=tenant.pk,
            user_id="u",
            type="video",
            provider="veo",
            duration_seconds=6,
            resolution="1080p",
            audio=False,
            created_at=AT,
        ),
        MediaGenerationEvent(
            id=f"{tenant.pk}-txt",
            tenant_id=tenant.pk,
            user_id="u",
            type="text",
            provider="openai-text",
            input_tokens=1200,
            output_tokens=300,
            created_at=AT,
        ),
        MediaGenerationEvent(
            id=f"{tenant.pk}-dflt",
            tenant_id=tenant.pk,
            user_id="u",
            type="image",
            provider="gemini-pro",
            created_at=AT,
        ),
    ]
    recorded = [track_media_generation(event) for event in made]
    repository = get_repository()
    for event in recorded:
        assert repository.get_event(event.id) == event
    stored = {event.id: event for event in repository.recent_events(tenant_id=tenant.pk)}
    image, video, text, default = (stored[event.id] for event in made)
    assert (image.model, image.image_size, image.cost_micros) == (
        "gemini-3-pro-image",
        "4K",
        240_000,
    )
    assert (video.model, video.resolution, video.audio, video.cost_micros) == (
        "veo-3.1-generate-preview",
        "1080p",
        False,
        1_200_000,
    )
    assert (text.model, text.input_tokens, text.output_tokens, text.cost_micros) == (
        "gpt-5-mini",
        1200,
        300,
        900,  # 1,200 x $0.25/M + 300 x $2.00/M
    )
    assert (default.image_size, default.resolution, default.audio) == ("1K", "", None)
