"""``POST /dashboard/creative/jobs/<id>/retry``: queue a failed job again."""

import pytest
from django.urls import reverse

from media.models import GenerationJob
from tests.media.helpers import HTMX, JOBS, PAGE

pytestmark = pytest.mark.django_db


def test_it_queues_a_failed_job_again(owner_a_client, org_a, image_a):
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


def test_it_says_why_a_job_cannot_be_retried_without_javascript(owner_a_client, image_a):
    GenerationJob.objects.filter(pk=image_a.job_id).update(
        status="failed", retryable=False, error="Safety block: SAFETY"
    )
    response = owner_a_client.post(
        reverse("media:creative_job_retry", args=[image_a.job_id]), follow=True
    )
    assert response.redirect_chain == [(PAGE, 302)]
    assert (
        "This job failed for a reason a retry cannot fix: Safety block: SAFETY"
        in response.content.decode()
    )
    assert "status:" not in response.content.decode()
    assert GenerationJob.objects.get(pk=image_a.job_id).status == "failed"
