"""The Creative Center page: the generation form with its live estimate and budget, the jobs
panel that polls more slowly when nothing changes, the gallery, files, and the approval queue."""

import json
import re

import pytest
from django.urls import reverse
from django_q.models import OrmQ

from costs.budgets import update_media_budget
from media import jobs
from media.models import CreativeContent, GenerationJob, MediaAsset
from media.providers import video_duration, video_size
from media.selectors import GALLERY_PAGE_SIZE
from media.services import queue_image_generation, run_generation_job
from presets.services import create_style_preset
from tests.media.creative.conftest import HTMX, submit

pytestmark = pytest.mark.django_db

PAGE = reverse("media:creative")
ESTIMATE = reverse("media:creative_estimate")
GENERATE = reverse("media:creative_generate")
JOBS = reverse("media:creative_jobs")


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


# --- the form and its estimate


def test_the_form_lists_providers_with_the_retired_ones_unavailable(owner_a_client):
    response = owner_a_client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<option value="imagen"\s+disabled>Imagen — unavailable</option>', html)
    assert 'data-testid="provider-unavailable" data-provider="imagen"' in html
    assert "imagen-4.0-generate-001 was retired on 2026-08-17" in html
    assert 'data-testid="estimate-cost">$0.02<' in html
    assert "No budget limits are set." in html
    assert 'data-testid="preset-picker"' in html
    assert 'hx-get="/dashboard/presets/compose' in html

    video = owner_a_client.get(PAGE, {"kind": "video"}).content.decode()
    assert 'name="duration_seconds"' in video
    assert "sora-2 was retired on 2026-09-24" in video
    assert re.search(r'<option value="veo"\s+selected', video)


def test_the_video_form_offers_square_video_and_says_it_is_cropped(owner_a_client):
    params = {"kind": "video", "provider": "veo", "aspect_ratio": "1:1", "duration_seconds": "10"}
    html = owner_a_client.get(PAGE, params).content.decode()
    assert re.search(r'<option value="1:1"\s+selected>1:1</option>', html)
    assert (
        'data-testid="square-video-note">1:1 is cropped from the centre of a 16:9 video.<' in html
    )
    estimate = owner_a_client.get(ESTIMATE, params, **HTMX).content.decode()
    assert 'data-testid="estimate-cost">$1.125<' in estimate
    assert "square-video-note" not in owner_a_client.get(PAGE).content.decode()


def test_a_square_video_queued_from_the_form_comes_out_square(owner_a_client, org_a):
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


def test_the_estimate_follows_provider_duration_and_budget(owner_a_client, org_a):
    response = owner_a_client.get(
        ESTIMATE,
        {"kind": "video", "provider": "veo", "duration_seconds": "30", **{"aspect_ratio": "16:9"}},
        **HTMX,
    )
    text = _text(response)
    assert 'data-testid="estimate-cost">$2.875<' in response.content.decode()
    assert "Made as 4 clips (8 s + 8 s + 8 s + 6 s), joined." in text
    assert "Within budget" in text

    five = _text(owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "5"}, **HTMX))
    assert "Made as 1 clip (6 s), joined and trimmed to 5 s (6 s billed)." in five

    ok, errors = update_media_budget(org_a.pk, {"daily_limit": "2", "monthly_limit": "100"})
    assert ok, errors
    blocked = _text(
        owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "30"}, **HTMX)
    )
    assert "The daily budget of $2.00 would be exceeded by $0.875" in blocked
    assert "Today $0.00 of $2.00" in blocked and "This month $0.00 of $100.00" in blocked

    bad = _text(owner_a_client.get(ESTIMATE, {"kind": "video", "duration_seconds": "0"}, **HTMX))
    assert "The duration must be a whole number of seconds from 1 to 300." in bad


def test_a_foreign_preset_in_the_estimate_answers_404(owner_a_client, org_b):
    created = create_style_preset(
        org_b.pk, {"name": "Beta look", "style_prompt": "Teal", "aspect_ratios": ["1:1"]}
    )
    response = owner_a_client.get(ESTIMATE, {"preset_id": created.preset_id}, **HTMX)
    assert response.status_code == 404


