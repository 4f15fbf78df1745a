"""The permission matrix for every presets URL: anonymous users go to the login page, members may
not delete or publish (403), another tenant's preset or organisation answers 404, and super admins
act for a tenant only with ``?tenant=``."""

import pytest
from django.urls import reverse

from presets.models import StylePreset
from tests.presets.factories import make_preset, preset_input

PAGES = ["presets:gallery", "presets:create", "presets:published", "presets:preview"]
PRESET_GETS = ["presets:edit"]
PRESET_POSTS = ["presets:edit", "presets:delete", "presets:publish", "presets:copy"]
OWNER_ONLY = ["presets:delete", "presets:publish"]


@pytest.fixture
def preset_a(org_a):
    return make_preset(org_a, name="Alpha house style")


def _post_data(name):
    if name == "presets:publish":
        return {"public": "1"}
    if name == "presets:edit":
        return {**preset_input(name="Renamed"), "tags": "x"}
    return {}


@pytest.mark.parametrize("name", [*PAGES, "presets:compose"])
def test_it_sends_anonymous_users_to_login(client, db, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", PRESET_POSTS)
def test_it_sends_anonymous_posts_to_login_and_changes_nothing(client, preset_a, name):
    response = client.post(reverse(name, args=[preset_a]), _post_data(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    preset = StylePreset.objects.get(pk=preset_a)
    assert preset.name == "Alpha house style" and not preset.is_public


@pytest.mark.parametrize("name", [*PAGES, "presets:compose"])
def test_it_serves_members_and_owners(owner_a_client, member_a_client, name):
    for client in (owner_a_client, member_a_client):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", OWNER_ONLY)
def test_it_refuses_members_what_only_owners_may_do(member_a_client, preset_a, name):
    response = member_a_client.post(reverse(name, args=[preset_a]), _post_data(name))
    assert response.status_code == 403
    preset = StylePreset.objects.get(pk=preset_a)
    assert not preset.is_public


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("presets:edit", 302),
        ("presets:copy", 302),
        ("presets:publish", 302),
        ("presets:delete", 302),
    ],
)
def test_it_lets_owners_do_everything(owner_a_client, preset_a, name, expected):
    response = owner_a_client.post(reverse(name, args=[preset_a]), _post_data(name))
    assert response.status_code == expected


@pytest.mark.parametrize("name", ["presets:edit", "presets:copy"])
def test_it_lets_members_edit_and_copy(member_a_client, preset_a, name):
    response = member_a_client.post(reverse(name, args=[preset_a]), _post_data(name))
    assert response.status_code == 302


@pytest.mark.parametrize("name", PRESET_GETS)
def test_it_answers_404_for_another_tenants_preset_on_get(user_b_client, preset_a, name):
    assert user_b_client.get(reverse(name, args=[preset_a])).status_code == 404


@pytest.mark.parametrize("name", PRESET_POSTS)
def test_it_answers_404_for_another_tenants_preset_on_post(user_b_client, preset_a, name):
    response = user_b_client.post(reverse(name, args=[preset_a]), _post_data(name))
    assert response.status_code == 404
    preset = StylePreset.objects.get(pk=preset_a)
    assert preset.name == "Alpha house style" and not preset.is_public
    assert StylePreset.objects.count() == 1


@pytest.mark.parametrize("name", PRESET_POSTS)
def test_it_answers_404_for_an_unknown_preset(owner_a_client, name):
    response = owner_a_client.post(reverse(name, args=["preset_missing"]), _post_data(name))
    assert response.status_code == 404


def test_it_answers_404_when_composing_with_another_tenants_preset(user_b_client, preset_a):
    response = user_b_client.get(
        reverse("presets:compose"), {"base_prompt": "x", "preset_id": preset_a}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", [*PAGES, "presets:compose"])
def test_it_answers_404_for_another_tenants_organisation(user_b_client, org_a, name):
    assert user_b_client.get(reverse(name), {"tenant": org_a.pk}).status_code == 404


@pytest.mark.parametrize("name", [*PAGES, "presets:compose"])
def test_it_refuses_super_admins_without_a_tenant(super_admin_client, name):
    assert super_admin_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", [*PAGES, "presets:compose"])
def test_it_lets_super_admins_act_for_a_tenant(super_admin_client, org_a, name):
    assert super_admin_client.get(reverse(name), {"tenant": org_a.pk}).status_code == 200


def test_it_lets_a_super_admin_acting_for_a_tenant_delete_and_stay_in_it(
    super_admin_client, org_a, preset_a
):
    url = reverse("presets:delete", args=[preset_a]) + f"?tenant={org_a.pk}"
    response = super_admin_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('presets:gallery')}?tenant={org_a.pk}"
    assert not StylePreset.objects.filter(pk=preset_a).exists()


@pytest.mark.parametrize("name", PAGES)
def test_it_refuses_other_methods_on_pages(owner_a_client, name):
    if name == "presets:create":
        assert owner_a_client.put(reverse(name)).status_code == 405
    else:
        assert owner_a_client.post(reverse(name)).status_code == 405


@pytest.mark.parametrize("name", ["presets:delete", "presets:publish", "presets:copy"])
def test_it_refuses_get_on_actions(owner_a_client, preset_a, name):
    assert owner_a_client.get(reverse(name, args=[preset_a])).status_code == 405
