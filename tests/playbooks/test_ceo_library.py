"""The super admin's template library (``ceo_library``) and its Seed Templates button
(``ceo_seed``)."""

import pytest
from django.urls import reverse

from tests.playbooks.helpers import messages_of

pytestmark = pytest.mark.django_db


def test_it_seeds_and_reports_seeded_then_skipped(super_admin_client):
    page = super_admin_client.get(reverse("playbooks:ceo_library")).content.decode()
    assert "The template library is empty" in page
    assert "Not seeded yet: weekly-deals-video" in page
    response = super_admin_client.post(reverse("playbooks:ceo_seed"), follow=True)
    assert response.redirect_chain == [(reverse("playbooks:ceo_library"), 302)]
    page = response.content.decode()
    assert (
        "Seeded 3 (weekly-deals-video, daily-product-spotlight, competitor-price-alert), "
        "skipped 0, errors 0."
    ) in page
    assert 'class="toast toast-success"' in page
    assert page.count("data-template=") == 3
    response = super_admin_client.post(reverse("playbooks:ceo_seed"))
    assert messages_of(response) == [
        "Seeded 0, skipped 3 (weekly-deals-video, daily-product-spotlight, "
        "competitor-price-alert), errors 0."
    ]
