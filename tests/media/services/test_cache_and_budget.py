"""The duplicate-prompt cache (hit at $0 with the amount saved, opt-out, TTL, what makes a
request different) and budget holds (block naming the budget, nothing left behind)."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from costs.budgets import BudgetExceeded
from costs.models import BudgetHold
from costs.selectors import get_media_usage, get_recent_media_events
from costs.tenants import tenant_today
from media.models import GenerationJob, MediaAsset
from media.services import generate_image, generate_video, queue_image_generation
from tests.media.services.conftest import FLASH_PATH, holds, image_reply

pytestmark = pytest.mark.django_db


def _image(org, user, **overrides):
    values = {"provider": "gemini-flash", "prompt": "A jar of gummies", "aspect_ratio": "1:1"}
    values.update(overrides)
    return generate_image(org.pk, str(user.pk), **values)


def test_the_same_prompt_again_is_a_cache_hit_at_no_cost(org_a, owner_a, real_provider, png_bytes):
    fake = real_provider("gemini-flash")
    fake.on("POST", FLASH_PATH, image_reply(png_bytes))

    first = _image(org_a, owner_a, prompt="A jar of  gummies")
    again = _image(org_a, owner_a, prompt="  a JAR of gummies ")

    assert len(fake.seen("POST", FLASH_PATH)) == 1
    assert again.id == first.id and again.job_id != first.job_id
    assert (again.cache_hit, again.cost_micros, again.saved_micros) == (True, 0, 20_000)
    event = again.tracking_event
    assert (event.cache_hit, event.cost_micros, event.saved_micros, event.id) == (
        True,
        0,
        20_000,
        f"{again.job_id}:cache",
    )
    assert MediaAsset.objects.get(pk=first.id).cache_hits == 1
    assert MediaAsset.objects.count() == 1
    # One hold, for the real call; the hit needed none.
    assert [h.status for h in holds(org_a.pk)] == [BudgetHold.Status.SETTLED]
    today = tenant_today(org_a.pk)
    usage = get_media_usage(org_a.pk, today, today)
    assert (usage.total_cost_micros, usage.cache_hits, str(usage.cache_savings)) == (
        20_000,
        1,
        "0.020000",
    )


def test_a_request_can_opt_out_of_the_cache(org_a, owner_a):
    first = _image(org_a, owner_a)
    fresh = _image(org_a, owner_a, use_cache=False)
    assert fresh.id != first.id and not fresh.cache_hit
    assert fresh.cost_micros == 20_000
    assert sum(e.cost_micros for e in get_recent_media_events(org_a.pk)) == 40_000


@pytest.mark.parametrize(
    "change",
    [
        {"aspect_ratio": "16:9"},
        {"provider": "gemini-pro"},
        {"prompt": "A jar of gummies at night"},
        {"preset_id": "builtin-modern"},
    ],
)
def test_a_different_request_is_not_a_hit(org_a, owner_a, change):
    first = _image(org_a, owner_a)
    other = _image(org_a, owner_a, **change)
    assert other.id != first.id and not other.cache_hit


def test_another_tenant_or_a_real_provider_never_reuses_a_simulated_image(
    org_a, owner_a, org_b, user_b, real_provider, png_bytes
):
    first = _image(org_a, owner_a)
    assert _image(org_b, user_b).id != first.id
    real_provider("gemini-flash").on("POST", FLASH_PATH, image_reply(png_bytes))
    real = _image(org_a, owner_a)
    assert real.id != first.id and real.simulated is False


def test_the_cache_forgets_after_its_ttl_and_when_the_file_is_gone(settings, org_a, owner_a):
    settings.MEDIA_CACHE_TTL_SECONDS = 3600
    first = _image(org_a, owner_a)
    MediaAsset.objects.filter(pk=first.id).update(
        created_at=timezone.now() - timedelta(seconds=3601)
    )
    second = _image(org_a, owner_a)
    assert second.id != first.id and not second.cache_hit

    default_storage.delete(MediaAsset.objects.get(pk=second.id).file.name)
    third = _image(org_a, owner_a)
    assert third.id not in (first.id, second.id) and not third.cache_hit

    settings.MEDIA_CACHE_TTL_SECONDS = 0
    assert not _image(org_a, owner_a).cache_hit


def test_a_video_cache_hit_keys_on_the_duration(org_a, owner_a):
    first = generate_video(
        org_a.pk, None, provider="veo", prompt="Loop", duration_seconds=4, aspect_ratio="9:16"
    )
    hit = generate_video(
        org_a.pk, None, provider="veo", prompt="loop", duration_seconds=4, aspect_ratio="9:16"
    )
    longer = generate_video(
        org_a.pk, None, provider="veo", prompt="loop", duration_seconds=6, aspect_ratio="9:16"
    )
    assert hit.id == first.id and hit.cache_hit and hit.saved_micros == 500_000
    assert longer.id != first.id


def test_a_budget_block_names_the_budget_and_leaves_nothing_behind(org_a, owner_a, set_budget):
    set_budget(org_a.pk, daily_limit="0.05")
    _image(org_a, owner_a, prompt="one", provider="gemini-pro")

    with pytest.raises(BudgetExceeded) as blocked:
        _image(org_a, owner_a, prompt="two", provider="gemini-pro")

    assert "daily budget of $0.05 would be exceeded by $0.03" in str(blocked.value)
    assert blocked.value.period.value == "day"
    assert blocked.value.over_by_micros == 30_000
    assert GenerationJob.objects.count() == 1 and MediaAsset.objects.count() == 1
    assert len(holds(org_a.pk)) == 1
    assert len(get_recent_media_events(org_a.pk)) == 1

    # A cache hit costs nothing, so the budget lets it through.
    assert _image(org_a, owner_a, prompt="ONE", provider="gemini-pro").cache_hit

    with pytest.raises(BudgetExceeded):
        queue_image_generation(
            org_a.pk, str(owner_a.pk), provider="gemini-pro", prompt="three", aspect_ratio="1:1"
        )
    assert GenerationJob.objects.count() == 2
    assert len(holds(org_a.pk)) == 1


def test_a_queued_job_holds_its_estimate_until_it_runs(org_a, owner_a, enqueued):
    job = queue_image_generation(
        org_a.pk, str(owner_a.pk), provider="gemini-pro", prompt="Held", aspect_ratio="1:1"
    )
    [hold] = holds(org_a.pk)
    assert (hold.status, hold.amount_micros, job.hold_id) == ("active", 40_000, hold.id)
    assert hold.expires_at > timezone.now() + timedelta(hours=1)


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
