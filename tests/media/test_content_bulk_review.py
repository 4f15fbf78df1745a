"""``POST /dashboard/creative/content/review``: the approval queue's one form — one item's
button or the ticked items at once, a reason required for each rejection (a batch missing one
writes nothing) — and the queue's filters (organisation, platform, source)."""

import pytest
from django.urls import reverse

from media.models import CreativeContent
from tests.media.helpers import HTMX, PAGE, submit, text_of

pytestmark = pytest.mark.django_db
URL = reverse("media:content_review")


def _statuses(*ids):
    return [CreativeContent.objects.get(pk=content_id).status for content_id in ids]


def test_it_approves_several_at_once(owner_a_client, org_a, image_a):
    ids = [submit(org_a, image_a, title=f"Post {n}") for n in range(3)]
    page = owner_a_client.get(PAGE).content.decode()
    assert 'data-testid="bulk-approve"' in page and page.count('data-testid="select"') == 3
    response = owner_a_client.post(URL, {"selected": ids[:2], "decision": "approve"}, **HTMX)
    assert "2 items approved." in text_of(response)
    assert _statuses(*ids) == ["approved", "approved", "pending"]


def test_it_wants_a_reason_for_each_rejection_and_writes_nothing_without(
    owner_a_client, org_a, image_a
):
    one, two = submit(org_a, image_a, title="One"), submit(org_a, image_a, title="Two")
    data = {"selected": [one, two], "decision": "reject", f"comment-{one}": "Off brand"}
    html = owner_a_client.post(URL, data, **HTMX).content.decode()
    assert "Say why “Two” is rejected" in html and "Off brand" in html  # the typed reason kept
    assert _statuses(one, two) == ["pending", "pending"]
    data[f"comment-{two}"] = "Missing the 21+ line"
    response = owner_a_client.post(URL, data)
    assert response.status_code == 302
    assert _statuses(one, two) == ["rejected", "rejected"]
    assert CreativeContent.objects.get(pk=two).review_comment == "Missing the 21+ line"


def test_it_reviews_one_item_from_its_own_button(owner_a_client, content_a):
    response = owner_a_client.post(URL, {"reject": content_a, f"comment-{content_a}": ""}, **HTMX)
    assert "Say why “Alpha deals” is rejected" in text_of(response)
    owner_a_client.post(URL, {"approve": content_a}, **HTMX)
    assert _statuses(content_a) == ["approved"]


def test_it_asks_what_to_review(owner_a_client, content_a):
    html = owner_a_client.post(URL, {"decision": "approve"}, **HTMX).content.decode()
    assert "Tick the content to review first." in html


def test_it_refuses_members_and_tells_them_why_there_are_no_buttons(
    member_a_client, content_a, image_a, org_a
):
    submit(org_a, image_a, title="Second")
    page = member_a_client.get(PAGE).content.decode()
    assert 'data-testid="why-no-buttons"' in page and 'data-testid="approve"' not in page
    assert member_a_client.post(URL, {"approve": content_a}).status_code == 403
    assert _statuses(content_a) == ["pending"]


def test_it_answers_404_for_another_organisations_content(user_b_client, content_a, content_b):
    response = user_b_client.post(URL, {"selected": [content_b, content_a], "decision": "approve"})
    assert response.status_code == 404
    assert _statuses(content_a, content_b) == ["pending", "pending"]


def test_it_sends_anonymous_visitors_to_log_in(client, content_a):
    response = client.post(URL, {"approve": content_a})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert _statuses(content_a) == ["pending"]


def test_it_filters_by_platform_and_source(owner_a_client, org_a, image_a, content_a):
    from media import services

    services.submit_content_for_approval(
        tenant_id=org_a.pk, title="On TikTok", caption="", platform="tiktok", media_ids=[image_a.id]
    )
    html = owner_a_client.get(PAGE, {"platform": "tiktok"}, **HTMX, HTTP_HX_TARGET="approvals")
    text = html.content.decode()
    assert "On TikTok" in text and "Alpha deals" not in text and "<html" not in text
    text = owner_a_client.get(PAGE, {"source": "playbook"}).content.decode()
    assert "Alpha deals" in text and "On TikTok" not in text
    text = owner_a_client.get(PAGE, {"platform": "myspace"}).content.decode()
    assert "Alpha deals" in text and "On TikTok" in text  # an unknown value filters nothing


def test_it_lets_super_admins_filter_by_organisation(super_admin_client, content_a, content_b):
    from tests.media.helpers import text_of as _text

    everything = _text(super_admin_client.get(PAGE))
    assert "Alpha deals" in everything and "Beta deals" in everything
    content = CreativeContent.objects.get(pk=content_b)
    only_b = _text(super_admin_client.get(PAGE, {"organisation": content.tenant_id}))
    assert "Beta deals" in only_b and "Alpha deals" not in only_b
    response = super_admin_client.post(
        URL, {"selected": [content_a, content_b], "decision": "approve"}
    )
    assert response.status_code == 302 and _statuses(content_a, content_b) == ["approved"] * 2


def test_it_plays_videos_inline(owner_a_client, org_a, video_a):
    submit(org_a, video_a, title="Clip")
    assert 'data-testid="inline-video"' in owner_a_client.get(PAGE).content.decode()