def test_changing_the_provider_redraws_the_form_for_it(owner_a_client):
    response = owner_a_client.get(
        PAGE,
        {"kind": "video", "provider": "veo", "aspect_ratio": "4:5", "duration_seconds": "12"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="composer",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="composer"')
    assert re.search(r'<option value="16:9"\s+selected>', html)
    assert 'value="12"' in html and "makes 4, 6, 8 s clips" in html
    assert 'id="gallery"' not in html


# --- generating


def test_generating_queues_a_job_and_shows_it(
    owner_a_client, org_a, django_capture_on_commit_callbacks
):
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


def test_an_unchecked_cache_box_opts_out(owner_a_client):
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


def test_bad_fields_are_named_in_the_form_and_nothing_is_queued(owner_a_client):
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


def test_a_blocked_request_says_which_budget_and_by_how_much(owner_a_client, org_a):
    ok, errors = update_media_budget(org_a.pk, {"weekly_limit": "0.03"})
    assert ok, errors
    response = owner_a_client.post(
        GENERATE,
        {"kind": "image", "provider": "gemini-pro", "base_prompt": "x", "aspect_ratio": "1:1"},
        **HTMX,
    )
    assert response["HX-Retarget"] == "#composer"
    assert "Not queued: The weekly budget of $0.03 would be exceeded by $0.01" in _text(response)
    assert GenerationJob.objects.count() == 0


def test_a_repeat_is_answered_from_the_cache_at_once(owner_a_client, image_a):
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
    assert "Answered from the duplicate-prompt cache: nothing was charged." in _text(response)
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


# --- jobs


def test_polling_slows_down_while_nothing_changes_and_stops_when_idle(
    owner_a_client, org_a, owner_a, monkeypatch
):
    monkeypatch.setattr(jobs, "job_enqueue", lambda job_id, *, delay_seconds=0: None)
    job = queue_image_generation(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="x", aspect_ratio="1:1"
    )

    first = owner_a_client.get(JOBS, **HTMX).content.decode()
    fingerprint = re.search(r"since=(\w+)", first).group(1)
    assert 'hx-trigger="load delay:1s"' in first
    second = owner_a_client.get(JOBS, {"since": fingerprint, "delay": "1"}, **HTMX).content.decode()
    assert 'hx-trigger="load delay:2s"' in second
    slow = owner_a_client.get(JOBS, {"since": fingerprint, "delay": "8"}, **HTMX).content.decode()
    assert 'hx-trigger="load delay:15s"' in slow

    GenerationJob.objects.filter(pk=job.pk).update(
        status="running", clips_done=0, status_note="Generating the image"
    )
    changed = owner_a_client.get(JOBS, {"since": fingerprint, "delay": "15"}, **HTMX)
    assert 'hx-trigger="load delay:1s"' in changed.content.decode()
    assert "HX-Trigger" not in changed

    GenerationJob.objects.filter(pk=job.pk).update(status="queued")
    running_fingerprint = re.search(r"since=(\w+)", changed.content.decode()).group(1)
    assert run_generation_job(job.pk) == "done"
    done = owner_a_client.get(JOBS, {"since": running_fingerprint, "delay": "1"}, **HTMX)
    html = done.content.decode()
    assert "hx-trigger" not in html  # nothing active: polling stops
    assert json.loads(done["HX-Trigger"]) == {"media-gallery-changed": {}}
    assert "Done · cost $0.02" in _text(done)


def test_a_failed_job_can_be_retried(owner_a_client, org_a, image_a):
    GenerationJob.objects.filter(pk=image_a.job_id).update(
        status="failed", retryable=True, error="gemini-flash: 503"
    )
    panel = owner_a_client.get(JOBS, **HTMX).content.decode()
    assert 'data-testid="retry"' in panel and "gemini-flash: 503" in panel
    response = owner_a_client.post(
        reverse("media:creative_job_retry", args=[image_a.job_id]), **HTMX
    )
    assert "Queued again." in response.content.decode()
    assert GenerationJob.objects.get(pk=image_a.job_id).status == "queued"
    again = owner_a_client.post(reverse("media:creative_job_retry", args=[image_a.job_id]), **HTMX)
    assert "Only a failed or stalled job can be retried" in again.content.decode()


# --- the gallery and files


def test_the_gallery_shows_cost_provider_status_and_the_simulated_badge(
    owner_a_client, image_a, video_a
):
    response = owner_a_client.get(reverse("media:creative_gallery"), **HTMX)
    html = response.content.decode()
    cards = re.findall(r'data-testid="media-card" data-asset-id="(\w+)"', html)
    assert cards == [video_a.id, image_a.id]
    text = _text(response)
    assert "Provider Veo Cost $0.50 Length 4 s" in text
    assert "Provider Gemini Flash Image Cost $0.02" in text
    assert html.count('data-testid="simulated-badge"') == 2
    assert f'href="/dashboard/creative/media/{image_a.id}?download=1"' in html
    assert f'poster="/dashboard/creative/media/{video_a.id}/thumbnail"' in html


def test_a_failed_generation_shows_in_the_gallery_with_its_reason(owner_a_client, image_a):
    MediaAsset.objects.filter(pk=image_a.id).update(status="failed", error="Safety block: SAFETY")
    text = _text(owner_a_client.get(reverse("media:creative_gallery"), **HTMX))
    assert "Failed" in text and "Safety block: SAFETY" in text and "Download" not in text


def test_the_gallery_pages(owner_a_client, org_a, owner_a, image_a):
    for _ in range(GALLERY_PAGE_SIZE):
        MediaAsset.objects.create(
            tenant=org_a,
            kind="image",
            provider="gemini-flash",
            model="m",
            prompt="p",
            composed_prompt="p",
            cache_key="k",
        )
    first = owner_a_client.get(reverse("media:creative_gallery"), **HTMX).content.decode()
    assert first.count('data-testid="media-card"') == GALLERY_PAGE_SIZE and "Page 1 of 2" in first
    second = owner_a_client.get(
        reverse("media:creative_gallery"), {"page": 2}, **HTMX
    ).content.decode()
    assert second.count('data-testid="media-card"') == 1


def test_files_are_served_inline_or_as_downloads(owner_a_client, image_a, video_a):
    url = reverse("media:asset_file", args=[image_a.id])
    inline = owner_a_client.get(url)
    assert inline["Content-Type"] == "image/png" and b"".join(inline.streaming_content).startswith(
        b"\x89PNG"
    )
    download = owner_a_client.get(url, {"download": "1"})
    assert download["Content-Disposition"] == f'attachment; filename="{image_a.id}.png"'
    b"".join(download.streaming_content)
    video = owner_a_client.get(reverse("media:asset_file", args=[video_a.id]))
    assert (
        video["Content-Type"] == "video/mp4" and b"ftyp" in b"".join(video.streaming_content)[:12]
    )


# --- approvals


def test_a_gallery_item_is_submitted_for_approval(owner_a_client, member_a_client, image_a):
    url = reverse("media:asset_submit", args=[image_a.id])
    response = member_a_client.post(
        url, {"title": "Monday post", "platform": "tiktok", "caption": "Hi"}, **HTMX
    )
    assert response["HX-Retarget"] == "#approvals"
    content = CreativeContent.objects.get()
    assert (content.title, content.platform, content.source) == ("Monday post", "tiktok", "user")
    text = _text(response)
    assert "“Monday post” is waiting for approval." in text and "1 pending" in text
    assert 'data-testid="approve"' not in response.content.decode()  # a member cannot review

    refused = member_a_client.post(url, {"title": " ", "platform": "tiktok"}, **HTMX)
    assert refused["HX-Retarget"] == f"#submit-{image_a.id}"
    assert "This field is required." in refused.content.decode()
    assert CreativeContent.objects.count() == 1


def test_owners_approve_and_must_say_why_they_reject(owner_a_client, content_a, image_a, org_a):
    page = owner_a_client.get(PAGE).content.decode()
    assert f'data-content-id="{content_a}"' in page and 'data-testid="approve"' in page

    reject = reverse("media:content_reject", args=[content_a])
    refused = owner_a_client.post(reject, {"comment": ""}, **HTMX)
    assert "Say why it is rejected" in refused.content.decode()
    assert CreativeContent.objects.get(pk=content_a).status == "pending"

    approved = owner_a_client.post(reverse("media:content_approve", args=[content_a]), **HTMX)
    text = _text(approved)
    assert "“Alpha deals” approved." in text and "Nothing is waiting for approval." in text
    assert 'data-testid="review-status">Approved<' in approved.content.decode()

    other = submit(org_a, image_a, title="Second")
    owner_a_client.post(reject, {"comment": "x"})
    rejected = owner_a_client.post(
        reverse("media:content_reject", args=[other]), {"comment": "Needs the 21+ line"}
    )
    assert rejected.status_code == 302
    assert CreativeContent.objects.get(pk=other).review_comment == "Needs the 21+ line"


def test_super_admins_see_every_tenants_pending_content(super_admin_client, content_a, content_b):
    response = super_admin_client.get(PAGE)
    html = response.content.decode()
    assert "Creative Center — all organisations" in html
    assert html.count('data-testid="pending-item"') == 2
    assert re.findall(r'data-testid="content-tenant">([^<]+)<', html) == [
        "Alpha Brands",
        "Beta Dispensary",
    ]
    assert 'data-testid="generation-form"' not in html

    tenant_page = super_admin_client.get(PAGE, {"tenant": "org_missing"})
    assert tenant_page.status_code == 404


def test_tenant_users_see_only_their_own_pending_content(
    owner_a_client, user_b_client, content_a, content_b
):
    mine = owner_a_client.get(PAGE).content.decode()
    assert f'data-content-id="{content_a}"' in mine and f'data-content-id="{content_b}"' not in mine
    theirs = user_b_client.get(PAGE).content.decode()
    assert (
        f'data-content-id="{content_b}"' in theirs
        and f'data-content-id="{content_a}"' not in theirs
    )
