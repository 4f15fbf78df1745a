"""Enabling and disabling a playbook (``playbook_toggle``)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_disables_and_enables(owner_a_client, playbook):
    url = reverse("playbooks:toggle", args=[playbook.pk])
    owner_a_client.post(url, {"enabled": "false"})
    playbook.refresh_from_db()
    assert (playbook.enabled, playbook.next_run_at) == (False, None)
    response = owner_a_client.post(url, {"enabled": "true", "return_to": "detail"})
    assert response["Location"] == reverse("playbooks:detail", args=[playbook.pk])
    playbook.refresh_from_db()
    assert playbook.enabled and playbook.next_run_at
