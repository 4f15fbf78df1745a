"""Saving a playbook's schedule and step parameters (``playbook_settings``)."""

import pytest
from django.urls import reverse

from playbooks.models import Playbook

pytestmark = pytest.mark.django_db


def test_it_saves_settings(owner_a_client, playbook):
    url = reverse("playbooks:settings", args=[playbook.pk])
    response = owner_a_client.post(
        url,
        {
            "enabled": "on",
            "schedule": "0 8 * * 2",
            "param__step-2__provider": "sora",
            "param__step-2__duration": "10",
            "param__step-2__aspectRatio": "9:16",
            "param__step-3__platform": "instagram",
            "param__step-3__includeHashtags": "true",
            "param__step-3__includeCTA": "false",
            "param__step-6__channels": ["in_app"],
        },
    )
    assert response.status_code == 302
    playbook.refresh_from_db()
    assert playbook.schedule == "0 8 * * 2"
    assert playbook.param_overrides == {
        "step-2": {"provider": "sora"},
        "step-3": {"includeCTA": False},
        "step-6": {"channels": ["in_app"]},
    }
    page = owner_a_client.get(reverse("playbooks:detail", args=[playbook.pk])).content.decode()
    assert "sora, 10 s video (12 s clips at 720p with audio; 12 s billed)" in page


def test_it_refuses_bad_settings_naming_the_field_and_saves_nothing(owner_a_client, playbook):
    url = reverse("playbooks:settings", args=[playbook.pk])
    response = owner_a_client.post(
        url, {"enabled": "on", "schedule": "0 9 * *", "param__step-3__platform": "myspace"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved" in page
    assert 'data-testid="schedule-error"' in page and "needs 5 fields" in page
    assert "parameter “platform”: Must be one of" in page
    assert 'value="0 9 * *"' in page
    stored = Playbook.objects.get(pk=playbook.pk)
    assert (stored.schedule, stored.param_overrides) == ("0 9 * * 1", {})
