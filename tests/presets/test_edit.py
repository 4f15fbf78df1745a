from django.contrib.messages import get_messages
from django.urls import reverse

from presets.models import StylePreset
from presets.services import set_style_preset_public
from tests.presets.factories import make_preset
from tests.presets.test_create import form_data


def test_it_shows_the_preset_in_the_dialog(member_a_client, org_a):
    preset_id = make_preset(org_a, name="House", tags=["a", "b"], aspect_ratios=["16:9"])
    html = member_a_client.get(reverse("presets:edit", args=[preset_id])).content.decode()
    assert "Edit “House”" in html
    assert 'value="House"' in html and 'value="a, b"' in html
    assert 'value="16:9" checked' in html and 'value="1:1" checked' not in html
    assert 'value="#1f3a5f"' in html  # colour inputs want lower case


def test_it_saves_changes(member_a_client, org_a):
    preset_id = make_preset(org_a)
    response = member_a_client.post(
        reverse("presets:edit", args=[preset_id]), form_data(name="Renamed", tags="")
    )
    assert response.status_code == 302
    preset = StylePreset.objects.get(pk=preset_id)
    assert preset.name == "Renamed" and preset.tags == [] and preset.font_family == "Lora"


def test_it_keeps_the_published_state(owner_a_client, org_a):
    preset_id = make_preset(org_a)
    set_style_preset_public(tenant_id=org_a.pk, preset_id=preset_id, public=True)
    owner_a_client.post(reverse("presets:edit", args=[preset_id]), form_data())
    assert StylePreset.objects.get(pk=preset_id).is_public


def test_it_shows_errors_and_keeps_the_preset(member_a_client, org_a):
    preset_id = make_preset(org_a, name="Keep me")
    response = member_a_client.post(
        reverse("presets:edit", args=[preset_id]), form_data(style_prompt="s" * 1001)
    )
    assert response.status_code == 422
    assert (
        "Style prompt must be at most 1,000 characters (1,001 given)." in response.content.decode()
    )
    assert StylePreset.objects.get(pk=preset_id).name == "Keep me"


def test_it_refuses_to_edit_a_built_in_with_a_message(owner_a_client):
    for response in (
        owner_a_client.get(reverse("presets:edit", args=["builtin-luxury"])),
        owner_a_client.post(reverse("presets:edit", args=["builtin-luxury"]), form_data()),
    ):
        assert response.status_code == 302 and response["Location"] == reverse("presets:gallery")
        texts = [str(message) for message in get_messages(response.wsgi_request)]
        assert texts and all("Built-in presets cannot be changed" in text for text in texts)
    assert not StylePreset.objects.exists()
