"""The Creative Center demo data: simulated media made by the service and an approval queue."""

import pytest
from django_q.models import Schedule

from bakedbot.demo import demo_setup_tenants
from media import demo
from media.jobs import PURGE_SCHEDULE, RECOVERY_SCHEDULE
from media.models import CreativeContent, MediaAsset

pytestmark = pytest.mark.django_db


def test_it_loads_simulated_media_and_an_approval_queue_once(settings):
    demo_setup_tenants()
    lines = []
    demo.load_demo_data(lines.append)
    demo.load_demo_data(lines.append)

    assert MediaAsset.objects.count() == 5
    assert set(MediaAsset.objects.values_list("status", "simulated")) == {("ready", True)}
    video = MediaAsset.objects.get(kind="video")
    assert (video.tenant_id, video.duration_seconds, video.cost_micros) == (
        "org_greenleaf",
        12,
        1_250_000,
    )
    statuses = sorted(CreativeContent.objects.values_list("tenant_id", "status"))
    assert statuses == [
        ("org_greenleaf", "approved"),
        ("org_greenleaf", "pending"),
        ("org_greenleaf", "pending"),
        ("org_summit", "pending"),
    ]
    assert CreativeContent.objects.filter(source="playbook").count() == 2
    schedules = dict(Schedule.objects.values_list("name", "func"))
    assert schedules[RECOVERY_SCHEDULE] == "media.tasks.recover_stale_generation_jobs"
    assert schedules[PURGE_SCHEDULE] == "media.tasks.purge_provider_calls"
    assert lines[-1].startswith("Creative Center: simulated media")


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
