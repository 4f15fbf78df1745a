"""The gallery and the picker as the library grows: the gallery is paged (the filters kept from
page to page), the Tag filter acts as soon as it changes, and the picker lists a page of the
tenant's presets with a search (``presets:picker``) that loads the others."""

import re

from django.urls import reverse

from presets.selectors import PAGE_SIZE, PICKER_SIZE, get_preset_picker, get_style_presets
from tests.presets.factories import make_preset

GALLERY = reverse("presets:gallery")
PICKER = reverse("presets:picker")
HTMX = {"HTTP_HX_REQUEST": "true"}


def _card_names(html: str) -> list[str]:
    return re.findall(r'<article class="card preset-card".*?<h3>(.*?)</h3>', html, re.S)


def _library(org, count):
    return [
        make_preset(org, name=f"Look {n:02d}", tags=["odd" if n % 2 else "even"])
        for n in range(count)
    ]


def test_it_pages_the_gallery_in_the_librarys_order(owner_a_client, org_a):
    _library(org_a, PAGE_SIZE + 5)
    everything = [p.name for p in get_style_presets(org_a.pk)]
    first = owner_a_client.get(GALLERY).content.decode()
    assert _card_names(first) == everything[:PAGE_SIZE]
    assert 'data-testid="pager"' in first and "?page=2" in first
    second = owner_a_client.get(GALLERY, {"page": 2}).content.decode()
    assert _card_names(second) == everything[PAGE_SIZE : 2 * PAGE_SIZE]
    last = owner_a_client.get(GALLERY, {"page": 999}).content.decode()  # past the end: the last
    assert _card_names(last) == everything[-(len(everything) % PAGE_SIZE or PAGE_SIZE) :]
    assert owner_a_client.get(GALLERY, {"page": "²"}).status_code == 200  # not a number: page 1


def test_it_keeps_the_filters_from_page_to_page(owner_a_client, org_a):
    _library(org_a, 2 * PAGE_SIZE + 2)
    html = owner_a_client.get(GALLERY, {"tag": "odd", "category": "custom"}).content.decode()
    assert f"{PAGE_SIZE + 1} presets" in html
    assert "tag=odd" in html.split('data-testid="next-page"')[0].rsplit("href=", 1)[1]
    fragment = owner_a_client.get(
        GALLERY,
        {"tag": "odd", "category": "custom", "page": 2},
        **HTMX,
        HTTP_HX_TARGET="preset-results",
    ).content.decode()
    assert _card_names(fragment) == ["Look 49"]  # the 25th preset tagged odd, alone on page 2


def test_it_filters_by_tag_as_soon_as_the_tag_changes(owner_a_client, org_a):
    html = owner_a_client.get(GALLERY).content.decode()
    form = html.split('class="toolbar preset-filters"')[1].split(">")[0]
    # Every select's change event reaches the form (not only the first select's).
    assert re.search(r'hx-trigger="[^"]*, change"', form)
    assert '<noscript><button type="submit" class="button">Filter</button></noscript>' in html


def test_it_lists_a_page_of_the_picker_and_searches_the_rest(owner_a_client, org_a):
    ids = _library(org_a, PICKER_SIZE + 8)
    picker = get_preset_picker(org_a.pk, selected_id=ids[-1])
    assert len(picker.custom) == PICKER_SIZE + 1 and picker.custom[0].selected  # + the chosen one
    assert picker.searchable and picker.custom_total == PICKER_SIZE + 8
    html = owner_a_client.get(
        PICKER, {"picker_field": "preset_id", "preset_q": "Look 19", "preset_id": ids[0]}, **HTMX
    ).content.decode()
    names = re.findall(r'class="preset-option-name"[^>]*>([^<]+)<', html)
    assert names == ["Look 00", "Look 19"]  # the checked one stays, then the match
    assert re.search(rf'value="{ids[0]}"[^>]*checked', html)


def test_it_refuses_a_bad_picker_field(owner_a_client, org_a):
    assert owner_a_client.get(PICKER, {"picker_field": "a b"}).status_code == 400


def test_it_keeps_the_picker_to_members_of_the_organisation(client, user_b_client, org_a):
    mine = make_preset(org_a, name="Alpha only")
    response = client.get(PICKER, {"picker_field": "preset_id"})
    assert response.status_code == 302 and reverse("login") in response["Location"]
    html = user_b_client.get(PICKER, {"picker_field": "preset_id", "preset_q": "Alpha"})
    assert "Alpha only" not in html.content.decode()
    assert (
        user_b_client.get(PICKER, {"picker_field": "preset_id", "tenant": org_a.pk}).status_code
        == 404
    )
    assert mine
