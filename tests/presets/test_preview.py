from django.urls import reverse

PREVIEW = reverse("presets:preview")


def test_it_renders_the_draft_as_it_is_typed(member_a_client):
    response = member_a_client.get(
        PREVIEW,
        {
            "name": "Draft",
            "primary_color": "#00ff00",
            "secondary_color": "#000000",
            "accent_color": "not a colour",
            "font_family": "Lora",
            "font_size": "large",
            "font_weight": "bold",
            "aspect_ratios": ["9:16", "16:9"],
            "style_prompt": "Neon glow.",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-colour="#00FF00"' in html and 'data-colour="#000000"' in html
    assert 'data-colour="#B7791F"' in html  # the invalid accent falls back to the default
    assert "size-large weight-bold" in html and "'Lora', system-ui" in html
    assert html.index('data-ratio="9:16"') < html.index('data-ratio="16:9"')
    assert 'preset-frame default" style="aspect-ratio: 9 / 16"' in html
    assert "Neon glow." in html


def test_it_never_puts_unsafe_font_names_into_styles(member_a_client):
    html = member_a_client.get(
        PREVIEW, {"font_family": "x'; background: url(evil)"}
    ).content.decode()
    assert "evil" not in html
