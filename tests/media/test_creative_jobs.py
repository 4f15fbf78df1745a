"""``GET /dashboard/creative/jobs``: the jobs panel, polled more slowly while nothing changes."""

import json
import re

import pytest

from media import jobs
from media.models import GenerationJob
from media.services import queue_image_generation, run_generation_job
from tests.media.helpers import HTMX, JOBS, text_of

pytestmark = pytest.mark.django_db


def test_it_polls_slower_while_nothing_changes_and_stops_when_idle(
    owner_a_client, org_a, owner_a, monkeypatch
):
    monkeypatch.setattr(jobs, "job_enqueue", lambda job_id, *, delay_seconds=0: None)
    job = queue_image_generation(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="x", aspect_ratio="1:1"
    )

    first = owner_a_client.get(JOBS, **HTMX).content.decode()
    fingerprint = re.search(r"since=(\w+)", first).group(1)
    assert 'hx-trigger="load delay:1s"' in first
    second = owner_a_client.get(JOBS, {"since": fingerprint, "delay": "1"}, **HTMX).content.decode()
    assert 'hx-trigger="load delay:2s"' in second
    slow = owner_a_client.get(JOBS, {"since": fingerprint, "delay": "8"}, **HTMX).content.decode()
    assert 'hx-trigger="load delay:15s"' in slow

    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", clips_done=0, status_note="Generating the image"
    )
    changed = owner_a_client.get(JOBS, {"since": fingerprint, "delay": "15"}, **HTMX)
    assert 'hx-trigger="load delay:1s"' in changed.content.decode()
    assert "HX-Trigger" not in changed

    GenerationJob.objects.filter(pk=job.pk).update(status="queued")
    running_fingerprint = re.search(r"since=(\w+)", changed.content.decode()).group(1)
    assert run_generation_job(job.pk) == "done"
    done = owner_a_client.get(JOBS, {"since": running_fingerprint, "delay": "1"}, **HTMX)
    html = done.content.decode()
    assert "hx-trigger" not in html  # nothing active: polling stops
    assert json.loads(done["HX-Trigger"]) == {"media-gallery-changed": {}}
    assert "Done · cost $0.02" in text_of(done)


@pytest.mark.parametrize("delay", ["²", "①", "-1", "1e309", "99999"])
def test_it_polls_at_the_fastest_after_a_delay_that_is_not_a_small_number(
    owner_a_client, org_a, owner_a, monkeypatch, delay
):
    monkeypatch.setattr(jobs, "job_enqueue", lambda job_id, *, delay_seconds=0: None)
    queue_image_generation(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="x", aspect_ratio="1:1"
    )
    first = owner_a_client.get(JOBS, **HTMX).content.decode()
    fingerprint = re.search(r"since=(\w+)", first).group(1)
    response = owner_a_client.get(JOBS, {"since": fingerprint, "delay": delay}, **HTMX)
    assert response.status_code == 200
    assert 'hx-trigger="load delay:2s"' in response.content.decode()


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
