"""``GET /dashboard/creative/gallery``: the tenant's media with cost, provider and status."""

import re

import pytest
from django.urls import reverse

from media.models import MediaAsset
from media.selectors import GALLERY_PAGE_SIZE
from tests.media.helpers import HTMX, text_of

pytestmark = pytest.mark.django_db


def test_it_shows_cost_provider_status_and_the_simulated_badge(owner_a_client, image_a, video_a):
    response = owner_a_client.get(reverse("media:creative_gallery"), **HTMX)
    html = response.content.decode()
    cards = re.findall(r'data-testid="media-card" data-asset-id="(\w+)"', html)
    assert cards == [video_a.id, image_a.id]
    text = text_of(response)
    assert "Provider Veo Cost $0.50 Length 4 s" in text
    assert "Provider Gemini Flash Image Cost $0.02" in text
    assert html.count('data-testid="simulated-badge"') == 2
    assert f'href="/dashboard/creative/media/{image_a.id}?download=1"' in html
    assert f'poster="/dashboard/creative/media/{video_a.id}/thumbnail"' in html


def test_it_shows_a_failed_generation_with_its_reason(owner_a_client, image_a):
    MediaAsset.objects.filter(pk=image_a.id).update(status="failed", error="Safety block: SAFETY")
    text = text_of(owner_a_client.get(reverse("media:creative_gallery"), **HTMX))
    assert "Failed" in text and "Safety block: SAFETY" in text and "Download" not in text


def test_it_pages(owner_a_client, org_a, owner_a, image_a):
    for _ in range(GALLERY_PAGE_SIZE):
        MediaAsset.objects.create(
            tenant=org_a,
            kind="image",
            provider="gemini-flash",
            model="m",
            prompt="p",
            composed_prompt="p",
            cache_key="k",
        )
    first = owner_a_client.get(reverse("media:creative_gallery"), **HTMX).content.decode()
    assert first.count('data-testid="media-card"') == GALLERY_PAGE_SIZE and "Page 1 of 2" in first
    second = owner_a_client.get(
        reverse("media:creative_gallery"), {"page": 2}, **HTMX
    ).content.decode()
    assert second.count('data-testid="media-card"') == 1


def test_it_shows_the_first_page_for_a_page_that_is_not_a_number(owner_a_client, image_a):
    for page in ("²", "-1", "1e309", "x"):
        response = owner_a_client.get(reverse("media:creative_gallery"), {"page": page}, **HTMX)
        assert response.status_code == 200, page
        assert f'data-asset-id="{image_a.id}"' in response.content.decode()


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
