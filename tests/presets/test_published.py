from django.urls import reverse

from tests.presets.factories import make_preset, make_published_preset

PUBLISHED = reverse("presets:published")


def test_it_lists_other_tenants_published_presets_only(user_b_client, org_a, org_b):
    make_published_preset(org_a, name="Alpha public")
    make_preset(org_a, name="Alpha private")
    make_published_preset(org_b, name="Beta own")
    html = user_b_client.get(PUBLISHED).content.decode()
    assert "Alpha public" in html and f"by {org_a.name}" in html
    assert "Alpha private" not in html and "Beta own" not in html


def test_it_searches_by_name_or_organisation(user_b_client, org_a):
    make_published_preset(org_a, name="Neon nights")
    make_published_preset(org_a, name="Forest")
    html = user_b_client.get(PUBLISHED, {"q": "neon"}).content.decode()
    assert "Neon nights" in html and "Forest" not in html
    html = user_b_client.get(PUBLISHED, {"q": "alpha"}).content.decode()
    assert "Neon nights" in html and "Forest" in html
    fragment = user_b_client.get(
        PUBLISHED, {"q": "zzz"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="published-results"
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="published-results"')
    assert "No published presets match" in fragment


def test_it_says_when_nothing_is_published(user_b_client):
    assert "Nothing published yet" in user_b_client.get(PUBLISHED).content.decode()


def test_it_refuses_a_search_too_long_to_run_naming_the_field(user_b_client, org_a):
    # 50,000 characters once made the database give up ("LIKE or GLOB pattern too complex").
    make_published_preset(org_a, name="Neon nights")
    response = user_b_client.get(PUBLISHED, {"q": "n" * 50_000})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="err_q" role="alert">' in html
    assert "Search must be at most 200 characters (50,000 given)." in html
    assert "Neon nights" not in html
    fragment = user_b_client.get(
        PUBLISHED, {"q": "n" * 50_000}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="published-results"
    )
    assert fragment.status_code == 200
    assert "Search must be at most 200 characters" in fragment.content.decode()
    assert user_b_client.get(PUBLISHED, {"q": "n" * 200}).status_code == 200
