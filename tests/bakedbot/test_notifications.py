"""The bell: ``/dashboard/notifications`` (the page and, for HTMX, the bell), marking one or all
read, one notice per person and key. What the apps post: tests/media/test_bell_notices.py."""

import pytest
from django.urls import reverse

from bakedbot.models import Notice
from bakedbot.notices import get_bell, notice_post, notice_resolve

PAGE = reverse("notifications")
HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def _post(org, key="approval:x", **extra):
    return notice_post(
        organisation_id=org.pk, key=key, kind="approval", title="Look at this", **extra
    )


def test_it_posts_one_notice_per_owner_and_key(org_a, owner_a, member_a):
    assert _post(org_a) == 1  # the owners, not the members
    assert _post(org_a) == 0  # the same thing again: no duplicate
    assert get_bell(user=owner_a).unread == 1 and get_bell(user=member_a).unread == 0
    assert _post(org_a, key="k2", audience="everyone") == 2
    assert notice_resolve(organisation_id=org_a.pk, key="approval:x") == 1
    assert [n.title for n in get_bell(user=owner_a).notices] == ["Look at this"]


def test_it_shows_the_bell_with_its_unread_count(owner_a_client, org_a, owner_a):
    _post(org_a, link="/dashboard/creative#approvals")
    page = owner_a_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="bell"' in page and 'hx-trigger="load"' in page  # loads after the page
    bell = owner_a_client.get(PAGE, **HTMX).content.decode()
    assert 'data-testid="bell-count">1<' in bell and "Look at this" in bell
    full = owner_a_client.get(PAGE).content.decode()
    assert 'data-testid="notification"' in full and 'data-testid="sidebar"' in full


def test_it_marks_one_read_and_opens_what_it_is_about(owner_a_client, org_a, owner_a):
    _post(org_a, link="/dashboard/creative#approvals")
    notice = Notice.objects.get(user=owner_a)
    url = reverse("notification_read", args=[notice.pk])
    response = owner_a_client.post(url, {"next": notice.link})
    assert response.status_code == 302 and response["Location"] == notice.link
    assert get_bell(user=owner_a).unread == 0
    # A link to another site is not followed.
    response = owner_a_client.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == notice.link


def test_it_marks_all_read(owner_a_client, org_a, owner_a):
    _post(org_a, key="a")
    _post(org_a, key="b")
    bell = owner_a_client.post(reverse("notifications_read_all"), **HTMX).content.decode()
    assert 'data-testid="bell-count"' not in bell
    assert get_bell(user=owner_a).unread == 0 and len(get_bell(user=owner_a).notices) == 2


def test_it_sends_anonymous_visitors_to_log_in(client):
    for url in (PAGE, reverse("notifications_read_all")):
        response = client.get(url) if url == PAGE else client.post(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_it_answers_404_for_someone_elses_notice(user_b_client, member_a_client, org_a, owner_a):
    _post(org_a)
    notice = Notice.objects.get(user=owner_a)
    url = reverse("notification_read", args=[notice.pk])
    assert user_b_client.post(url).status_code == 404  # another organisation
    assert member_a_client.post(url).status_code == 404  # another person of the same one
    assert Notice.objects.get(pk=notice.pk).read_at is None


def test_it_refuses_get_on_the_writes(owner_a_client, org_a, owner_a):
    _post(org_a)
    notice = Notice.objects.get(user=owner_a)
    assert owner_a_client.get(reverse("notification_read", args=[notice.pk])).status_code == 405
    assert owner_a_client.get(reverse("notifications_read_all")).status_code == 405


@pytest.mark.parametrize("target", ["\u00b2", "-1", "NaN", "notifications", "0001-01", "//x.test"])
def test_it_goes_back_to_its_own_page_for_a_next_that_is_no_path(
    owner_a_client, org_a, owner_a, target
):
    # Not a path: redirect() took it for a URL name to reverse (a 500 for "²").
    response = owner_a_client.post(reverse("notifications_read_all"), {"next": target})
    assert (response.status_code, response["Location"]) == (302, PAGE)
    _post(org_a, key=f"k-{target}", link="/dashboard/creative#approvals")
    notice = Notice.objects.get(user=owner_a, key=f"k-{target}")
    response = owner_a_client.post(reverse("notification_read", args=[notice.pk]), {"next": target})
    assert (response.status_code, response["Location"]) == (302, notice.link)
