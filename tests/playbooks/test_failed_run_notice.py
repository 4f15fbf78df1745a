"""A failed playbook run reaches the owners' bell (``bakedbot.notices``), once, with the reason
and a link to the run; a dry run tells no one."""

import pytest
from django.urls import reverse

from bakedbot.notices import get_bell
from costs.budgets import update_media_budget
from playbooks.services import start_playbook_run

pytestmark = pytest.mark.django_db


def test_it_rings_the_owners_bell_when_a_run_fails(
    org_a, owner_a, member_a, shop, install, run_now
):
    update_media_budget(org_a.pk, {"daily_limit": "1.00"})  # the video step is refused
    playbook = install("weekly-deals-video", org_a)
    run = run_now(start_playbook_run(playbook=playbook, triggered_by="manual"))
    assert run.status == "failed"
    [notice] = [n for n in get_bell(user=owner_a).notices if n.kind == "run"]
    assert notice.title == f"Playbook “{playbook.name}” failed"
    assert notice.body == run.error[:300]
    assert notice.link == reverse("playbooks:run_detail", args=[run.pk])
    assert [n for n in get_bell(user=member_a).notices if n.kind == "run"] == []


def test_it_tells_no_one_about_a_dry_run(org_a, owner_a, shop, install, run_now):
    update_media_budget(org_a.pk, {"daily_limit": "1.00"})
    playbook = install("weekly-deals-video", org_a)
    run = run_now(start_playbook_run(playbook=playbook, triggered_by="manual", dry_run=True))
    assert [n for n in get_bell(user=owner_a).notices if n.kind == "run"] == []
    assert run.dry_run and run.status == "failed"
