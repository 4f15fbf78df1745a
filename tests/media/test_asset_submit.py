"""``POST /dashboard/creative/media/<id>/submit``: put a gallery item in the approval queue."""

import pytest
from django.urls import reverse

from media.models import CreativeContent
from tests.media.helpers import HTMX, text_of

pytestmark = pytest.mark.django_db


def test_it_submits_a_gallery_item_for_approval(owner_a_client, member_a_client, image_a):
    url = reverse("media:asset_submit", args=[image_a.id])
    response = member_a_client.post(
        url, {"title": "Monday post", "platform": "tiktok", "caption": "Hi"}, **HTMX
    )
    assert response["HX-Retarget"] == "#approvals"
    content = CreativeContent.objects.get()
    assert (content.title, content.platform, content.source) == ("Monday post", "tiktok", "user")
    text = text_of(response)
    assert "“Monday post” is waiting for approval." in text and "1 pending" in text
    assert 'data-testid="approve"' not in response.content.decode()  # a member cannot review

    refused = member_a_client.post(url, {"title": " ", "platform": "tiktok"}, **HTMX)
    assert refused["HX-Retarget"] == f"#submit-{image_a.id}"
    assert "This field is required." in refused.content.decode()
    assert CreativeContent.objects.count() == 1
