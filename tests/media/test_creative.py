"""``GET /dashboard/creative``: the Creative Center page — the generation form for the acting
tenant, or (for a super admin without one) every tenant's approval queue."""

import re

import pytest

from costs.money import format_micros
from media.providers import PROVIDERS
from tests.media.helpers import (
    ESTIMATE,
    HTMX,
    PAGE,
    priced_micros,
    select_options,
    selected_option,
    text_of,
)

pytestmark = pytest.mark.django_db


def test_it_lists_providers_with_the_retired_ones_unavailable(owner_a_client):
    response = owner_a_client.get(PAGE)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<option value="imagen"\s+disabled>Imagen — unavailable</option>', html)
    assert 'data-testid="provider-unavailable" data-provider="imagen"' in html
    assert "imagen-4.0-generate-001 was retired on 2026-08-17" in html
    assert 'data-testid="estimate-cost">$0.039<' in html
    assert "No budget limits are set." in html
    assert 'data-testid="preset-picker"' in html
    assert 'hx-get="/dashboard/presets/compose' in html

    video = owner_a_client.get(PAGE, {"kind": "video"}).content.decode()
    assert 'name="duration_seconds"' in video
    assert "sora-2 was retired on 2026-09-24" in video
    assert re.search(r'<option value="veo"\s+selected', video)


def test_it_offers_square_video_and_says_it_is_cropped(owner_a_client):
    params = {"kind": "video", "provider": "veo", "aspect_ratio": "1:1", "duration_seconds": "10"}
    html = owner_a_client.get(PAGE, params).content.decode()
    assert re.search(r'<option value="1:1"\s+selected>1:1</option>', html)
    assert (
        'data-testid="square-video-note">1:1 is cropped from the centre of a 16:9 video.<' in html
    )
    estimate = owner_a_client.get(ESTIMATE, params, **HTMX).content.decode()
    assert 'data-testid="estimate-cost">$4.00<' in estimate
    assert "square-video-note" not in owner_a_client.get(PAGE).content.decode()


def test_it_redraws_the_form_for_a_changed_provider(owner_a_client):
    response = owner_a_client.get(
        PAGE,
        {"kind": "video", "provider": "veo", "aspect_ratio": "4:5", "duration_seconds": "12"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="composer",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="composer"')
    assert re.search(r'<option value="16:9"\s+selected>', html)
    assert 'value="12"' in html and "makes 4, 6, 8 s clips" in html
    assert 'id="gallery"' not in html


def test_it_offers_the_sizes_and_resolutions_of_the_chosen_provider(owner_a_client):
    flash = owner_a_client.get(PAGE).content.decode()
    assert select_options(flash, "image_size") == select_options(flash, "resolution") == []
    pro = owner_a_client.get(PAGE, {"provider": "gemini-pro"}).content.decode()
    assert select_options(pro, "image_size") == list(PROVIDERS["gemini-pro"].image_sizes)
    assert selected_option(pro, "image_size") == "1K"
    assert re.search(r'<label for="id_image_size">Size</label>', pro)
    assert '<option value="1K" selected>1K (default)</option>' in pro
    veo = owner_a_client.get(PAGE, {"kind": "video"}).content.decode()
    assert select_options(veo, "resolution") == list(PROVIDERS["veo"].resolutions)
    assert selected_option(veo, "resolution") == "720p"
    assert re.search(r'<label for="id_resolution">Resolution</label>', veo)
    assert select_options(veo, "image_size") == []
    # The estimate reloads when either changes.
    assert "change from:#id_image_size, change from:#id_resolution" in pro


def test_it_redraws_the_sizes_for_a_changed_provider_keeping_one_it_offers(owner_a_client):
    composer = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "composer"}
    kept = owner_a_client.get(PAGE, {"provider": "gemini-pro", "image_size": "4K"}, **composer)
    assert selected_option(kept.content.decode(), "image_size") == "4K"
    price = format_micros(priced_micros("gemini-pro", image_size="4K"))
    assert f'data-testid="estimate-cost">{price}<' in kept.content.decode()
    # Sora's 1024p is not Veo's: Veo's default takes its place.
    veo = {"kind": "video", "provider": "veo", "resolution": "1024p"}
    html = owner_a_client.get(PAGE, veo, **composer).content.decode()
    assert html.lstrip().startswith('<section id="composer"')
    assert selected_option(html, "resolution") == "720p"
    flash = owner_a_client.get(PAGE, {"provider": "gemini-flash", "image_size": "4K"}, **composer)
    assert select_options(flash.content.decode(), "image_size") == []


def test_it_shows_a_super_admin_every_tenants_pending_content(
    super_admin_client, content_a, content_b
):
    response = super_admin_client.get(PAGE)
    html = response.content.decode()
    assert "Creative Center — all organisations" in html
    assert html.count('data-testid="pending-item"') == 2
    assert re.findall(r'data-testid="content-tenant">([^<]+)<', html) == [
        "Alpha Brands",
        "Beta Dispensary",
    ]
    assert 'data-testid="generation-form"' not in html

    tenant_page = super_admin_client.get(PAGE, {"tenant": "org_missing"})
    assert tenant_page.status_code == 404


def test_it_shows_tenant_users_only_their_own_pending_content(
    owner_a_client, user_b_client, content_a, content_b
):
    mine = owner_a_client.get(PAGE).content.decode()
    assert f'data-content-id="{content_a}"' in mine and f'data-content-id="{content_b}"' not in mine
    theirs = user_b_client.get(PAGE).content.decode()
    assert (
        f'data-content-id="{content_b}"' in theirs
        and f'data-content-id="{content_a}"' not in theirs
    )


def test_it_keeps_a_super_admins_tenant_in_every_link_and_action(
    super_admin_client, org_a, image_a
):
    html = super_admin_client.get(PAGE, {"tenant": org_a.pk}).content.decode()
    tenant = f"tenant={org_a.pk}"
    assert f'action="/dashboard/creative/generate?{tenant}"' in html
    assert f'href="/dashboard/creative?kind=video&amp;{tenant}"' in html
    assert f'href="/dashboard/media?{tenant}"' in html
    assert f'hx-get="/dashboard/creative/gallery?page=1&amp;{tenant}"' in html
    assert f'action="/dashboard/creative/media/{image_a.id}/submit?{tenant}"' in html
    assert "?tenant=&" not in html and "tenant=None" not in html


def test_it_leaves_the_tenant_out_of_a_tenant_users_links(owner_a_client, image_a):
    html = owner_a_client.get(PAGE).content.decode()
    assert 'action="/dashboard/creative/generate"' in html
    assert 'href="/dashboard/creative?kind=video"' in html
    assert f'action="/dashboard/creative/media/{image_a.id}/submit"' in html
    assert "tenant=" not in html


def test_it_draws_the_form_for_a_duration_that_is_not_a_number(owner_a_client):
    for duration in ("²", "-4", "1e3", "ten"):
        response = owner_a_client.get(PAGE, {"kind": "video", "duration_seconds": duration})
        assert response.status_code == 200, duration
        assert "The duration must be a whole number of seconds from 1 to 300." in text_of(response)
