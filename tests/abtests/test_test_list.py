"""``abtests:list`` — the tenant's A/B tests, filtered by status, with links into the wizard."""

import pytest
from django.urls import reverse

from tests.abtests.conftest import make_test, start, wizard_url

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(reverse("abtests:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_is_for_an_organisation(super_admin_client):
    assert super_admin_client.get(reverse("abtests:list")).status_code == 403


def test_it_answers_404_for_another_tenant(user_b_client, org_a):
    assert user_b_client.get(reverse("abtests:list"), {"tenant": org_a.pk}).status_code == 404


def test_it_lists_the_tenants_tests(member_a_client, org_a, org_b):
    make_test(org_a, name="Hero image")
    make_test(org_b, name="Someone else's")
    html = member_a_client.get(reverse("abtests:list")).content.decode()
    assert "Hero image" in html and "Someone else" not in html
    assert "Continue at step 1 of 4" in html


def test_it_filters_the_list_by_status(member_a_client, org_a):
    start(make_test(org_a, name="Live one"))
    make_test(org_a, name="Still a draft")
    html = member_a_client.get(reverse("abtests:list"), {"status": "running"}).content.decode()
    assert "Live one" in html and "Still a draft" not in html


def test_it_links_to_the_wizard_and_resumes_drafts(member_a_client, org_a):
    test = start(make_test(org_a, name="Running"))
    draft = make_test(org_a, name="Draft at three", wizard_step=3)
    html = member_a_client.get(reverse("abtests:list")).content.decode()
    assert f'href="{reverse("abtests:new")}"' in html
    assert f'href="{wizard_url(draft, 3)}"' in html
    assert wizard_url(test) not in html


def test_it_keeps_a_super_admins_organisation_in_every_link(super_admin_client, org_a):
    draft = make_test(org_a, name="Draft at three", wizard_step=3)
    html = super_admin_client.get(reverse("abtests:list"), {"tenant": org_a.pk}).content.decode()
    assert f'href="{reverse("abtests:new")}?tenant={org_a.pk}"' in html
    assert f"{wizard_url(draft, 3)}&amp;tenant={org_a.pk}" in html
    assert f'href="{reverse("abtests:detail", args=[draft.pk])}?tenant={org_a.pk}"' in html
    assert f"?status=running&amp;tenant={org_a.pk}" in html
