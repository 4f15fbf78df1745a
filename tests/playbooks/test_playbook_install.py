"""Installing a template from the library (``playbook_install``)."""

import pytest
from django.urls import reverse

from playbooks.models import Playbook
from tests.playbooks.helpers import messages_of

pytestmark = pytest.mark.django_db


def test_it_installs_from_the_library(owner_a_client, owner_a, org_a, templates):
    response = owner_a_client.post(
        reverse("playbooks:install"), {"template_id": "daily-product-spotlight"}
    )
    playbook = Playbook.objects.get(organisation=org_a)
    assert response["Location"] == reverse("playbooks:detail", args=[playbook.pk])
    assert playbook.installed_by == owner_a
    page = owner_a_client.get(reverse("playbooks:list")).content.decode()
    assert 'data-playbook="daily-product-spotlight"' in page
    assert "install-daily-product-spotlight" not in page


def test_it_says_an_unknown_template_does_not_exist(owner_a_client, templates):
    response = owner_a_client.post(reverse("playbooks:install"), {"template_id": "nope"})
    assert response["Location"] == reverse("playbooks:list")
    assert "Template “nope” does not exist" in messages_of(response)[0]


def test_it_keeps_a_super_admin_s_tenant_in_links(super_admin_client, org_a, templates):
    query = f"?tenant={org_a.pk}"
    response = super_admin_client.post(
        reverse("playbooks:install") + query, {"template_id": "weekly-deals-video"}
    )
    playbook = Playbook.objects.get(organisation=org_a)
    assert response["Location"] == reverse("playbooks:detail", args=[playbook.pk]) + query
    page = super_admin_client.get(response["Location"]).content.decode()
    assert f'action="{reverse("playbooks:run", args=[playbook.pk])}{query}"' in page
