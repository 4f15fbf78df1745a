"""POST /dashboard/presets/<id>/copy: a published preset (or a built-in, or one's own) into the
member's library."""

from django.urls import reverse

from presets.models import StylePreset
from presets.services import set_style_preset_public
from tests.presets.factories import make_published_preset

PUBLISHED = reverse("presets:published")


def test_it_lets_a_member_copy_a_published_preset_into_the_library(member_a_client, org_a, org_b):
    source_id = make_published_preset(org_b, name="Beta glow")
    response = member_a_client.post(reverse("presets:copy", args=[source_id]))
    assert response.status_code == 302 and response["Location"] == reverse("presets:gallery")
    copy = StylePreset.objects.get(tenant=org_a)
    assert copy.name == "Beta glow" and copy.copied_from_id == source_id and not copy.is_public
    assert "In your library" in member_a_client.get(PUBLISHED).content.decode()
    assert StylePreset.objects.get(pk=source_id).tenant_id == org_b.pk


def test_it_answers_404_for_a_withdrawn_preset(member_a_client, org_b):
    source_id = make_published_preset(org_b, name="Gone")
    set_style_preset_public(tenant_id=org_b.pk, preset_id=source_id, public=False)
    assert member_a_client.post(reverse("presets:copy", args=[source_id])).status_code == 404
