from django.contrib.messages import get_messages
from django.urls import reverse

from presets.models import StylePreset
from tests.presets.factories import make_preset

CREATE = reverse("presets:create")


def form_data(**overrides):
    data = {
        "name": "Harbor sunset",
        "description": "Golden-hour waterfront look.",
        "style_prompt": "Golden hour on the waterfront, warm haze.",
        "negative_prompt": "night",
        "aspect_ratios": ["9:16", "1:1"],
        "primary_color": "#ff7a00",
        "secondary_color": "#fff4e0",
        "accent_color": "#005f73",
        "font_family": "Lora",
        "font_size": "medium",
        "font_weight": "light",
        "tags": "sunset, waterfront",
    }
    data.update(overrides)
    return data


def test_it_shows_the_dialog_as_a_page_with_a_preview(member_a_client):
    html = member_a_client.get(CREATE).content.decode()
    assert 'data-testid="preset-dialog"' in html and "<html" in html
    assert 'id="preset-preview"' in html and 'data-testid="preset-preview"' in html
    assert 'name="aspect_ratios" value="1:1" checked' in html


def test_it_answers_htmx_with_the_modal_fragment(member_a_client):
    html = member_a_client.get(CREATE, HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div class="modal-backdrop"')
    assert "<html" not in html and 'hx-post="/dashboard/presets/new"' in html


def test_it_creates_a_preset_and_returns_to_the_gallery(member_a_client, org_a):
    response = member_a_client.post(CREATE, form_data())
    assert response.status_code == 302 and response["Location"] == reverse("presets:gallery")
    preset = StylePreset.objects.get(tenant=org_a)
    assert preset.name == "Harbor sunset"
    assert preset.aspect_ratios == ["9:16", "1:1"]
    assert preset.tags == ["sunset", "waterfront"]
    assert preset.primary_color == "#FF7A00"
    assert not preset.is_public
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Preset “Harbor sunset” created."
    ]


def test_it_tells_htmx_to_go_to_the_gallery(member_a_client):
    response = member_a_client.post(CREATE, form_data(), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("presets:gallery")


def test_it_shows_field_errors_and_writes_nothing(member_a_client, org_a):
    make_preset(org_a, name="Taken")
    data = form_data(name="taken", primary_color="orange", aspect_ratios=[], tags="x" * 31)
    response = member_a_client.post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 422
    assert StylePreset.objects.count() == 1
    assert 'id="err_name">You already have a preset with this name.' in html
    assert 'id="err_primary_color">Primary colour must be a colour like #1F3A5F.' in html
    assert 'id="err_aspect_ratios">Choose at least one aspect ratio.' in html
    assert 'id="err_tags">Tag “' in html
    # What was typed stays in the form.
    assert 'value="taken"' in html and "Golden hour on the waterfront" in html


def test_it_re_renders_the_modal_for_htmx_errors(member_a_client):
    response = member_a_client.post(CREATE, form_data(name=""), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<div class="modal-backdrop"')
    assert "Name is required." in html
    # The page's modal container asks htmx to swap that 422 answer in.
    assert "status === 422" in member_a_client.get(reverse("presets:gallery")).content.decode()


def test_it_ignores_a_public_flag_posted_to_the_dialog(owner_a_client, org_a):
    owner_a_client.post(CREATE, form_data(is_public="1"))
    assert not StylePreset.objects.get(tenant=org_a).is_public
