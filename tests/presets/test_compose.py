from django.urls import reverse

from presets.builtins import BUILTINS_BY_ID
from presets.models import BuiltinPresetUsage
from tests.presets.factories import make_preset

COMPOSE = reverse("presets:compose")
LUXURY = BUILTINS_BY_ID["builtin-luxury"]


def test_it_shows_the_composed_prompt_fragment(member_a_client):
    response = member_a_client.get(
        COMPOSE,
        {"base_prompt": "Blue Dream jar", "preset_id": "builtin-luxury"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'data-testid="composed-text">Blue Dream jar. {LUXURY.style_prompt}<' in html
    assert f'data-testid="composed-negative">{LUXURY.negative_prompt}<' in html
    assert 'data-testid="composed-ratio">4:5<' in html


def test_it_does_not_count_a_use(member_a_client, org_a):
    member_a_client.get(COMPOSE, {"base_prompt": "x", "preset_id": "builtin-luxury"})
    assert not BuiltinPresetUsage.objects.exists()


def test_it_composes_with_the_tenants_custom_preset_and_an_explicit_ratio(member_a_client, org_a):
    preset_id = make_preset(org_a, style_prompt="Pastel tones.", negative_prompt="")
    html = member_a_client.get(
        COMPOSE, {"base_prompt": "Gummies", "preset_id": preset_id, "aspect_ratio": "16:9"}
    ).content.decode()
    assert "Gummies. Pastel tones." in html and "16:9" in html
    assert "composed-negative" not in html
    assert "<html" in html  # without htmx: a whole page


def test_it_passes_the_prompt_through_without_a_preset(member_a_client):
    html = member_a_client.get(COMPOSE, {"base_prompt": "Just this"}).content.decode()
    assert 'data-testid="composed-text">Just this<' in html


def test_it_asks_for_a_prompt_when_there_is_none(member_a_client):
    html = member_a_client.get(COMPOSE, HTTP_HX_REQUEST="true").content.decode()
    assert "Type a prompt" in html


def test_it_refuses_a_bad_aspect_ratio_naming_it(member_a_client):
    response = member_a_client.get(COMPOSE, {"base_prompt": "x", "aspect_ratio": "2:1"})
    assert response.status_code == 400 and b"aspect_ratio" in response.content


def test_it_answers_404_for_an_unknown_preset(member_a_client):
    response = member_a_client.get(COMPOSE, {"base_prompt": "x", "preset_id": "builtin-nope"})
    assert response.status_code == 404
