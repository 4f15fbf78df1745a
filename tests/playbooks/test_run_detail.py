"""A run's page (``run_detail``): each step with its cost and provider, progress polling, what
the run submitted and how the Creative Center links rejected content back to it."""

import re

import pytest
from django.urls import reverse

from playbooks.models import PlaybookRun
from playbooks.runner import execute_playbook_run
from playbooks.services import start_playbook_run
from tests.playbooks.helpers import reject_submission

pytestmark = pytest.mark.django_db


def test_it_shows_each_step_with_its_cost(member_a_client, run):
    page = member_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert page.count('data-step-status="succeeded"') == 6
    assert 'data-testid="run-total">$4.0018<' in page
    assert 'data-testid="run-caption"' in page and "21+" in page
    assert 'data-testid="run-video"' in page
    assert 'hx-trigger="load delay' not in page  # finished: the run stops polling
    assert "Run again from a step" not in page  # members can't re-run


def test_it_polls_while_running_and_slows_down_when_nothing_changes(owner_a_client, playbook):
    queued = start_playbook_run(playbook=playbook, triggered_by="manual")
    url = reverse("playbooks:run_detail", args=[queued.pk])
    page = owner_a_client.get(url).content.decode()
    assert 'hx-trigger="load delay:1s"' in page
    fragment = owner_a_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="run-progress"')
    assert "<html" not in fragment
    fingerprint = "queued:" + ",".join(["pending"] * 6)
    assert "since=queued%3Apending%2Cpending" in fragment
    same = owner_a_client.get(
        url, {"since": fingerprint, "delay": "4"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="load delay:8s"' in same
    capped = owner_a_client.get(
        url,
        {"since": fingerprint, "delay": "8"},
        headers={"HX-Request": "true"},
    )
    assert 'hx-trigger="load delay:10s"' in capped.content.decode()
    changed = owner_a_client.get(
        url, {"since": "other", "delay": "8"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="load delay:1s"' in changed


def test_it_and_the_run_history_show_the_provider_each_media_step_used(
    member_a_client, run, playbook
):
    page = member_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="step-provider">veo · veo-3.1-generate-preview, 10 s, 9:16' in page
    detail = member_a_client.get(reverse("playbooks:detail", args=[playbook.pk])).content.decode()
    assert re.search(
        r'data-testid="run-provider" title="step-2: veo-3\.1-generate-preview">veo</span>', detail
    )
    listing = member_a_client.get(reverse("playbooks:list")).content.decode()
    assert 'data-testid="run-provider"' in listing


def test_it_shows_an_image_step_s_tier_and_why(owner_a_client, org_a, install, shop):
    spotlight = install(
        "daily-product-spotlight", org_a, param_overrides={"step-2": {"tier": "super"}}
    )
    run = execute_playbook_run(start_playbook_run(playbook=spotlight, triggered_by="manual").pk)
    assert run.status == "succeeded", run.error
    page = owner_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert 'data-testid="step-provider">gemini-pro at 4K · gemini-3-pro-image (super tier)' in page
    assert "super tier: gemini-pro at 4K (Imagen was retired on 2026-08-17)" in page
    detail = owner_a_client.get(reverse("playbooks:detail", args=[spotlight.pk])).content.decode()
    assert ">gemini-pro 4K</span>" in detail
    assert "gemini-pro at 4K image (super tier, 4K)" in detail  # the estimate says so too


def test_it_is_linked_from_rejected_content_to_its_rerun_form(owner_a_client, owner_a, org_a, run):
    pending = owner_a_client.get(reverse("media:creative")).content.decode()
    run_page = reverse("playbooks:run_detail", args=[run.pk]) + f"?tenant={org_a.pk}"
    assert f'<a href="{run_page}" data-testid="source-link">' in pending
    reject_submission(run, org_a, owner_a)

    creative = owner_a_client.get(reverse("media:creative")).content.decode()
    assert f'<a href="{run_page}#rerun" data-testid="rerun-link">' in creative

    page = owner_a_client.get(run_page).content.decode()
    assert '<section id="rerun"' in page
    assert 'data-testid="rerun-rejection"' in page
    assert ">Too long: mention Friday</textarea>" in page
    assert re.search(r'<option value="step-3"\s+selected>', page)
    assert re.search(r'data-testid="submission"[^>]+data-status="rejected"', page)
    assert 'data-testid="review-comment">“Too long: mention Friday”<' in page


def test_it_shows_members_the_run_but_no_rerun_form(member_a_client, owner_a, org_a, run):
    reject_submission(run, org_a, owner_a)
    creative = member_a_client.get(reverse("media:creative")).content.decode()
    assert 'data-testid="rerun-link"' not in creative
    assert 'data-testid="source-link"' in creative
    page = member_a_client.get(reverse("playbooks:run_detail", args=[run.pk])).content.decode()
    assert 'data-status="rejected"' in page and '<section id="rerun"' not in page


def test_it_is_linked_for_a_super_admin_naming_the_tenant(super_admin_client, owner_a, org_a, run):
    reject_submission(run, org_a, owner_a)
    creative = super_admin_client.get(reverse("media:creative")).content.decode()
    run_page = reverse("playbooks:run_detail", args=[run.pk]) + f"?tenant={org_a.pk}"
    assert f'href="{run_page}#rerun"' in creative
    page = super_admin_client.get(run_page).content.decode()
    assert ">Too long: mention Friday</textarea>" in page


def test_it_is_not_linked_from_content_whose_run_is_gone(owner_a_client, owner_a, org_a, run):
    reject_submission(run, org_a, owner_a)
    PlaybookRun.objects.filter(pk=run.pk).delete()
    creative = owner_a_client.get(reverse("media:creative")).content.decode()
    assert "rerun-link" not in creative and "source-link" not in creative
