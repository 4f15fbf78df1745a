"""Pages while the cost store is down (the fake switched off; the real outages are in
test_store_outage.py and test_locked_database.py): what each page still shows, who sees the
outbox's count, and the 503 page for a request no view handles."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from costs.budgets import update_media_budget
from costs.domain import MediaGenerationEvent
from costs.outbox import track_paid_generation
from costs.stores import use_repository
from media.models import GenerationJob
from media.services import generate_image
from tests.costs.fake_repository import SwitchableFakeRepository

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def store(db):
    with use_repository(SwitchableFakeRepository()) as repository:
        yield repository


def _waiting(tenant, n=1):
    return track_paid_generation(
        MediaGenerationEvent(
            id=f"job_{tenant.pk}_{n}:done",
            tenant_id=tenant.pk,
            user_id="7",
            type="image",
            provider="gemini-flash",
            created_at=datetime.now(UTC),
        )
    )


def test_the_waiting_count_is_the_tenants_own(store, org_a, org_b, owner_a_client, user_b_client):
    store.down = True
    _waiting(org_a, 1)
    _waiting(org_a, 2)
    store.down = False

    mine = owner_a_client.get("/dashboard/media").content.decode()
    assert "2 generations waiting to be recorded" in mine
    theirs = user_b_client.get("/dashboard/media").content.decode()
    assert "waiting to be recorded" not in theirs


def test_the_ceo_tab_counts_every_tenants_waiting_events(
    store, org_a, org_b, super_admin_client, owner_a_client
):
    store.down = True
    _waiting(org_a)
    _waiting(org_b)
    page = super_admin_client.get("/dashboard/ceo?tab=costs")
    assert page.status_code == 200
    content = page.content.decode()
    assert "2 generations waiting to be recorded" in content
    assert 'data-testid="costs-unavailable"' in content
    # The CSV cannot be made: no page in place of the file.
    assert super_admin_client.get("/dashboard/ceo?tab=costs&format=csv").status_code == 503
    # Only super admins see the tab, outage or not.
    assert owner_a_client.get("/dashboard/ceo?tab=costs").status_code in (403, 404)


def test_a_member_reads_the_page_and_an_owner_saves_the_budget(
    store, org_a, member_a_client, owner_a_client
):
    store.down = True
    page = member_a_client.get("/dashboard/media")
    assert page.status_code == 200
    assert 'data-testid="read-only"' in page.content.decode()

    # The settings live in the Django database: saving works, the panel says spend is unknown.
    panel = owner_a_client.post(reverse("media:budget_update"), {"daily_limit": "5.00"}, **HTMX)
    assert panel.status_code == 200
    assert 'data-testid="costs-unavailable"' in panel.content.decode()
    assert 'value="5.00"' in panel.content.decode()


def test_an_unhandled_outage_is_a_503_page_with_retry_after(store, org_a, owner_a, owner_a_client):
    made = generate_image(
        org_a.pk, str(owner_a.pk), provider="gemini-flash", prompt="A jar", aspect_ratio="1:1"
    )
    GenerationJob.objects.filter(pk=made.job_id).update(status="failed", retryable=True)
    update_media_budget(org_a.pk, {"daily_limit": "5.00"})
    store.down = True

    response = owner_a_client.post(reverse("media:creative_job_retry", args=[made.job_id]))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "temporarily unavailable" in response.content.decode()
    assert GenerationJob.objects.get(pk=made.job_id).status == "failed"
