"""``abtests:split`` (POST) — owners apply the bandit's suggested split to a running test."""

import pytest
from django.urls import reverse

from tests.abtests.conftest import record, variant_ids

pytestmark = pytest.mark.django_db


def _url(test):
    return reverse("abtests:split", args=[test.pk])


def _split(test, control_percent, playful_percent):
    control, playful = variant_ids(test)
    return {f"split_{control}": control_percent, f"split_{playful}": playful_percent}


def test_it_sends_anonymous_users_to_login(client, running_test):
    response = client.post(_url(running_test), _split(running_test, "3", "97"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_another_tenants_test(user_b_client, running_test):
    response = user_b_client.post(_url(running_test), _split(running_test, "3", "97"))
    assert response.status_code == 404
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_it_refuses_members(member_a_client, running_test):
    response = member_a_client.post(_url(running_test), _split(running_test, 10, 90))
    assert response.status_code == 403
    running_test.refresh_from_db()
    assert running_test.status == "running"
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [50, 50]


def test_owners_apply_the_suggested_split(owner_a_client, running_test):
    control, playful = variant_ids(running_test)
    record(running_test, control, impressions=5000, clicks=200)
    record(running_test, playful, impressions=5000, clicks=280)
    html = owner_a_client.get(reverse("abtests:detail", args=[running_test.pk])).content.decode()
    assert 'data-testid="apply-split"' in html
    response = owner_a_client.post(_url(running_test), _split(running_test, "3", "97"), follow=True)
    assert "The new split is live." in response.content.decode()
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [3, 97]


def test_it_shows_why_a_split_is_refused(owner_a_client, running_test):
    response = owner_a_client.post(_url(running_test), _split(running_test, "²", "97"), follow=True)
    assert "Must be a whole number." in response.content.decode()
    assert list(running_test.variants.values_list("split_percent", flat=True)) == [50, 50]
