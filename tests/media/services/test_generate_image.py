"""generate_image: validate, hold, call through the tracking wrapper, store, settle — in
simulate mode and against a fake Gemini server; failures release the hold and are recorded."""

import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from costs.models import BudgetHold
from costs.selectors import get_recent_media_events, get_tenant_spend
from costs.tenants import tenant_today
from media.models import GenerationJob, MediaAsset
from media.providers import RequestRejected, SafetyBlocked
from media.services import generate_image
from presets.selectors import get_style_preset
from tests.media.providers.fakes import Reply, google_error
from tests.media.services.conftest import FLASH_PATH, holds, image_reply

pytestmark = pytest.mark.django_db


def _spend(org) -> Decimal:
    today = tenant_today(org.pk)
    return get_tenant_spend(org.pk, today, today)


def test_it_generates_a_simulated_image_stores_it_and_settles_the_hold(org_a, owner_a):
    result = generate_image(
        org_a.pk,
        str(owner_a.pk),
        provider="gemini-flash",
        prompt="  A jar of Blue Dream on a kitchen counter  ",
        aspect_ratio="16:9",
    )

    asset = MediaAsset.objects.get(pk=result.id)
    assert (asset.status, asset.kind, asset.provider, asset.simulated) == (
        "ready",
        "image",
        "gemini-flash",
        True,
    )
    assert asset.prompt == "A jar of Blue Dream on a kitchen counter"
    assert asset.cost_micros == 20_000 and asset.mime_type == "image/png"
    assert default_storage.exists(asset.file.name)
    assert asset.file.name.startswith(f"generated/{org_a.pk}/")
    with default_storage.open(asset.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        assert image.format == "PNG" and image.width * 9 == image.height * 16

    event = result.tracking_event
    assert (event.success, event.cost_micros, event.simulated, event.cache_hit) == (
        True,
        20_000,
        True,
        False,
    )
    assert event.id == f"{result.job_id}:done"
    assert [e.id for e in get_recent_media_events(org_a.pk)] == [event.id]
    [hold] = holds(org_a.pk)
    assert (hold.status, hold.amount_micros, hold.actual_micros) == (
        BudgetHold.Status.SETTLED,
        20_000,
        20_000,
    )
    job = GenerationJob.objects.get(pk=result.job_id)
    assert (job.status, job.cost_micros, job.hold_id, job.created_by) == (
        "done",
        20_000,
        "",
        owner_a,
    )
    assert result.media_url == f"/dashboard/creative/media/{asset.pk}"
    assert result.download_url.endswith("?download=1") and result.thumbnail_url is None
    assert _spend(org_a) == Decimal("0.02")


def test_it_applies_a_preset_and_counts_its_use(org_a, owner_a):
    result = generate_image(
        org_a.pk,
        str(owner_a.pk),
        provider="gemini-pro",
        prompt="Gummies on a picnic blanket",
        aspect_ratio="4:5",
        preset_id="builtin-playful",
    )

    preset = get_style_preset(org_a.pk, "builtin-playful")
    asset = MediaAsset.objects.get(pk=result.id)
    assert asset.composed_prompt == f"Gummies on a picnic blanket. {preset.style_prompt}"
    assert (asset.preset_id, asset.preset_name) == ("builtin-playful", preset.name)
    assert asset.params["palette"] == [
        preset.color_palette.primary,
        preset.color_palette.secondary,
        preset.color_palette.accent,
    ]
    assert preset.usage_count == 1
    assert result.tracking_event.prompt.startswith("Gummies on a picnic blanket. ")
    assert result.cost_micros == 40_000


def test_a_scheduled_playbook_without_a_user_is_recorded_as_the_system(org_a):
    result = generate_image(
        org_a.pk,
        None,
        provider="gemini-flash",
        prompt="Weekly deals",
        aspect_ratio="1:1",
        playbook_run_id="run_1",
    )
    assert result.tracking_event.user_id == "system"
    assert result.tracking_event.playbook_run_id == "run_1"
    assert MediaAsset.objects.get(pk=result.id).playbook_run_id == "run_1"


def test_a_real_provider_is_called_with_retries_and_recorded_once(
    org_a, owner_a, real_provider, png_bytes
):
    fake = real_provider("gemini-flash")
    fake.on(
        "POST",
        FLASH_PATH,
        Reply(429, json=google_error(429, "RESOURCE_EXHAUSTED"), headers={"retry-after": "0"}),
        Reply(503, json=google_error(503, "UNAVAILABLE")),
        image_reply(png_bytes),
    )

    result = generate_image(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="A cat", aspect_ratio="1:1"
    )

    assert len(fake.seen("POST", FLASH_PATH)) == 3
    assert fake.seen("POST", FLASH_PATH)[0].headers["x-goog-api-key"] == "test-key"
    assert result.simulated is False
    assert [e.cost_micros for e in get_recent_media_events(org_a.pk)] == [20_000]
    with default_storage.open(MediaAsset.objects.get(pk=result.id).file.name, "rb") as handle:
        assert handle.read() == png_bytes


def test_a_refused_call_releases_the_hold_and_records_the_failure(org_a, owner_a, real_provider):
    fake = real_provider("gemini-flash")
    fake.on("POST", FLASH_PATH, Reply(400, json=google_error(400, "INVALID_ARGUMENT", "bad")))

    with pytest.raises(RequestRejected):
        generate_image(
            org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="A cat", aspect_ratio="1:1"
        )

    [hold] = holds(org_a.pk)
    assert hold.status == BudgetHold.Status.RELEASED
    [event] = get_recent_media_events(org_a.pk)
    assert (event.success, event.cost_micros) == (False, 0)
    assert "RequestRejected" in event.error
    job = GenerationJob.objects.get()
    assert (job.status, job.retryable, job.failures) == ("failed", False, 1)
    assert (job.asset.status, job.asset.cost_micros) == ("failed", 0)
    assert "bad" in job.asset.error
    assert _spend(org_a) == 0


def test_a_safety_block_fails_clearly_without_a_retry(org_a, owner_a, real_provider):
    fake = real_provider("gemini-flash")
    fake.on(
        "POST",
        FLASH_PATH,
        Reply(json={"promptFeedback": {"blockReason": "SAFETY"}, "candidates": []}),
    )

    with pytest.raises(SafetyBlocked):
        generate_image(
            org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="x", aspect_ratio="1:1"
        )

    assert len(fake.seen("POST", FLASH_PATH)) == 1
    assert holds(org_a.pk)[0].status == BudgetHold.Status.RELEASED
    assert get_recent_media_events(org_a.pk)[0].success is False


def test_a_playbook_step_delivered_twice_reads_back_the_first_result(org_a):
    step = {"provider": "gemini-flash", "prompt": "Step", "aspect_ratio": "1:1"}
    first = generate_image(org_a.pk, None, playbook_run_id="run_1", **step)
    again = generate_image(org_a.pk, None, playbook_run_id="run_1", **step)

    assert (again.id, again.job_id, again.cache_hit) == (first.id, first.job_id, False)
    assert (again.tracking_event.id, again.tracking_event.cost_micros) == (
        f"{first.job_id}:done",
        20_000,
    )
    assert [e.id for e in get_recent_media_events(org_a.pk)] == [f"{first.job_id}:done"]


def test_media_that_cannot_be_stored_is_charged_what_was_recorded(
    media_root, org_a, owner_a, real_provider, png_bytes
):
    real_provider("gemini-flash").on("POST", FLASH_PATH, image_reply(png_bytes))
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "generated").write_bytes(b"")  # a file where the media folder should be

    with pytest.raises(OSError):
        generate_image(
            org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="Lost", aspect_ratio="1:1"
        )

    # The provider was paid and the success recorded: failing for good charges it, once.
    [event] = get_recent_media_events(org_a.pk)
    assert (event.success, event.cost_micros) == (True, 20_000)
    [hold] = holds(org_a.pk)
    assert (hold.status, hold.actual_micros) == (BudgetHold.Status.SETTLED, 20_000)
    job = GenerationJob.objects.get()
    assert (job.status, job.cost_micros, job.failures) == ("failed", 20_000, 0)
    assert (job.asset.status, job.asset.cost_micros) == ("failed", 20_000)


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
