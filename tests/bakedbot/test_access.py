"""The permission matrix for every dashboard URL the foundation serves: anonymous users go to the
login page, the wrong role gets 403, and another tenant's id answers 404."""

import pytest
from django.urls import reverse

TENANT_PAGES = ["media:dashboard", "presets:gallery", "abtests:list", "playbooks:list"]
SUPER_ADMIN_PAGES = ["costs:ceo", "playbooks:ceo_library"]
ALL_PAGES = ["dashboard", "media:creative", *TENANT_PAGES, *SUPER_ADMIN_PAGES]


@pytest.mark.parametrize("name", ALL_PAGES)
def test_it_redirects_anonymous_users_to_login(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", [*TENANT_PAGES, "media:creative", "dashboard"])
def test_it_serves_tenant_pages_to_owner_and_member(owner_a_client, member_a_client, org_a, name):
    for client in (owner_a_client, member_a_client):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert org_a.name in response.content.decode()


@pytest.mark.parametrize("name", SUPER_ADMIN_PAGES)
def test_it_refuses_super_admin_pages_to_tenant_users(owner_a_client, member_a_client, name):
    assert owner_a_client.get(reverse(name)).status_code == 403
    assert member_a_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [*SUPER_ADMIN_PAGES, "media:creative", "dashboard"])
def test_it_serves_operations_pages_to_super_admins(super_admin_client, name):
    assert super_admin_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", TENANT_PAGES)
def test_it_refuses_tenant_pages_to_super_admin_without_a_tenant(super_admin_client, name):
    assert super_admin_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [*TENANT_PAGES, "media:creative"])
def test_it_lets_super_admins_open_any_tenant(super_admin_client, org_a, name):
    response = super_admin_client.get(reverse(name), {"tenant": org_a.pk})
    assert response.status_code == 200
    assert org_a.name in response.content.decode()


@pytest.mark.parametrize("name", [*TENANT_PAGES, "media:creative"])
def test_it_answers_404_for_another_tenant(user_b_client, org_a, name):
    assert user_b_client.get(reverse(name), {"tenant": org_a.pk}).status_code == 404


@pytest.mark.parametrize("name", TENANT_PAGES)
def test_it_answers_404_for_an_unknown_tenant(super_admin_client, name):
    assert super_admin_client.get(reverse(name), {"tenant": "org_missing"}).status_code == 404


def test_it_refuses_a_user_without_organisation(client, django_user_model):
    user = django_user_model.objects.create_user("loner@example.test", password="x")
    client.force_login(user)
    assert client.get(reverse("media:dashboard")).status_code == 403
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "not part of an organisation" in response.content.decode()


# -- the home page and the dashboard honour ?tenant= like every other page ------------------------


@pytest.mark.parametrize("name", ["home", "dashboard"])
def test_it_answers_404_on_home_and_dashboard_for_another_tenant(user_b_client, org_a, name):
    assert user_b_client.get(reverse(name), {"tenant": org_a.pk}).status_code == 404
    assert user_b_client.get(reverse(name), {"tenant": "org_missing"}).status_code == 404


@pytest.mark.parametrize("name", ["home", "dashboard"])
def test_it_answers_404_on_home_and_dashboard_for_an_unknown_tenant(super_admin_client, name):
    assert super_admin_client.get(reverse(name), {"tenant": "org_missing"}).status_code == 404


def test_it_takes_a_tenant_user_naming_their_own_tenant_home(owner_a_client, org_a):
    response = owner_a_client.get(reverse("home"), {"tenant": org_a.pk})
    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))
    assert owner_a_client.get(reverse("dashboard"), {"tenant": org_a.pk}).status_code == 200


def test_it_keeps_a_super_admins_tenant_from_home_to_the_dashboard(super_admin_client, org_a):
    response = super_admin_client.get(reverse("home"), {"tenant": org_a.pk})
    assert (response.status_code, response["Location"]) == (
        302,
        f"{reverse('dashboard')}?tenant={org_a.pk}",
    )
    assert super_admin_client.get(response["Location"]).status_code == 200


def test_it_sends_anonymous_users_from_home_to_login(client, db, org_a):
    response = client.get(reverse("home"), {"tenant": org_a.pk})
    assert (response.status_code, response["Location"]) == (302, reverse("dashboard"))
