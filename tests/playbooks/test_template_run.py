"""Running an installed template by its id (``template_run``)."""

import pytest
from django.urls import reverse

from playbooks.models import PlaybookRun

pytestmark = pytest.mark.django_db


def test_it_shows_the_fix_for_a_template_that_is_not_installed(owner_a_client, templates):
    response = owner_a_client.post(
        reverse("playbooks:template_run", args=["weekly-deals-video"]), follow=True
    )
    page = response.content.decode()
    assert "is not installed for Alpha Brands" in page
    assert "Seed Templates" in page and "install_playbook_template(" in page
    assert PlaybookRun.objects.count() == 0


def test_it_runs_an_installed_template_by_id(owner_a_client, playbook):
    response = owner_a_client.post(reverse("playbooks:template_run", args=["weekly-deals-video"]))
    run = PlaybookRun.objects.get()
    assert response["Location"] == reverse("playbooks:run_detail", args=[run.pk])
