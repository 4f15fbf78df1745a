"""A/B-test fixtures built through the services, so the tests exercise the real write paths."""

import base64

import pytest
from django.urls import reverse

from abtests import services
from abtests.models import MediaABTest
from tests.media.providers.conftest import png_bytes  # noqa: F401 (a fixture)
from tests.media.providers.fakes import FakeProvider, Reply

FLASH_PATH = "/v1beta/models/gemini-3.1-flash-image:generateContent"


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
    saved = services.create_media_ab_test(tenant_id=tenant.pk, data=ab_test_data(**overrides))
    return MediaABTest.objects.get(pk=saved.test_id)


def start(test: MediaABTest) -> MediaABTest:
    saved = services.transition_media_ab_test(
        tenant_id=test.tenant_id, test_id=test.pk, status="running"
    )
    assert saved.status == "running"
    test.refresh_from_db()
    return test


def record(test: MediaABTest, variant_id: str, **metrics):
    """Record a variant's cumulative metrics through the service."""
    return services.update_ab_test_metrics(
        tenant_id=test.tenant_id, test_id=test.pk, variant_id=variant_id, metrics=metrics
    )


def variant_ids(test: MediaABTest) -> list[str]:
    return list(test.variants.order_by("position").values_list("pk", flat=True))


def wizard_url(test: MediaABTest, step: int | None = None) -> str:
    url = reverse("abtests:wizard", args=[test.pk])
    return f"{url}?step={step}" if step else url


def variants_post(rows: list[dict[str, str]], action: str = "next", **extra) -> dict[str, str]:
    """The wizard's step-2 form as the browser posts it."""
    data = {"step": "2", "action": action, "variant_count": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"variant-{i}-{key}"] = value
    return data | extra


@pytest.fixture
def draft_test(org_a):
    return make_test(org_a)


@pytest.fixture
def running_test(org_a):
    return start(make_test(org_a))


@pytest.fixture
def gemini(settings):
    """Gemini Flash with an API key, pointed at a fake server on loopback that speaks its wire
    format: a generation that reaches the provider shows up in ``gemini.requests``."""
    server = FakeProvider()
    entry = settings.MEDIA_PROVIDERS["gemini-flash"]
    settings.MEDIA_PROVIDERS = {
        **settings.MEDIA_PROVIDERS,
        "gemini-flash": {**entry, "api_key": "test-key", "base_url": server.url + "/v1beta"},
    }
    settings.MEDIA_PROVIDER_OPTIONS = {
        **settings.MEDIA_PROVIDER_OPTIONS,
        "max_attempts": 1,
        "backoff_base_ms": 1,
    }
    yield server
    server.close()


def image_reply(png: bytes) -> Reply:
    part = {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(png).decode()}}
    return Reply(
        json={
            "candidates": [{"content": {"role": "model", "parts": [part]}, "finishReason": "STOP"}],
            "responseId": "resp-1",
        }
    )
