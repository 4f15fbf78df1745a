"""/dashboard/api-tokens: owners manage their organisation's tokens, super admins the platform's;
the secret is shown once and only its hash is stored."""

import hashlib
import re

import pytest
from django.urls import reverse

from bakedbot.api_tokens import create_api_token
from bakedbot.models import ApiToken
from tests.api.conftest import ApiClient

URL = "/dashboard/api-tokens"


def _secret(html: str) -> str:
    return re.search(r'value="(bb_[^"]+)" readonly data-testid="secret"', html).group(1)


def test_it_has_the_path_the_sidebar_links_to():
    assert reverse("api_tokens") == URL


def test_it_sends_anonymous_users_to_login(client, db):
    for response in (client.get(URL), client.post(URL, {"name": "x"})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not ApiToken.objects.exists()


def test_it_refuses_members(member_a_client, token_a):
    assert member_a_client.get(URL).status_code == 403
    assert member_a_client.post(URL, {"name": "mine"}).status_code == 403
    revoke = reverse("api_token_revoke", args=[token_a.token.pk])
    assert member_a_client.post(revoke).status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().revoked_at is None


def test_it_refuses_users_without_an_organisation(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("loner@example.test"))
    assert client.get(URL).status_code == 403


def test_it_lists_only_the_owners_organisation_tokens(owner_a_client, token_a, token_b, org_a):
    html = owner_a_client.get(URL).content.decode()
    assert org_a.name in html
    assert token_a.token.prefix in html
    assert token_b.token.prefix not in html
    assert token_a.secret not in html
    assert "Never" in html


def test_it_shows_a_new_secret_once_and_stores_only_its_hash(owner_a_client, org_a, owner_a, db):
    response = owner_a_client.post(URL, {"name": "Looker export"})
    # Redirect after the POST: reloading the page that shows the secret makes no second token.
    assert response.status_code == 302 and response["Location"] == URL
    response = owner_a_client.get(URL)
    assert "no-store" in response["Cache-Control"]
    secret = _secret(response.content.decode())
    assert secret.startswith("bb_") and len(secret) > 40
    token = ApiToken.objects.get()
    assert (token.tenant, token.name, token.created_by) == (org_a, "Looker export", owner_a)
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) == 10
    assert all(secret not in str(value) for value in vars(token).values())
    # Shown once: reloading shows the list without it and makes no second token.
    assert secret not in owner_a_client.get(URL).content.decode()
    # And it works.
    assert ApiClient(secret).get("/budget").status_code == 200


def test_it_shows_the_last_use(owner_a_client, token_a, sql_store):
    ApiClient(token_a.secret).get("/budget")
    token_a.token.refresh_from_db()
    html = owner_a_client.get(URL).content.decode()
    assert f"{token_a.token.last_used_at:%Y}" in html
    assert "Never" not in html


@pytest.mark.parametrize(("name", "message"), [("", "Name the token"), ("x" * 81, "At most 80")])
def test_it_refuses_a_bad_name_naming_the_field(owner_a_client, db, name, message):
    response = owner_a_client.post(URL, {"name": name})
    assert response.status_code == 400
    assert 'data-testid="name-error"' in response.content.decode()
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_and_the_api_stops_taking_it(owner_a_client, token_a, store):
    api = ApiClient(token_a.secret)
    assert api.get("/budget").status_code == 200
    response = owner_a_client.post(reverse("api_token_revoke", args=[token_a.token.pk]))
    assert response.status_code == 302 and response["Location"] == URL
    token_a.token.refresh_from_db()
    assert token_a.token.revoked_at is not None
    assert api.get("/budget").status_code == 401
    html = owner_a_client.get(URL).content.decode()
    assert "Revoked" in html and 'data-testid="revoke"' not in html


def test_it_answers_404_for_another_organisations_token(owner_a_client, user_b_client, token_a):
    revoke = reverse("api_token_revoke", args=[token_a.token.pk])
    assert user_b_client.post(revoke).status_code == 404
    assert owner_a_client.post(reverse("api_token_revoke", args=["tok_missing"])).status_code == 404
    token_a.token.refresh_from_db()
    assert token_a.token.revoked_at is None


def test_it_answers_404_for_another_tenant_id(user_b_client, org_a):
    assert user_b_client.get(URL, {"tenant": org_a.pk}).status_code == 404


def test_it_refuses_get_on_revoke(owner_a_client, token_a):
    revoke = reverse("api_token_revoke", args=[token_a.token.pk])
    assert owner_a_client.get(revoke).status_code == 405


def test_it_lets_super_admins_manage_platform_tokens(super_admin_client, super_admin, token_a, db):
    html = super_admin_client.get(URL).content.decode()
    assert "platform" in html and token_a.token.prefix not in html
    response = super_admin_client.post(URL, {"name": "Finance dashboard"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    secret = _secret(response.content.decode())
    token = ApiToken.objects.get(name="Finance dashboard")
    assert token.tenant is None and token.created_by == super_admin
    assert ApiClient(secret).get("/global/costs").status_code == 200
    response = super_admin_client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert ApiClient(secret).get("/global/costs").status_code == 401


def test_it_lets_super_admins_manage_a_named_organisations_tokens(
    super_admin_client, org_a, token_a, db
):
    html = super_admin_client.get(URL, {"tenant": org_a.pk}).content.decode()
    assert token_a.token.prefix in html and org_a.name in html
    response = super_admin_client.post(f"{URL}?tenant={org_a.pk}", {"name": "Ops"})
    assert response.status_code == 302 and response["Location"] == f"{URL}?tenant={org_a.pk}"
    assert ApiToken.objects.get(name="Ops").tenant == org_a
    revoke = reverse("api_token_revoke", args=[token_a.token.pk])
    # A platform-scoped revoke does not reach a tenant token; the tenant-scoped one does.
    assert super_admin_client.post(revoke).status_code == 404
    response = super_admin_client.post(f"{revoke}?tenant={org_a.pk}")
    assert response["Location"] == f"{URL}?tenant={org_a.pk}"


def test_it_refuses_platform_tokens_to_anyone_but_super_admins(owner_a, db):
    with pytest.raises(PermissionError):
        create_api_token(tenant=None, name="x", created_by=owner_a, platform=True)


def test_it_caps_the_active_tokens_of_an_organisation(owner_a_client, org_a, owner_a, db):
    for n in range(25):
        assert create_api_token(tenant=org_a, name=f"t{n}", created_by=owner_a).secret
    response = owner_a_client.post(URL, {"name": "one too many"})
    assert response.status_code == 400 and "revoke one first" in response.content.decode()


def test_it_makes_one_token_however_often_the_page_is_reloaded(owner_a_client, db):
    owner_a_client.post(URL, {"name": "Looker export"})
    for _ in range(3):
        assert owner_a_client.get(URL).status_code == 200
    assert ApiToken.objects.count() == 1
