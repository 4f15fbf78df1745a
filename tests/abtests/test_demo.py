"""The demo A/B tests load once, through the services, and show what the product does."""

import pytest

from abtests.demo import load_demo_data
from abtests.models import MediaABTest
from bakedbot.demo import demo_setup_tenants

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_tests_once():
    demo_setup_tenants()
    lines = []
    load_demo_data(lines.append)
    load_demo_data(lines.append)
    assert lines == [
        "A/B tests: 4 created, 0 already there.",
        "A/B tests: 0 created, 4 already there.",
    ]
    tests = {t.name: t for t in MediaABTest.objects.all()}
    statuses = {name: t.status for name, t in tests.items()}
    assert statuses == {
        "Spring drop hero image": "running",
        "Weekly deals thumbnail": "running",
        "Holiday gift guide banner": "draft",
        "Craft cultivation story": "completed",
    }
    spring = tests["Spring drop hero image"]
    assert spring.results.get(is_winner=True).variant.name == "Playful"
    assert not tests["Weekly deals thumbnail"].results.filter(is_winner=True).exists()
