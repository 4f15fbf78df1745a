"""A variant's image in the wizard: the Generate button queues a media job (no provider is called
in the request), the image panel (``abtests:variant_media``) follows the job by polling, and the
image shows with its cost once a worker has made it — or the reason it was not made."""

import pytest
from django.urls import reverse

from abtests.models import MediaABTestVariant
from media.services import run_generation_job
from tests.abtests.conftest import (
    FLASH_PATH,
    image_reply,
    make_test,
    start,
    variant_ids,
    variants_post,
    wizard_url,
)
from tests.media.providers.fakes import Reply, google_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

ROWS = [
    {"name": "Control", "preset_id": "builtin-professional", "custom_prompt": ""},
    {"name": "Playful", "preset_id": "builtin-playful", "custom_prompt": ""},
]


def _panel(test, variant_id):
    return reverse("abtests:variant_media", args=[test.pk, variant_id])


def _generate(client, test, index, rows=ROWS, **extra):
    settings = {"provider": "gemini-flash", "aspect_ratio": "1:1"} | extra
    return client.post(wizard_url(test), variants_post(rows, f"generate-{index}", **settings))


def test_generate_queues_the_image_and_the_wizard_shows_it_once_made(
    member_a_client, org_a, gemini, png_bytes
):
    gemini.on("POST", FLASH_PATH, image_reply(png_bytes))
    test = make_test(org_a, variants=[], wizard_step=2)
    response = _generate(member_a_client, test, 1)
    # Back to the step by a redirect: reloading it shows the job, it never queues another.
    assert response.status_code == 302 and response["Location"] == wizard_url(test, 2)
    html = member_a_client.get(response["Location"]).content.decode()
    assert gemini.requests == []  # no provider call inside the request
    assert "The image for Playful is being made." in html
    assert 'data-testid="media-job"' in html and "Queued" in html
    control, playful = test.variants.all()
    assert playful.media_job_id and not control.media_job_id
    panel = _panel(test, playful.pk)
    assert f'hx-get="{panel}?since=' in html and 'hx-trigger="load delay:1s"' in html
    # The panel swaps itself, not the form's target (the whole wizard).
    assert 'hx-target="this"' in html

    # A worker runs the job; the wizard then shows the image and what it cost.
    assert run_generation_job(playful.media_job_id) == "done"
    assert len(gemini.requests) == 1
    html = member_a_client.get(wizard_url(test, 2)).content.decode()
    assert 'data-testid="variant-media"' in html and 'data-testid="media-job"' not in html
    control, playful = test.variants.all()
    assert control.media_ref == "" and playful.media_ref.startswith("/dashboard/creative/media/")
    assert playful.media_cost_micros > 0
    # Saving the step again with the same preset and prompt keeps the image.
    rows = [{"id": v.pk, **row} for v, row in zip((control, playful), ROWS, strict=True)]
    member_a_client.post(wizard_url(test), variants_post(rows))
    playful.refresh_from_db()
    assert playful.media_ref.startswith("/dashboard/creative/media/")


def test_the_panel_polls_slower_while_nothing_changes_then_shows_the_image(member_a_client, org_a):
    test = make_test(org_a, variants=[], wizard_step=2)
    _generate(member_a_client, test, 0)
    control = test.variants.get(position=0)
    url = _panel(test, control.pk)
    first = member_a_client.get(url, HTTP_HX_REQUEST="true")
    html = first.content.decode()
    assert first.status_code == 200
    assert html.lstrip().startswith('<div class="wizard-media" id="variant-media-0"')
    since = html.split("since=")[1].split("&")[0]
    assert 'hx-trigger="load delay:1s"' in html
    again = member_a_client.get(url, {"since": since, "delay": "1"}, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="load delay:2s"' in again.content.decode()
    nonsense = member_a_client.get(url, {"since": since, "delay": "1e309"}, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="load delay:2s"' in nonsense.content.decode()

    assert run_generation_job(control.media_job_id) == "done"
    done = member_a_client.get(url, {"since": since, "delay": "2"}, HTTP_HX_REQUEST="true")
    html = done.content.decode()
    assert 'data-testid="variant-media"' in html and "hx-get" not in html
    assert test.variants.get(position=0).media_ref.startswith("/dashboard/creative/media/")


def test_without_javascript_the_panel_url_leads_back_to_the_step(member_a_client, draft_test):
    control, _ = variant_ids(draft_test)
    response = member_a_client.get(_panel(draft_test, control))
    assert response.status_code == 302
    assert response["Location"] == wizard_url(draft_test, 2)


def test_it_shows_why_an_image_was_not_made(member_a_client, org_a, gemini):
    gemini.on("POST", FLASH_PATH, Reply(400, json=google_error(400, "INVALID_ARGUMENT", "bad")))
    test = make_test(org_a, variants=[], wizard_step=2)
    _generate(member_a_client, test, 0)
    control = test.variants.get(position=0)
    assert run_generation_job(control.media_job_id) == "failed"
    html = member_a_client.get(_panel(test, control.pk), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="media-failed"' in html and "bad" in html
    assert 'data-testid="generate-0"' in html  # and it may be tried again
    assert test.variants.get(position=0).media_ref == ""


def test_it_shows_why_an_image_was_not_queued(member_a_client, org_a):
    test = make_test(org_a, base_prompt="", variants=[], wizard_step=2)
    rows = [{"name": "A", "preset_id": "builtin-modern", "custom_prompt": ""}]
    response = _generate(member_a_client, test, 0, rows=rows)
    assert response.status_code == 400
    assert "Write a base prompt or this variant&#x27;s prompt first." in response.content.decode()
    assert not MediaABTestVariant.objects.exclude(media_job_id="").exists()


def test_it_reports_bad_generation_settings_under_the_variant(member_a_client, org_a):
    test = make_test(org_a, variants=[], wizard_step=2)
    response = _generate(member_a_client, test, 1, aspect_ratio="7:3")
    assert response.status_code == 400
    assert "7:3 is not one of them" in response.content.decode()
    assert not MediaABTestVariant.objects.exclude(media_job_id="").exists()


def test_it_sends_anonymous_users_to_login(client, draft_test):
    response = client.get(_panel(draft_test, variant_ids(draft_test)[0]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_another_tenants_variant(user_b_client, member_a_client, org_a):
    test = make_test(org_a)
    other = make_test(org_a, name="Other")
    assert user_b_client.get(_panel(test, variant_ids(test)[0])).status_code == 404
    assert member_a_client.get(_panel(test, variant_ids(other)[0])).status_code == 404


def test_it_is_for_an_organisation(super_admin_client, draft_test):
    response = super_admin_client.get(_panel(draft_test, variant_ids(draft_test)[0]))
    assert response.status_code == 403


def test_a_started_test_sends_the_panel_to_its_results(member_a_client, org_a):
    test = start(make_test(org_a))
    response = member_a_client.get(_panel(test, variant_ids(test)[0]), HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    assert response["Location"] == reverse("abtests:detail", args=[test.pk])
