"""``POST /dashboard/creative/content/<id>/approve`` and ``.../reject``: owners review content."""

import pytest
from django.urls import reverse

from media.models import CreativeContent
from tests.media.helpers import HTMX, PAGE, submit, text_of

pytestmark = pytest.mark.django_db


def test_it_lets_owners_approve_and_makes_them_say_why_they_reject(
    owner_a_client, content_a, image_a, org_a
):
    page = owner_a_client.get(PAGE).content.decode()
    assert f'data-content-id="{content_a}"' in page and 'data-testid="approve"' in page

    reject = reverse("media:content_reject", args=[content_a])
    refused = owner_a_client.post(reject, {"comment": ""}, **HTMX)
    assert "Say why it is rejected" in refused.content.decode()
    assert CreativeContent.objects.get(pk=content_a).status == "pending"

    approved = owner_a_client.post(reverse("media:content_approve", args=[content_a]), **HTMX)
    text = text_of(approved)
    assert "“Alpha deals” approved." in text and "Nothing is waiting for approval." in text
    assert 'data-testid="review-status">Approved<' in approved.content.decode()

    other = submit(org_a, image_a, title="Second")
    owner_a_client.post(reject, {"comment": "x"})
    rejected = owner_a_client.post(
        reverse("media:content_reject", args=[other]), {"comment": "Needs the 21+ line"}
    )
    assert rejected.status_code == 302
    assert CreativeContent.objects.get(pk=other).review_comment == "Needs the 21+ line"
