from django.urls import reverse

from presets.models import StylePreset
from presets.services import set_style_preset_public
from tests.presets.factories import make_preset

PUBLISHED = reverse("presets:published")


def _publish(org, name):
    preset_id = make_preset(org, name=name)
    set_style_preset_public(org.pk, preset_id, public=True)
    return preset_id


def test_it_lists_other_tenants_published_presets_only(user_b_client, org_a, org_b):
    _publish(org_a, "Alpha public")
    make_preset(org_a, name="Alpha private")
    _publish(org_b, "Beta own")
    html = user_b_client.get(PUBLISHED).content.decode()
    assert "Alpha public" in html and f"by {org_a.name}" in html
    assert "Alpha private" not in html and "Beta own" not in html


def test_it_searches_by_name_or_organisation(user_b_client, org_a):
    _publish(org_a, "Neon nights")
    _publish(org_a, "Forest")
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


def test_a_member_copies_a_published_preset_into_the_library(member_a_client, org_a, org_b):
    source_id = _publish(org_b, "Beta glow")
    response = member_a_client.post(reverse("presets:copy", args=[source_id]))
    assert response.status_code == 302 and response["Location"] == reverse("presets:gallery")
    copy = StylePreset.objects.get(tenant=org_a)
    assert copy.name == "Beta glow" and copy.copied_from_id == source_id and not copy.is_public
    assert "In your library" in member_a_client.get(PUBLISHED).content.decode()
    assert StylePreset.objects.get(pk=source_id).tenant_id == org_b.pk


def test_copying_a_withdrawn_preset_answers_404(member_a_client, org_b):
    source_id = _publish(org_b, "Gone")
    set_style_preset_public(org_b.pk, source_id, public=False)
    assert member_a_client.post(reverse("presets:copy", args=[source_id])).status_code == 404
