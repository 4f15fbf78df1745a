import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from bakedbot.models import Organisation


def test_it_defaults_to_los_angeles_and_validates_the_time_zone(db):
    org = Organisation(name="Gamma", slug="gamma", kind="brand")
    org.full_clean()
    assert org.time_zone == "America/Los_Angeles"
    org.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "time_zone" in error.value.message_dict
    assert "IANA time zone" in error.value.message_dict["time_zone"][0]


def test_it_refuses_an_unknown_kind(db):
    org = Organisation(name="Gamma", slug="gamma", kind="farm")
    with pytest.raises(ValidationError) as error:
        org.full_clean()
    assert "kind" in error.value.message_dict


@pytest.mark.parametrize(
    "name",
    [
        "admin:bakedbot_organisation_changelist",
        "admin:bakedbot_organisation_add",
        "admin:bakedbot_membership_changelist",
        "admin:auth_user_changelist",
        "admin:bakedbot_apitoken_changelist",
    ],
)
def test_it_offers_django_admin_for_tenants_and_users(super_admin_client, owner_a, name):
    response = super_admin_client.get(reverse(name))
    assert response.status_code == 200


def test_it_keeps_tenant_users_out_of_django_admin(owner_a_client):
    response = owner_a_client.get(reverse("admin:bakedbot_organisation_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_it_refuses_a_bad_time_zone_in_the_admin(super_admin_client, org_a):
    url = reverse("admin:bakedbot_organisation_change", args=[org_a.pk])
    response = super_admin_client.post(
        url,
        {
            "name": org_a.name,
            "slug": org_a.slug,
            "kind": org_a.kind,
            "time_zone": "Nowhere/Land",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "is not an IANA time zone" in response.content.decode()
    org_a.refresh_from_db()
    assert org_a.time_zone == "America/Los_Angeles"
