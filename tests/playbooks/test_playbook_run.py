"""Run now and Dry run (``playbook_run``)."""

import pytest
from django.urls import reverse

from playbooks.models import PlaybookRun

pytestmark = pytest.mark.django_db


def test_it_starts_runs_and_dry_runs(owner_a_client, owner_a, playbook):
    url = reverse("playbooks:run", args=[playbook.pk])
    owner_a_client.post(url)
    owner_a_client.post(url, {"mode": "dry_run"})
    runs = PlaybookRun.objects.order_by("created_at")
    assert [(r.dry_run, r.triggered_by, r.user) for r in runs] == [
        (False, "manual", owner_a),
        (True, "manual", owner_a),
    ]
    assert runs[0].status == "queued"
