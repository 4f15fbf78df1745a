"""The Playbooks page (``playbook_list``): installed playbooks and the template library."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_offers_the_library_to_owners_only(owner_a_client, member_a_client, templates):
    page = owner_a_client.get(reverse("playbooks:list")).content.decode()
    assert 'data-testid="install-weekly-deals-video"' in page
    page = member_a_client.get(reverse("playbooks:list")).content.decode()
    assert "install-weekly-deals-video" not in page and "an owner can install it" in page


def test_it_explains_an_empty_library(owner_a_client, db):
    page = owner_a_client.get(reverse("playbooks:list")).content.decode()
    assert "“Seed Templates”" in page
