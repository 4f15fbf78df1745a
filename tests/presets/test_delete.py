from django.contrib.messages import get_messages
from django.urls import reverse

from presets.models import StylePreset
from tests.presets.factories import make_preset


def test_it_deletes_and_returns_to_the_gallery(owner_a_client, org_a):
    preset_id = make_preset(org_a, name="Old look")
    response = owner_a_client.post(reverse("presets:delete", args=[preset_id]))
    assert response.status_code == 302
    assert not StylePreset.objects.filter(pk=preset_id).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Preset “Old look” deleted."]


def test_it_answers_htmx_with_an_empty_card_and_a_toast(owner_a_client, org_a):
    preset_id = make_preset(org_a, name="Old look")
    response = owner_a_client.post(
        reverse("presets:delete", args=[preset_id]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div hx-swap-oob="beforeend:#toasts">')
    assert "Preset “Old look” deleted." in html and "preset-card" not in html


def test_it_refuses_to_delete_a_built_in_with_a_message(owner_a_client):
    response = owner_a_client.post(reverse("presets:delete", args=["builtin-modern"]))
    assert response.status_code == 302
    [message] = get_messages(response.wsgi_request)
    assert "Built-in presets cannot be changed or deleted" in str(message)
    assert message.level_tag == "error"
