"""The demo A/B tests load once, through the services, and show what the product does."""

import pytest
from django_q.models import Schedule

from abtests.demo import load_demo_data
from abtests.models import MediaABTest
from abtests.services import BANDIT_SCHEDULE
from bakedbot.demo import demo_setup_tenants

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_tests_once():
    demo_setup_tenants()
    lines = []
    load_demo_data(lines.append)
    load_demo_data(lines.append)
    assert lines == [
        "A/B tests: 5 created, 0 already there.",
        "A/B tests: 0 created, 5 already there.",
    ]
    tests = {t.name: t for t in MediaABTest.objects.all()}
    statuses = {name: t.status for name, t in tests.items()}
    assert statuses == {
        "Spring drop hero image": "running",
        "Weekly deals thumbnail": "running",
        "Pre-roll launch banner": "running",
        "Holiday gift guide banner": "draft",
        "Craft cultivation story": "completed",
    }
    spring = tests["Spring drop hero image"]
    assert spring.results.get(is_winner=True).variant.name == "Playful"
    assert not tests["Weekly deals thumbnail"].results.filter(is_winner=True).exists()


def test_the_bandit_demo_is_scheduled():
    demo_setup_tenants()
    load_demo_data(lambda line: None)
    bandit = MediaABTest.objects.get(name="Pre-roll launch banner")
    assert (bandit.bandit_mode, bandit.bandit_interval_hours) == (True, 1)
    assert list(bandit.split_changes.values_list("reason", flat=True)) == ["start"]
    assert Schedule.objects.filter(name=BANDIT_SCHEDULE).exists()
