from django.urls import reverse

from presets.models import StylePreset
from tests.presets.factories import make_preset


def test_it_publishes_and_withdraws(owner_a_client, org_a):
    preset_id = make_preset(org_a)
    url = reverse("presets:publish", args=[preset_id])
    assert owner_a_client.post(url, {"public": "1"}).status_code == 302
    assert StylePreset.objects.get(pk=preset_id).is_public
    assert owner_a_client.post(url, {"public": "0"}).status_code == 302
    assert not StylePreset.objects.get(pk=preset_id).is_public


def test_it_answers_htmx_with_the_updated_card_and_a_toast(owner_a_client, org_a):
    preset_id = make_preset(org_a, name="Glow")
    response = owner_a_client.post(
        reverse("presets:publish", args=[preset_id]), {"public": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="card preset-card" id="preset-{preset_id}"')
    assert 'data-testid="public-pill"' in html and ">Withdraw<" in html
    assert "“Glow” is published" in html


def test_it_refuses_a_missing_or_bad_flag_naming_it(owner_a_client, org_a):
    preset_id = make_preset(org_a)
    for data in ({}, {"public": "yes"}):
        response = owner_a_client.post(reverse("presets:publish", args=[preset_id]), data)
        assert response.status_code == 400 and b"public" in response.content
    assert not StylePreset.objects.get(pk=preset_id).is_public


def test_it_refuses_to_publish_a_built_in(owner_a_client):
    response = owner_a_client.post(
        reverse("presets:publish", args=["builtin-modern"]), {"public": "1"}
    )
    assert response.status_code == 302
    assert not StylePreset.objects.exists()
