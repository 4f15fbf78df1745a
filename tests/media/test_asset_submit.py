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


def test_it_offers_every_platform_the_service_accepts(member_a_client, image_a):
    html = member_a_client.get(reverse("media:creative")).content.decode()
    for platform in ("instagram", "facebook", "twitter", "tiktok"):
        assert f'<option value="{platform}"' in html
    for platform in ("instagram", "facebook", "twitter", "tiktok"):
        response = member_a_client.post(
            reverse("media:asset_submit", args=[image_a.id]),
            {"title": f"For {platform}", "platform": platform},
        )
        assert response.status_code == 302
    assert sorted(CreativeContent.objects.values_list("platform", flat=True)) == [
        "facebook",
        "instagram",
        "tiktok",
        "twitter",
    ]


@pytest.mark.parametrize("platform", ["myspace", "", "Instagram", "x" * 41])
def test_it_refuses_a_platform_it_does_not_offer(member_a_client, image_a, platform):
    url = reverse("media:asset_submit", args=[image_a.id])
    refused = member_a_client.post(url, {"title": "Monday post", "platform": platform}, **HTMX)
    assert refused["HX-Retarget"] == f"#submit-{image_a.id}"
    assert (
        '<p class="field-error">Platform must be one of: instagram, facebook, twitter, tiktok.</p>'
        in refused.content.decode()
    )
    plain = member_a_client.post(url, {"title": "Monday post", "platform": platform}, follow=True)
    assert "Not submitted: Platform must be one of" in plain.content.decode()
    assert CreativeContent.objects.count() == 0
