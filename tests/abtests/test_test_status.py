"""``abtests:status`` (POST) — owners move a test through its lifecycle; members may not."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _url(test):
    return reverse("abtests:status", args=[test.pk])


def test_it_sends_anonymous_users_to_login(client, running_test):
    response = client.post(_url(running_test), {"status": "paused"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_another_tenants_test(user_b_client, running_test):
    assert user_b_client.post(_url(running_test), {"status": "paused"}).status_code == 404
    running_test.refresh_from_db()
    assert running_test.status == "running"


def test_it_refuses_members(member_a_client, running_test):
    assert member_a_client.post(_url(running_test), {"status": "paused"}).status_code == 403
    running_test.refresh_from_db()
    assert running_test.status == "running"


def test_it_answers_get_with_405(owner_a_client, running_test):
    assert owner_a_client.get(_url(running_test)).status_code == 405


def test_owners_move_a_test_through_its_lifecycle(owner_a_client, draft_test):
    for status in ("running", "paused", "running", "completed"):
        response = owner_a_client.post(_url(draft_test), {"status": status}, follow=True)
        draft_test.refresh_from_db()
        assert draft_test.status == status
    assert "The test is now completed." in response.content.decode()


def test_it_shows_why_a_transition_is_refused(owner_a_client, draft_test):
    response = owner_a_client.post(_url(draft_test), {"status": "completed"}, follow=True)
    assert "A draft test cannot become completed; it can move to running." in (
        response.content.decode()
    )
    draft_test.refresh_from_db()
    assert draft_test.status == "draft"


def test_it_keeps_a_super_admin_in_the_organisation(super_admin_client, draft_test):
    response = super_admin_client.post(
        f"{_url(draft_test)}?tenant={draft_test.tenant_id}", {"status": "running"}
    )
    detail = reverse("abtests:detail", args=[draft_test.pk])
    assert response["Location"] == f"{detail}?tenant={draft_test.tenant_id}"
    draft_test.refresh_from_db()
    assert draft_test.status == "running"
