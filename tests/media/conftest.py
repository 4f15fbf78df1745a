"""Fixtures for the media views: simulated media made by the real service, and content in the
approval queue."""

import pytest

from media.services import generate_image, generate_video
from tests.media.helpers import submit


@pytest.fixture
def image_a(org_a, owner_a):
    return generate_image(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="Alpha jar", aspect_ratio="1:1"
    )


@pytest.fixture
def video_a(org_a, owner_a):
    return generate_video(
        org_a.pk,
        str(owner_a.pk),
        provider="veo",
        prompt="Alpha drone shot",
        duration_seconds=4,
        aspect_ratio="16:9",
    )


@pytest.fixture
def image_b(org_b, user_b):
    return generate_image(
        org_b.pk, str(user_b.pk), provider="gemini-flash", prompt="Beta jar", aspect_ratio="1:1"
    )


@pytest.fixture
def content_a(org_a, image_a):
    return submit(org_a, image_a, title="Alpha deals", playbook_run_id="run_a")


@pytest.fixture
def content_b(org_b, image_b):
    return submit(org_b, image_b, title="Beta deals")
