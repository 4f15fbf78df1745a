"""Marking an in-app notification read (``notification_read``)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_marks_a_notification_read_for_its_user_only(
    member_a_client, owner_a_client, notification
):
    url = reverse("playbooks:notification_read", args=[notification.pk])
    assert owner_a_client.post(url).status_code == 404
    response = member_a_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    notification.refresh_from_db()
    assert notification.read_at is not None
