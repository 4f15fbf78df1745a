"""A/B-test fixtures built through the services, so the tests exercise the real write paths."""

import pytest

from abtests import services
from abtests.models import MediaABTest


def ab_test_data(**overrides):
    data = {
        "name": "Spring drop hero image",
        "description": "Which look gets the click?",
        "base_prompt": "A jar of flower on a sunlit counter",
        "primary_metric": "ctr",
        "metrics": ["impressions", "clicks", "conversions", "engagement", "cost"],
        "variants": [
            {"name": "Control", "preset_id": "builtin-professional"},
            {"name": "Playful", "preset_id": "builtin-playful", "custom_prompt": "bright colours"},
        ],
    }
    return data | overrides


def make_test(tenant, **overrides) -> MediaABTest:
    result = services.create_media_ab_test(tenant.pk, ab_test_data(**overrides))
    assert result.success, result.error
    return MediaABTest.objects.get(pk=result.test_id)


def start(test: MediaABTest) -> MediaABTest:
    result = services.transition_media_ab_test(test.tenant_id, test.pk, "running")
    assert result.success, result.error
    test.refresh_from_db()
    return test


def variant_ids(test: MediaABTest) -> list[str]:
    return list(test.variants.order_by("position").values_list("pk", flat=True))


@pytest.fixture
def draft_test(org_a):
    return make_test(org_a)


@pytest.fixture
def running_test(org_a):
    return start(make_test(org_a))


@pytest.fixture
def media_root(settings, tmp_path):
    """Generated images go to a temporary MEDIA_ROOT (providers are simulated without keys)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
