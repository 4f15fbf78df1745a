"""Running an organisation's installed template by id (``run_playbook_template``), and the
missing-template error with its fix."""

import pytest

from bakedbot.errors import InvalidInput
from playbooks.models import PlaybookRun
from playbooks.services import (
    run_playbook_template,
)

pytestmark = pytest.mark.django_db


def test_running_a_playbook_that_is_not_installed_explains_the_fix(org_a, templates):
    with pytest.raises(InvalidInput) as refused:
        run_playbook_template("weekly-deals-video", org_a.pk)
    error = refused.value.errors["template_id"]
    assert "“weekly-deals-video” is not installed for Alpha Brands" in error
    assert "Seed Templates" in error
    assert f"install_playbook_template('weekly-deals-video', '{org_a.pk}')" in error
    assert PlaybookRun.objects.count() == 0


def test_running_an_installed_template_by_id(org_a, shop, install, run_now):
    install("weekly-deals-video", org_a)
    started = run_playbook_template("weekly-deals-video", org_a.pk)
    assert run_now(started.run_id).status == "succeeded"
