"""Who may use each playbook URL: anonymous users go to the login page, another tenant's
objects answer 404, members may not change anything (403), super admins pick a tenant."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


# name, method, needs owner, object the URL takes
TENANT_URLS = [
    ("playbooks:list", "get", False, None),
    ("playbooks:install", "post", True, None),
    ("playbooks:template_run", "post", True, "template"),
    ("playbooks:detail", "get", False, "playbook"),
    ("playbooks:settings", "post", True, "playbook"),
    ("playbooks:toggle", "post", True, "playbook"),
    ("playbooks:run", "post", True, "playbook"),
    ("playbooks:run_detail", "get", False, "run"),
    ("playbooks:run_rerun", "post", True, "run"),
]


SUPER_ADMIN_URLS = [("playbooks:ceo_library", "get"), ("playbooks:ceo_seed", "post")]


@pytest.fixture
def url_for(request):
    def _url(name, kind):
        if kind is None:
            return reverse(name)
        if kind == "template":
            return reverse(name, args=["weekly-deals-video"])
        return reverse(name, args=[request.getfixturevalue(kind).pk])

    return _url


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_it_sends_anonymous_users_to_login(client, url_for, name, method, owner, kind):
    url = url_for(name, kind)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_it_refuses_the_wrong_method(owner_a_client, url_for, name, method, owner, kind):
    wrong = "post" if method == "get" else "get"
    assert getattr(owner_a_client, wrong)(url_for(name, kind)).status_code == 405


@pytest.mark.parametrize(("name", "method", "owner", "kind"), [u for u in TENANT_URLS if u[2]])
def test_it_refuses_members_anything_that_changes(
    member_a_client, url_for, name, method, owner, kind
):
    assert member_a_client.post(url_for(name, kind)).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "owner", "kind"), [u for u in TENANT_URLS if u[3] not in (None, "template")]
)
def test_it_answers_404_for_another_tenant_s_objects(
    user_b_client, url_for, name, method, owner, kind
):
    assert getattr(user_b_client, method)(url_for(name, kind)).status_code == 404


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_it_answers_404_for_naming_another_tenant(
    user_b_client, org_a, url_for, name, method, owner, kind
):
    url = url_for(name, kind) + f"?tenant={org_a.pk}"
    assert getattr(user_b_client, method)(url).status_code == 404


@pytest.mark.parametrize(("name", "method", "owner", "kind"), TENANT_URLS)
def test_it_asks_super_admins_to_pick_a_tenant(
    super_admin_client, url_for, name, method, owner, kind
):
    assert getattr(super_admin_client, method)(url_for(name, kind)).status_code == 403


@pytest.mark.parametrize(
    ("name", "method", "owner", "kind"), [u for u in TENANT_URLS if u[1] == "get"]
)
def test_it_lets_members_owners_and_super_admins_with_a_tenant_read(
    owner_a_client, member_a_client, super_admin_client, org_a, url_for, name, method, owner, kind
):
    url = url_for(name, kind)
    for client, query in [
        (owner_a_client, ""),
        (member_a_client, ""),
        (super_admin_client, f"?tenant={org_a.pk}"),
    ]:
        response = client.get(url + query)
        assert response.status_code == 200
        assert org_a.name in response.content.decode()


@pytest.mark.parametrize(("name", "method"), SUPER_ADMIN_URLS)
def test_it_refuses_tenant_users_the_super_admin_pages(
    owner_a_client, member_a_client, client, name, method
):
    url = reverse(name)
    assert getattr(owner_a_client, method)(url).status_code == 403
    assert getattr(member_a_client, method)(url).status_code == 403
    assert getattr(client, method)(url).status_code == 302
