"""Installing a global template for an organisation (``install_playbook_template``, the original
seed-playbooks suite's installing tests): idempotent, one per organisation, and the errors that
say how to fix them."""

import pytest

from bakedbot.errors import InvalidInput
from playbooks.models import Playbook
from playbooks.services import install_playbook_template, seed_playbook_templates

pytestmark = pytest.mark.django_db


def test_it_installs_a_template_for_an_organisation(org_a):
    seed_playbook_templates()
    result = install_playbook_template("weekly-deals-video", org_a.pk)
    playbook = Playbook.objects.get(pk=result.playbook_id)
    assert playbook.organisation == org_a
    assert playbook.template_id == "weekly-deals-video"
    assert playbook.enabled is True
    assert playbook.schedule == "0 9 * * 1"
    assert playbook.next_run_at is not None
    local = playbook.next_run_at.astimezone(org_a.tz)
    assert (local.weekday(), local.hour, local.minute) == (0, 9, 0)


def test_installing_twice_answers_the_same_playbook(org_a):
    seed_playbook_templates()
    first = install_playbook_template("weekly-deals-video", org_a.pk)
    second = install_playbook_template("weekly-deals-video", org_a.pk)
    assert second == first
    assert Playbook.objects.count() == 1


def test_each_organisation_gets_its_own_installation(org_a, org_b):
    seed_playbook_templates()
    a = install_playbook_template("weekly-deals-video", org_a.pk)
    b = install_playbook_template("weekly-deals-video", org_b.pk)
    assert a.playbook_id != b.playbook_id


def test_installing_an_unseeded_template_says_how_to_fix_it(org_a):
    with pytest.raises(InvalidInput) as refused:
        install_playbook_template("weekly-deals-video", org_a.pk)
    error = refused.value.errors["template_id"]
    assert "does not exist" in error
    assert "/dashboard/ceo/playbooks" in error and "Seed Templates" in error
    assert Playbook.objects.count() == 0


def test_installing_for_an_unknown_organisation_fails_cleanly():
    seed_playbook_templates()
    with pytest.raises(InvalidInput) as refused:
        install_playbook_template("weekly-deals-video", "org_missing")
    assert refused.value.errors == {"org_id": "Organisation “org_missing” does not exist"}
    assert Playbook.objects.count() == 0
