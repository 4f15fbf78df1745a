"""``abtests:recommendations`` — the organisation's style recommendations page: who may see it,
what it shows (its own presets, the platform's built-ins, the minimum, the method) and that it
never shows another organisation's presets or numbers."""

import pytest
from django.urls import reverse

from tests.abtests.portfolios import run_test
from tests.presets.factories import make_preset

pytestmark = pytest.mark.django_db

PAGE = reverse("abtests:recommendations")
PRO, PLAYFUL = "builtin-professional", "builtin-playful"


def test_it_sends_anonymous_users_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_is_for_an_organisation(super_admin_client):
    assert super_admin_client.get(PAGE).status_code == 403


def test_it_answers_404_for_another_tenant(user_b_client, org_a):
    assert user_b_client.get(PAGE, {"tenant": org_a.pk}).status_code == 404


def test_it_shows_a_super_admin_the_organisation_named(super_admin_client, org_a):
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    html = super_admin_client.get(PAGE, {"tenant": org_a.pk}).content.decode()
    assert "Style recommendations — Alpha Brands" in html
    assert 'data-testid="own-row"' in html
    assert f"metric=cvr&amp;tenant={org_a.pk}" in html


def test_it_shows_the_presets_that_tend_to_win(member_a_client, org_a):
    run_test(org_a, [(PRO, 5000, 200), (PLAYFUL, 5000, 260)])
    run_test(org_a, [(PRO, 8000, 320), (PLAYFUL, 8000, 390)])
    response = member_a_client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "What tends to win for you on CTR" in html
    assert "<strong>Playful</strong>" in html
    assert "won 2 of 2 tests on CTR, 13,000 impressions" in html
    assert "How these numbers are made" in html
    assert 'data-testid="platform-not-enough"' in html


def test_it_says_when_there_is_not_enough_evidence(member_a_client, org_a):
    run_test(org_a, [(PRO, 500, 20), (PLAYFUL, 500, 30)])
    html = member_a_client.get(PAGE, {"metric": "engagement_rate"}).content.decode()
    assert "Not enough evidence yet." in html
    assert "once its test variants have 1,000 impressions" in html
    assert "Still collecting: Playful (500 impressions)" in html


def test_an_unknown_metric_shows_ctr(member_a_client):
    html = member_a_client.get(PAGE, {"metric": "<script>"}).content.decode()
    assert "What tends to win for you on CTR" in html and "<script>" not in html.split("<body")[1]


def test_another_organisation_never_sees_its_presets_or_numbers(user_b_client, org_a, org_b):
    secret = make_preset(org_a, name="Alpha Secret Sauce")
    run_test(org_a, [(PRO, 5000, 200), (secret, 5000, 300)])
    html = user_b_client.get(PAGE).content.decode()
    assert "Secret" not in html and secret not in html and "13,000" not in html
    assert "Not enough evidence yet." in html
