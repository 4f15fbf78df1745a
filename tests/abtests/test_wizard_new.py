"""``abtests:new`` — the wizard's first step, which creates the draft."""

import pytest
from django.urls import reverse

from abtests.models import MediaABTest
from tests.abtests.conftest import wizard_url

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(reverse("abtests:new"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(reverse("abtests:new"), {"name": "x"}).status_code == 302
    assert not MediaABTest.objects.exists()


def test_it_is_for_an_organisation(super_admin_client):
    assert super_admin_client.get(reverse("abtests:new")).status_code == 403
    assert super_admin_client.post(reverse("abtests:new"), {"name": "x"}).status_code == 403
    assert not MediaABTest.objects.exists()


def test_it_answers_404_for_another_tenant(user_b_client, org_a):
    url = f"{reverse('abtests:new')}?tenant={org_a.pk}"
    assert user_b_client.post(url, {"name": "x"}).status_code == 404
    assert not MediaABTest.objects.exists()


def test_it_creates_a_draft_from_step_one(member_a_client, org_a):
    response = member_a_client.post(
        reverse("abtests:new"),
        {"step": "1", "name": "Hero image", "base_prompt": "A jar", "start_date": "2030-01-05"},
    )
    test = MediaABTest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == wizard_url(test, 2)
    assert (test.tenant, test.status, test.wizard_step) == (org_a, "draft", 2)
    assert test.created_by is not None and test.base_prompt == "A jar"


def test_it_keeps_a_super_admin_in_the_organisation(super_admin_client, org_a):
    response = super_admin_client.post(
        f"{reverse('abtests:new')}?tenant={org_a.pk}", {"step": "1", "name": "Hero image"}
    )
    test = MediaABTest.objects.get()
    assert response["Location"] == f"{wizard_url(test, 2)}&tenant={org_a.pk}"
    assert test.tenant == org_a


def test_it_validates_step_one_on_the_server(member_a_client):
    response = member_a_client.post(
        reverse("abtests:new"),
        {"step": "1", "name": " ", "start_date": "2030-02-10", "end_date": "2030-02-01"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    # The message names its field: the errors are listed together above the form.
    assert "Test name is required." in html and "This field is required." not in html
    assert "The end date cannot be before the start date." in html
    assert 'value="2030-02-10"' in html
    assert not MediaABTest.objects.exists()
