import re

from django.urls import reverse

from presets.services import track_preset_usage
from tests.presets.factories import make_preset, make_published_preset

GALLERY = reverse("presets:gallery")


def _card_names(html: str) -> list[str]:
    return re.findall(r'<article class="card preset-card".*?<h3>(.*?)</h3>', html, re.S)


def test_it_shows_custom_presets_and_built_ins_with_their_previews(owner_a_client, org_a):
    make_preset(org_a, name="House green", primary_color="#0A7F3F", tags=["house"])
    html = owner_a_client.get(GALLERY).content.decode()
    names = _card_names(html)
    assert names[0] == "House green" and "Professional" in names and "Compliance-safe" in names
    assert 'data-colour="#0A7F3F"' in html
    assert "font-family: 'Playfair Display', system-ui" in html
    assert 'data-ratio="4:5"' in html and "aspect-ratio: 4 / 5" in html
    assert 'href="/dashboard/presets?tag=house"' in html


def test_it_shows_the_tenants_usage_counts(owner_a_client, org_a, org_b):
    track_preset_usage(tenant_id=org_a.pk, preset_id="builtin-modern")
    track_preset_usage(tenant_id=org_b.pk, preset_id="builtin-modern")
    track_preset_usage(tenant_id=org_b.pk, preset_id="builtin-modern")
    html = owner_a_client.get(GALLERY).content.decode()
    card = html.split('id="preset-builtin-modern"')[1].split("</article>")[0]
    assert "Used 1 time<" in card


def test_it_never_shows_another_tenants_presets(owner_a_client, org_b):
    make_published_preset(org_b, name="Beta secret")
    html = owner_a_client.get(GALLERY).content.decode()
    assert "Beta secret" not in html


def test_it_filters_by_search_tag_and_category(owner_a_client, org_a):
    make_preset(org_a, name="Summer drop", tags=["summer"])
    make_preset(org_a, name="Winter sale", tags=["winter"])
    assert _card_names(owner_a_client.get(GALLERY, {"q": "drop"}).content.decode()) == [
        "Summer drop"
    ]
    assert _card_names(owner_a_client.get(GALLERY, {"tag": "winter"}).content.decode()) == [
        "Winter sale"
    ]
    custom = _card_names(owner_a_client.get(GALLERY, {"category": "custom"}).content.decode())
    assert custom == ["Summer drop", "Winter sale"]
    builtin = owner_a_client.get(GALLERY, {"category": "built-in"}).content.decode()
    assert "Summer drop" not in _card_names(builtin) and "Luxury" in _card_names(builtin)
    # An unknown category is no filter at all.
    assert len(_card_names(owner_a_client.get(GALLERY, {"category": "x"}).content.decode())) > 2


def test_it_says_when_nothing_matches(owner_a_client):
    html = owner_a_client.get(GALLERY, {"q": "no such thing"}).content.decode()
    assert "No presets match" in html and "Clear filters" in html


def test_it_answers_htmx_filtering_with_the_results_fragment(owner_a_client, org_a):
    make_preset(org_a, name="Summer drop")
    response = owner_a_client.get(
        GALLERY, {"q": "summer"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="preset-results"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="preset-results"')
    assert "<html" not in html and _card_names(html) == ["Summer drop"]


def test_it_has_a_filter_form_that_works_without_javascript(owner_a_client):
    html = owner_a_client.get(GALLERY).content.decode()
    form = html.split('<form class="toolbar preset-filters"')[1].split("</form>")[0]
    assert 'method="get"' in form and 'action="/dashboard/presets"' in form
    assert 'name="q"' in form and 'name="tag"' in form and 'name="category"' in form
    assert 'type="submit"' in form


def test_it_shows_members_edit_but_not_delete_or_publish(member_a_client, owner_a_client, org_a):
    preset_id = make_preset(org_a)
    member_html = member_a_client.get(GALLERY).content.decode()
    owner_html = owner_a_client.get(GALLERY).content.decode()
    edit = reverse("presets:edit", args=[preset_id])
    delete = reverse("presets:delete", args=[preset_id])
    publish = reverse("presets:publish", args=[preset_id])
    assert edit in member_html and delete not in member_html and publish not in member_html
    assert edit in owner_html and delete in owner_html and publish in owner_html


def test_it_offers_a_copy_and_no_edit_for_built_ins(owner_a_client):
    html = owner_a_client.get(GALLERY).content.decode()
    assert reverse("presets:copy", args=["builtin-luxury"]) in html
    assert reverse("presets:edit", args=["builtin-luxury"]) not in html
    assert reverse("presets:delete", args=["builtin-luxury"]) not in html


def test_it_keeps_a_super_admins_tenant_in_links(super_admin_client, org_a):
    make_preset(org_a)
    html = super_admin_client.get(GALLERY, {"tenant": org_a.pk}).content.decode()
    assert f'/dashboard/presets/new?tenant={org_a.pk}"' in html
    assert f'<input type="hidden" name="tenant" value="{org_a.pk}">' in html
    assert f"edit?tenant={org_a.pk}" in html


def test_it_refuses_a_search_too_long_to_run_naming_the_field(owner_a_client, org_a):
    # 50,000 characters once made the database give up ("LIKE or GLOB pattern too complex").
    make_preset(org_a, name="Summer drop")
    response = owner_a_client.get(GALLERY, {"q": "x" * 50_000})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="err_q" role="alert">' in html
    assert "Search must be at most 200 characters (50,000 given)." in html
    assert _card_names(html) == []
    fragment = owner_a_client.get(
        GALLERY, {"q": "x" * 50_000}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="preset-results"
    )
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<div id="preset-results"')
    assert "Search must be at most 200 characters" in fragment.content.decode()
    longest = owner_a_client.get(GALLERY, {"q": "x" * 200})
    assert longest.status_code == 200 and 'id="err_q"' not in longest.content.decode()


def test_it_refuses_a_tag_longer_than_any_tag_naming_the_field(owner_a_client, org_a):
    make_preset(org_a, name="Summer drop", tags=["summer"])
    response = owner_a_client.get(GALLERY, {"tag": "x" * 50_000})
    html = response.content.decode()
    assert response.status_code == 400
    assert '<p class="field-error" id="err_tag" role="alert">' in html
    assert "Tag must be at most 30 characters (50,000 given)." in html
    assert _card_names(html) == []
    assert owner_a_client.get(GALLERY, {"tag": "summer"}).status_code == 200
