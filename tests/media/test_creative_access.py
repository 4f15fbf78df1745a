"""Who may use each Creative Center URL: anonymous users log in first; members generate, watch,
download and submit; only owners (and super admins) approve or reject; another tenant's ids
answer 404; super admins reach every tenant."""

import pytest
from django.urls import reverse

from media.models import CreativeContent, GenerationJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_job_a(org_a, image_a):
    job = GenerationJob.objects.get(pk=image_a.job_id)
    GenerationJob.objects.filter(pk=job.pk).update(status="failed", retryable=True, error="503")
    return job


def _urls(image, video, content, job):
    return {
        "creative": ("get", reverse("media:creative")),
        "estimate": ("get", reverse("media:creative_estimate")),
        "generate": ("post", reverse("media:creative_generate")),
        "jobs": ("get", reverse("media:creative_jobs")),
        "retry": ("post", reverse("media:creative_job_retry", args=[job.pk])),
        "gallery": ("get", reverse("media:creative_gallery")),
        "file": ("get", reverse("media:asset_file", args=[image.id])),
        "thumbnail": ("get", reverse("media:asset_thumbnail", args=[video.id])),
        "submit": ("post", reverse("media:asset_submit", args=[image.id])),
        "approve": ("post", reverse("media:content_approve", args=[content])),
        "reject": ("post", reverse("media:content_reject", args=[content])),
    }


GENERATE = {"kind": "image", "provider": "gemini-flash", "base_prompt": "x", "aspect_ratio": "1:1"}
BODIES = {
    "generate": GENERATE,
    "submit": {"title": "T", "platform": "instagram"},
    "reject": {"comment": "No"},
}


def _call(client, name, method, url, query=None):
    if query:
        url = f"{url}?{query}"
    response = client.get(url) if method == "get" else client.post(url, BODIES.get(name, {}))
    if response.streaming:
        # Reading it through closes the file (the test client's wrapper closes it safely).
        b"".join(response.streaming_content)
    return response


@pytest.fixture
def urls(image_a, video_a, content_a, failed_job_a):
    return _urls(image_a, video_a, content_a, failed_job_a)


def test_it_sends_anonymous_users_to_log_in(client, urls):
    for name, (method, url) in urls.items():
        response = _call(client, name, method, url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(f"{reverse('login')}?next="), name


def test_it_lets_members_use_everything_but_the_review_buttons(member_a_client, urls):
    expected = {
        "creative": 200,
        "estimate": 200,
        "generate": 302,
        "jobs": 200,
        "retry": 302,
        "gallery": 200,
        "file": 200,
        "thumbnail": 200,
        "submit": 302,
        "approve": 403,
        "reject": 403,
    }
    got = {
        name: _call(member_a_client, name, m, url).status_code for name, (m, url) in urls.items()
    }
    assert got == expected


def test_it_lets_owners_also_approve_and_reject(owner_a_client, urls, content_a):
    assert _call(owner_a_client, "approve", *urls["approve"]).status_code == 302
    assert CreativeContent.objects.get(pk=content_a).status == "approved"
    assert _call(owner_a_client, "reject", *urls["reject"]).status_code == 302  # already reviewed
    assert CreativeContent.objects.get(pk=content_a).status == "approved"


def test_it_answers_404_for_another_tenants_ids(user_b_client, urls, org_a, content_a):
    for name in ("retry", "file", "thumbnail", "submit", "approve", "reject"):
        assert _call(user_b_client, name, *urls[name]).status_code == 404, name
    for name in ("creative", "estimate", "jobs", "gallery", "generate"):
        response = _call(user_b_client, name, *urls[name], query=f"tenant={org_a.pk}")
        assert response.status_code == 404, name
    assert CreativeContent.objects.get(pk=content_a).status == "pending"


def test_it_lets_super_admins_act_for_any_tenant(super_admin_client, urls, org_a, content_a):
    tenant_only = ("estimate", "generate", "jobs", "gallery", "retry", "submit")
    for name in tenant_only:
        assert _call(super_admin_client, name, *urls[name]).status_code == 403, name
    expected = {
        "creative": 200,
        "estimate": 200,
        "generate": 302,
        "jobs": 200,
        "retry": 302,
        "gallery": 200,
        "submit": 302,
    }
    for name, status in expected.items():
        response = _call(super_admin_client, name, *urls[name], query=f"tenant={org_a.pk}")
        assert response.status_code == status, name
    # Files and reviews need no ?tenant=: a super admin sees every tenant's content.
    for name in ("creative", "file", "thumbnail"):
        assert _call(super_admin_client, name, *urls[name]).status_code == 200, name
    assert _call(super_admin_client, "reject", *urls["reject"]).status_code == 302
    assert CreativeContent.objects.get(pk=content_a).status == "rejected"


def test_it_answers_404_for_unknown_ids(owner_a_client):
    for name, url in [
        ("retry", reverse("media:creative_job_retry", args=["job_missing"])),
        ("file", reverse("media:asset_file", args=["med_missing"])),
        ("submit", reverse("media:asset_submit", args=["med_missing"])),
        ("approve", reverse("media:content_approve", args=["cnt_missing"])),
    ]:
        method = "get" if name == "file" else "post"
        assert _call(owner_a_client, name, method, url).status_code == 404, name
