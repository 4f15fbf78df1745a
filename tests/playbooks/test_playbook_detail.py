"""A playbook's page (``playbook_detail``): its estimate, schedule and runs."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_estimates_a_run_before_run_now(owner_a_client, playbook):
    page = owner_a_client.get(reverse("playbooks:detail", args=[playbook.pk])).content.decode()
    assert re.search(r'data-testid="estimate-total">\$4\.0018<', page)
    assert "veo, 10 s video (6 s + 4 s clips at 720p with audio; 10 s billed)" in page
    assert page.index("estimate-total") < page.index('data-testid="run-now"')
    assert "repeated hour runs once" in page
    assert "Mon 30 Nov 2026 09:00" in page or "09:00 P" in page
