"""The Creative Center's preset picker searched without JavaScript: the picker's Search button
posts the generation form to ``media:creative_preset_search``, which sends it back to the page
by GET (``?preset_q=`` and everything typed) with the matching presets listed — a capped list
with how many more there are. Nothing is generated; another tenant's presets never appear."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from media.models import GenerationJob
from presets.selectors import PICKER_SIZE
from tests.media.helpers import select_options, selected_option
from tests.presets.factories import make_preset

pytestmark = pytest.mark.django_db

CREATIVE = reverse("media:creative")
SEARCH = reverse("media:creative_preset_search")
FORM = {
    "kind": "video",
    "provider": "veo",
    "base_prompt": "A slow pan over the greenhouse",
    "aspect_ratio": "16:9",
    "duration_seconds": "12",
    "resolution": "1080p",
    "use_cache": ["off"],
    "preset_id": "builtin-modern",
}


def _names(html: str) -> list[str]:
    """The custom presets the picker lists (the built-ins follow them)."""
    custom = html.split('data-testid="picker-custom"')[1].split(">Built-in<")[0]
    return re.findall(r'class="preset-option-name"[^>]*>([^<]+)<', custom)


@pytest.fixture
def library(org_a):
    """More presets than the picker lists: "Look 00" … "Look 19"."""
    return [make_preset(org_a, name=f"Look {n:02d}") for n in range(PICKER_SIZE + 8)]


def test_it_lists_a_page_and_offers_a_search_button_inside_the_form(owner_a_client, library):
    html = owner_a_client.get(CREATIVE).content.decode()
    assert _names(html) == [f"Look {n:02d}" for n in range(PICKER_SIZE)]
    assert "Look 19" not in html
    form = html.split('<form id="generation-form"')[1].split("</form>")[0]
    assert 'name="preset_q"' in form
    button = re.search(r"<button[^>]*data-testid=\"picker-search-button\"[^>]*>", form).group(0)
    assert 'name="preset_search" value="preset_id"' in button
    assert f'formaction="{SEARCH}"' in button
    assert "Showing 12 of 20 — search by name for the others." in html


def test_the_search_finds_a_preset_outside_the_first_page(owner_a_client, library):
    html = owner_a_client.get(CREATIVE, {"preset_q": "look 19"}).content.decode()
    assert _names(html) == ["Look 19"]
    assert 'name="preset_q" value="look 19"' in html
    assert "1 match." in html


def test_it_caps_a_broad_search_and_says_how_many_more(owner_a_client, library):
    html = owner_a_client.get(CREATIVE, {"preset_q": "look"}).content.decode()
    assert len(_names(html)) == PICKER_SIZE
    assert "20 matches: 8 more not shown — refine your search." in html


def test_the_search_button_returns_to_the_page_with_everything_typed(owner_a_client, library):
    response = owner_a_client.post(SEARCH, {**FORM, "preset_q": "Look 1", "preset_search": "x"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == CREATIVE and location.fragment == "picker-preset_id"
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert query == {
        "kind": "video",
        "provider": "veo",
        "base_prompt": "A slow pan over the greenhouse",
        "aspect_ratio": "16:9",
        "duration_seconds": "12",
        "resolution": "1080p",
        "preset_id": "builtin-modern",
        "preset_q": "Look 1",
        "use_cache": "off",
    }
    assert not GenerationJob.objects.exists()

    html = owner_a_client.get(response["Location"]).content.decode()
    assert _names(html) == [f"Look {n}" for n in range(10, 20)]
    assert "A slow pan over the greenhouse</textarea>" in html
    assert re.search(r'<option value="16:9" selected', html)
    assert 'name="duration_seconds" min="1" max="300" step="1" value="12"' in html
    assert re.search(r'value="builtin-modern"[^>]*checked', html)
    assert not re.search(r'name="use_cache" value="on" checked', html)
    assert selected_option(html, "resolution") == "1080p"


def test_the_redraw_button_shows_a_changed_providers_sizes_without_javascript(owner_a_client):
    html = owner_a_client.get(CREATIVE).content.decode()
    assert 'name="image_size"' not in html  # Gemini Flash Image makes one size
    redraw = re.search(r"<noscript><button[^>]*data-testid=\"redraw\"[^>]*>", html).group(0)
    assert f'formaction="{SEARCH}"' in redraw and 'name="redraw"' in redraw
    image = {"kind": "image", "provider": "gemini-pro", "base_prompt": "A jar", "use_cache": "on"}
    response = owner_a_client.post(SEARCH, {**image, "aspect_ratio": "4:5", "redraw": "provider"})
    location = urlsplit(response["Location"])
    assert location.fragment == "composer"
    assert parse_qs(location.query)["image_size"] == ["1K"]
    page = owner_a_client.get(response["Location"]).content.decode()
    assert select_options(page, "image_size") == ["1K", "2K", "4K"]
    assert selected_option(page, "image_size") == "1K"
    assert selected_option(page, "aspect_ratio") == "4:5"
    assert not GenerationJob.objects.exists()


def test_the_chosen_preset_stays_checked_while_searching_for_others(owner_a_client, library):
    chosen = library[-1]  # "Look 19", beyond the first page
    html = owner_a_client.get(CREATIVE, {"preset_q": "Look 03", "preset_id": chosen}).content
    html = html.decode()
    assert _names(html) == ["Look 19", "Look 03"]
    assert re.search(rf'value="{chosen}"[^>]*checked', html)


def test_a_form_too_long_for_an_address_comes_back_as_the_page(owner_a_client, library):
    prompt = "Ünïcödé prompt " * 260  # within the prompt's limit, too long once in an address
    response = owner_a_client.post(SEARCH, {**FORM, "base_prompt": prompt, "preset_q": "Look 19"})
    html = response.content.decode()
    assert response.status_code == 200
    assert _names(html) == ["Look 19"]
    assert f"{prompt}</textarea>" in html
    assert not GenerationJob.objects.exists()


def test_a_super_admin_stays_in_the_organisation(super_admin_client, org_a, library):
    response = super_admin_client.post(f"{SEARCH}?tenant={org_a.pk}", {"preset_q": "Look 19"})
    assert f"tenant={org_a.pk}" in response["Location"]
    html = super_admin_client.get(response["Location"]).content.decode()
    assert _names(html) == ["Look 19"]


@pytest.mark.parametrize("query", ["\u00b2", "%", "_", "A" * 50_000, "\U0001f642", " ", "'; --"])
def test_hostile_searches_answer_without_error(owner_a_client, library, query):
    page = owner_a_client.get(CREATIVE, {"preset_q": query})
    assert page.status_code == 200
    posted = owner_a_client.post(SEARCH, {"preset_q": query, "kind": query, "provider": query})
    if len(query) > 200:
        assert "Search must be at most 200 characters (50,000 given)." in page.content.decode()
        # Too long to go back by an address: the page itself says so.
        assert posted.status_code == 400
        assert "Search must be at most 200 characters (50,000 given)." in posted.content.decode()
    else:
        assert posted.status_code == 302
        assert owner_a_client.get(posted["Location"]).status_code == 200
    if query in ("%", "_"):
        assert _names(page.content.decode()) == []  # a literal character, not a wildcard


def test_a_nul_is_refused_before_the_page(owner_a_client, library):
    assert owner_a_client.get(CREATIVE, {"preset_q": "Look\x00"}).status_code == 400
    assert owner_a_client.post(SEARCH, {"preset_q": "Look\x00"}).status_code == 400


def test_another_tenants_private_preset_never_appears(owner_a_client, user_b_client, org_b):
    theirs = make_preset(org_b, name="Summit secret")
    html = owner_a_client.get(CREATIVE, {"preset_q": "Summit", "preset_id": theirs}).content
    assert "Summit secret" not in html.decode() and theirs not in html.decode()
    own = user_b_client.get(CREATIVE, {"preset_q": "Summit"}).content.decode()
    assert _names(own) == ["Summit secret"]


def test_anonymous_users_log_in_first(client):
    for response in (client.get(CREATIVE, {"preset_q": "Look"}), client.post(SEARCH)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_search_is_post_only(owner_a_client):
    assert owner_a_client.get(SEARCH).status_code == 405
