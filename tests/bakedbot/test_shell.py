import re

from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.urls import reverse

from bakedbot import views
from tests.factories import PASSWORD


def _sidebar_links(html: str) -> list[str]:
    return re.findall(r'data-nav="([^"]+)"', html)


def test_it_logs_in_with_email_and_password(client, owner_a):
    response = client.post(
        reverse("login"), {"username": owner_a.username, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert response.wsgi_request.user == owner_a


def test_it_shows_a_clear_error_for_a_wrong_password(client, owner_a):
    response = client.post(reverse("login"), {"username": owner_a.username, "password": "nope"})
    assert response.status_code == 200
    html = response.content.decode()
    # The field is labelled Email: the error names it so, never Django's "username".
    assert "That email and password do not match an account" in html
    assert "correct username" not in html


def test_it_logs_out_with_post(owner_a_client):
    response = owner_a_client.post(reverse("logout"))
    assert response.status_code == 302
    assert owner_a_client.get(reverse("dashboard")).status_code == 302


def test_it_shows_organisation_and_user_in_the_header(owner_a_client, org_a, owner_a):
    html = owner_a_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="org-name"' in html and org_a.name in html
    assert owner_a.first_name in html and "(Owner)" in html


def test_it_shows_tenant_users_only_tenant_entries(member_a_client, org_a):
    html = member_a_client.get(reverse("dashboard")).content.decode()
    assert _sidebar_links(html) == [
        f"{org_a.name}/Media",
        f"{org_a.name}/Creative Center",
        f"{org_a.name}/Presets",
        f"{org_a.name}/A/B tests",
        f"{org_a.name}/Playbooks",
    ]


def test_it_shows_owners_the_api_tokens_entry_too(owner_a_client, org_a):
    html = owner_a_client.get(reverse("dashboard")).content.decode()
    assert _sidebar_links(html) == [
        f"{org_a.name}/Media",
        f"{org_a.name}/Creative Center",
        f"{org_a.name}/Presets",
        f"{org_a.name}/A/B tests",
        f"{org_a.name}/Playbooks",
        f"{org_a.name}/API tokens",
    ]
    assert 'href="/dashboard/api-tokens"' in html


def test_it_shows_super_admins_the_operations_section(super_admin_client):
    html = super_admin_client.get(reverse("dashboard")).content.decode()
    assert _sidebar_links(html) == [
        "Operations/Creative Center",
        "Operations/Media Costs",
        "Operations/Price versions",
        "Operations/Bills",
        "Operations/Playbooks",
        "Operations/API tokens",
    ]
    assert 'href="/dashboard/ceo?tab=costs"' in html
    assert 'href="/dashboard/ceo/playbooks"' in html
    assert 'href="/dashboard/costs/prices"' in html
    assert 'href="/dashboard/costs/billing"' in html


def test_it_renders_flash_messages_as_toasts(rf, owner_a):
    request = rf.get(reverse("dashboard"))
    request.user = owner_a
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    messages.success(request, "Budget saved")
    html = views.dashboard(request).content.decode()
    assert re.search(r'class="toast toast-success"[^>]*>Budget saved', html)
