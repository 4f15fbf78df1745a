"""bakedbot.middleware.RefuseNulMiddleware: text with a NUL character is refused with a 400 naming
where it was, before any page sees it (PostgreSQL cannot store or compare such text: a 500 in
production wherever it reached a query), and nothing is written."""

import pytest
from django.urls import reverse

from presets.models import StylePreset


@pytest.mark.parametrize(
    ("path", "query", "named"),
    [
        ("/dashboard/presets", {"q": "a\x00b"}, "q"),
        ("/dashboard/presets", {"tag\x00": "x"}, "tag"),
        ("/dashboard/abtests/abt%00x", {}, "The address"),
        ("/dashboard/playbooks/runs/%00", {}, "The address"),
    ],
)
def test_it_refuses_a_nul_in_the_address_or_the_query(owner_a_client, path, query, named):
    response = owner_a_client.get(path, query)
    assert response.status_code == 400
    assert f"{named} contains a NUL character" in response.content.decode()


def test_it_refuses_a_nul_in_a_form_and_writes_nothing(owner_a_client):
    response = owner_a_client.post(
        reverse("presets:create"),
        {"name": "Night\x00look", "style_prompt": "Soft light.", "aspect_ratios": ["1:1"]},
    )
    assert response.status_code == 400
    assert "name contains a NUL character" in response.content.decode()
    assert not StylePreset.objects.filter(name__startswith="Night").exists()


def test_it_lets_the_same_form_through_without_the_nul(owner_a_client):
    response = owner_a_client.post(
        reverse("presets:create"),
        {"name": "Night look", "style_prompt": "Soft light.", "aspect_ratios": ["1:1"]},
    )
    assert response.status_code == 302
    assert StylePreset.objects.filter(name="Night look").exists()


def test_it_leaves_the_json_api_to_its_own_errors(client, db):
    response = client.get("/api/v1/events", {"cursor": "\x00"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_it_sends_anonymous_users_nothing_but_the_refusal(client, db):
    assert client.get("/dashboard/presets", {"q": "\x00"}).status_code == 400
