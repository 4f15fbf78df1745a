"""A run's page updates itself: the poll that sees the run finish brings its content in the
Creative Center and "Run again from a step" with it (an out-of-band swap), and its steps are
named for people ("Generate video"), not ``step-2 · generate_video``."""

import pytest
from django.urls import reverse

from playbooks.models import PlaybookRun
from playbooks.services import start_playbook_run

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_it_names_the_steps_for_people(owner_a_client, run):
    page = owner_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert '<strong data-testid="step-name">2. Generate video</strong>' in page
    assert "· generate_video" not in page
    assert ">3. Write caption</option>" in page


def test_it_swaps_in_what_a_finished_run_shows(owner_a_client, run):
    poll = owner_a_client.get(reverse("playbooks:run_detail", args=[run.pk]), **HTMX)
    html = poll.content.decode()
    assert 'id="run-progress"' in html and "<html" not in html
    assert '<div id="run-after" hx-swap-oob="true">' in html
    assert 'data-testid="run-submissions"' in html and 'id="rerun"' in html


def test_it_polls_only_the_progress_while_the_run_is_going(owner_a_client, playbook, shop):
    run = start_playbook_run(playbook=playbook, triggered_by="manual")
    assert PlaybookRun.objects.get(pk=run.pk).is_active
    html = owner_a_client.get(reverse("playbooks:run_detail", args=[run.pk]), **HTMX)
    assert "run-after" not in html.content.decode()


def test_it_keeps_another_organisations_run_hidden(user_b_client, run):
    response = user_b_client.get(reverse("playbooks:run_detail", args=[run.pk]), **HTMX)
    assert response.status_code == 404
