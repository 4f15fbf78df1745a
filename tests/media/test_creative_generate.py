"""``POST /dashboard/creative/generate``: queue a generation, or name the bad fields."""

import json

import pytest
from django_q.models import OrmQ

from costs.budgets import update_media_budget
from costs.models import BudgetHold
from costs.stores import get_repository
from media.models import GenerationJob, MediaAsset
from media.providers import video_duration, video_size
from media.services import run_generation_job
from tests.media.helpers import GENERATE, HTMX, PAGE, priced_micros, text_of

pytestmark = pytest.mark.django_db

SIZES = "Choose an image size Gemini Pro Image makes: 1K, 2K, 4K."
RESOLUTIONS = "Choose a resolution Veo makes: 720p, 1080p, 4k."


def test_it_queues_a_job_and_shows_it(owner_a_client, org_a, django_capture_on_commit_callbacks):
    form = {
        "kind": "image",
        "provider": "gemini-flash",
        "base_prompt": "A jar on a counter",
        "aspect_ratio": "1:1",
        "use_cache": ["off", "on"],
    }
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = owner_a_client.post(GENERATE, form, **HTMX)
    assert len(callbacks) == 1
    job = GenerationJob.objects.get()
    assert (job.status, job.prompt, job.use_cache, job.tenant_id) == (
        "queued",
        "A jar on a counter",
        True,
        org_a.pk,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="jobs-panel"')
    assert f'data-job-id="{job.pk}" data-status="queued"' in html
    assert 'hx-trigger="load delay:1s"' in html
    assert "Image queued." in html
    assert OrmQ.objects.count() == 1


def test_it_opts_out_of_the_cache_with_an_unchecked_box(owner_a_client):
    owner_a_client.post(
        GENERATE,
        {
            "kind": "image",
            "provider": "gemini-flash",
            "base_prompt": "x",
            "aspect_ratio": "1:1",
            "use_cache": "off",
        },
    )
    assert GenerationJob.objects.get().use_cache is False


def test_it_queues_a_square_video_that_comes_out_square(owner_a_client, org_a):
    response = owner_a_client.post(
        GENERATE,
        {
            "kind": "video",
            "provider": "veo",
            "base_prompt": "Gummies on a plate",
            "aspect_ratio": "1:1",
            "duration_seconds": "5",
        },
    )
    assert response.status_code == 302
    job = GenerationJob.objects.get()
    assert job.params["aspect_ratio"] == "1:1" and job.params["provider_aspect_ratio"] == "16:9"
    assert run_generation_job(job.pk) == "done"
    asset = MediaAsset.objects.get(jobs=job)
    with asset.file.open("rb") as handle:
        data = handle.read()
    assert video_size(data) == (360, 360)
    assert video_duration(data) == pytest.approx(5, abs=0.1)


def test_it_names_bad_fields_in_the_form_and_queues_nothing(owner_a_client):
    response = owner_a_client.post(
        GENERATE,
        {
            "kind": "video",
            "provider": "veo",
            "base_prompt": "  ",
            "aspect_ratio": "4:3",
            "duration_seconds": "301",
        },
        **HTMX,
    )
    assert response["HX-Retarget"] == "#composer" and response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert 'id="err_prompt">Enter a prompt.<' in html
    assert 'id="err_duration_seconds">The duration must be a whole number' in html
    assert (
        "Veo makes 16:9, 9:16, 1:1 videos (1:1 is cropped from the centre of a 16:9 video); "
        in html
    )
    assert "4:3 is not one of them." in html
    assert GenerationJob.objects.count() == 0

    plain = owner_a_client.post(
        GENERATE, {"kind": "image", "provider": "imagen", "base_prompt": "x", "aspect_ratio": "1:1"}
    )
    assert plain.status_code == 400
    assert "retired on 2026-08-17" in plain.content.decode()


def test_it_says_which_budget_blocks_and_by_how_much(owner_a_client, org_a):
    update_media_budget(org_a.pk, {"weekly_limit": "0.03"})
    response = owner_a_client.post(
        GENERATE,
        {"kind": "image", "provider": "gemini-pro", "base_prompt": "x", "aspect_ratio": "1:1"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#composer"
    assert "Not queued: The weekly budget of $0.03 would be exceeded by $0.01" in text_of(response)
    assert GenerationJob.objects.count() == 0


def test_it_answers_a_repeat_from_the_cache_at_once(owner_a_client, image_a):
    response = owner_a_client.post(
        GENERATE,
        {
            "kind": "image",
            "provider": "gemini-flash",
            "base_prompt": "alpha JAR",
            "aspect_ratio": "1:1",
        },
        **HTMX,
    )
    assert "Answered from the duplicate-prompt cache: nothing was charged." in text_of(response)
    assert json.loads(response["HX-Trigger"]) == {"media-gallery-changed": {}}
    job = GenerationJob.objects.latest("created_at")
    assert (job.status, job.cache_hit, job.asset_id) == ("done", True, image_a.id)

    plain = owner_a_client.post(
        GENERATE,
        {
            "kind": "image",
            "provider": "gemini-flash",
            "base_prompt": "alpha jar",
            "aspect_ratio": "1:1",
        },
    )
    assert plain.status_code == 302 and plain["Location"] == PAGE


@pytest.mark.parametrize("duration", ["²", "①", "-4", "1e3", "9" * 40])
def test_it_names_a_duration_that_is_not_a_whole_number(owner_a_client, duration):
    form = {
        "kind": "video",
        "provider": "veo",
        "base_prompt": "A shop front",
        "aspect_ratio": "16:9",
        "duration_seconds": duration,
    }
    response = owner_a_client.post(GENERATE, form, **HTMX)
    assert response.status_code == 200 and response["HX-Retarget"] == "#composer"
    assert (
        'id="err_duration_seconds">The duration must be a whole number of seconds from 1 to 300.<'
        in response.content.decode()
    )
    plain = owner_a_client.post(GENERATE, form)
    assert plain.status_code == 400
    assert 'id="err_duration_seconds"' in plain.content.decode()
    assert GenerationJob.objects.count() == 0


def test_it_keeps_a_super_admin_in_the_tenant_after_queueing(super_admin_client, org_a):
    response = super_admin_client.post(
        f"{GENERATE}?tenant={org_a.pk}",
        {"kind": "image", "provider": "gemini-flash", "base_prompt": "x", "aspect_ratio": "1:1"},
    )
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?tenant={org_a.pk}"
    assert GenerationJob.objects.get().tenant_id == org_a.pk


IMAGE_FORM = {"kind": "image", "provider": "gemini-pro", "base_prompt": "x", "aspect_ratio": "1:1"}
VIDEO_FORM = {
    "kind": "video",
    "provider": "veo",
    "base_prompt": "A skyline",
    "aspect_ratio": "16:9",
    "duration_seconds": "8",
}


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({**IMAGE_FORM, "image_size": "8K"}, "image_size", SIZES),
        ({**IMAGE_FORM, "image_size": "\u00b2"}, "image_size", SIZES),
        ({**IMAGE_FORM, "image_size": "4K" * 25_000}, "image_size", SIZES),
        ({**IMAGE_FORM, "image_size": " "}, "image_size", SIZES),
        (
            {**IMAGE_FORM, "provider": "gemini-flash", "image_size": "4K"},
            "image_size",
            "Gemini Flash Image has no image size to choose: leave the image size out.",
        ),
        ({**VIDEO_FORM, "resolution": "1024p"}, "resolution", RESOLUTIONS),
        ({**VIDEO_FORM, "resolution": "\u00b2"}, "resolution", RESOLUTIONS),
        ({**VIDEO_FORM, "resolution": "1080P"}, "resolution", RESOLUTIONS),
    ],
)
def test_it_names_a_size_or_resolution_the_provider_does_not_offer(
    owner_a_client, form, field, message
):
    response = owner_a_client.post(GENERATE, form, **HTMX)
    assert response["HX-Retarget"] == "#composer"
    html = response.content.decode()
    assert f'id="err_{field}">{message}<' in html
    assert len(html) < 100_000  # the value is not repeated back
    plain = owner_a_client.post(GENERATE, form)
    assert plain.status_code == 400 and f'id="err_{field}">{message}<' in plain.content.decode()
    assert (GenerationJob.objects.count(), BudgetHold.objects.count()) == (0, 0)


def test_it_refuses_a_nul_in_the_size_before_the_view(owner_a_client):
    response = owner_a_client.post(GENERATE, {**IMAGE_FORM, "image_size": "4K\x00"})
    assert response.status_code == 400
    assert "image_size contains a NUL character" in response.content.decode()
    assert GenerationJob.objects.count() == 0


class TestPricedBySizeAndResolution:
    """Queued at the size or resolution chosen, and held at what the price book in effect
    (2026-12-01: by model, image size and video resolution) charges for it."""

    @pytest.fixture(autouse=True)
    def _first_price_book(self):
        """Not the first price book: it has one flat price per provider."""

    def test_it_queues_a_4k_image_held_and_charged_at_the_4k_price(self, owner_a_client):
        response = owner_a_client.post(GENERATE, {**IMAGE_FORM, "image_size": "4K"})
        assert response.status_code == 302
        job = GenerationJob.objects.get()
        assert job.params["image_size"] == "4K"
        assert job.estimate_micros == priced_micros("gemini-pro", image_size="4K")
        assert job.estimate_micros > priced_micros("gemini-pro", image_size="1K")
        assert BudgetHold.objects.get().amount_micros == job.estimate_micros
        assert run_generation_job(job.pk) == "done"
        event = get_repository().get_event(GenerationJob.objects.get().event_id)
        assert (event.image_size, event.cost_micros) == ("4K", job.estimate_micros)

    def test_it_queues_a_1080p_video_at_the_1080p_price(self, owner_a_client):
        response = owner_a_client.post(GENERATE, {**VIDEO_FORM, "resolution": "1080p"}, **HTMX)
        assert "Video queued." in text_of(response)
        job = GenerationJob.objects.get()
        assert (job.params["resolution"], job.params["duration_seconds"]) == ("1080p", 8)
        assert job.estimate_micros == priced_micros("veo", resolution="1080p", seconds=8)
        assert "· 1080p" in text_of(response)
        assert run_generation_job(job.pk) == "done"
        event = get_repository().get_event(GenerationJob.objects.get().event_id)
        assert (event.resolution, event.cost_micros) == ("1080p", job.estimate_micros)

    def test_it_names_a_resolution_the_configured_model_does_not_make(
        self, owner_a_client, settings
    ):
        # Sora (retired at OpenAI, here through a gateway) offers 1024p for its pro models;
        # the configured sora-2 makes 720p only, and the price book prices nothing else for it.
        settings.MEDIA_PROVIDER_OPTIONS = {
            **settings.MEDIA_PROVIDER_OPTIONS,
            "allow_retired_models": ["sora-2"],
        }
        form = {**VIDEO_FORM, "provider": "sora", "resolution": "1024p"}
        response = owner_a_client.post(GENERATE, form)
        assert response.status_code == 400
        page = response.content.decode()
        assert 'id="err_resolution">Choose a resolution Sora makes: 720p.<' in page
        assert 'value="1024p"' not in page  # not offered either
        assert GenerationJob.objects.count() == 0

    @pytest.mark.parametrize(
        ("form", "name", "default"),
        [(IMAGE_FORM, "image_size", "1K"), (VIDEO_FORM, "resolution", "720p")],
    )
    def test_the_default_is_the_providers_first(self, owner_a_client, form, name, default):
        owner_a_client.post(GENERATE, form)
        owner_a_client.post(GENERATE, {**form, name: default, "base_prompt": "another"})
        first, chosen = GenerationJob.objects.order_by("created_at")
        assert chosen.params[name] == default
        assert first.estimate_micros == chosen.estimate_micros
        provider = form["provider"]
        seconds = {"seconds": 8} if name == "resolution" else {}
        assert chosen.estimate_micros == priced_micros(provider, **{name: default}, **seconds)


@pytest.fixture(autouse=True)
def _first_price_book(first_price_book):
    """The figures here are the first price book's (tests/conftest.py: first_price_book)."""
