"""The Creative Center's budget box follows the job that just finished: the jobs poll that sees
a job finish sends ``media-gallery-changed``, on which the estimate panel (with the budget box)
reloads, as the gallery does."""

import re

import pytest

from tests.media.helpers import PAGE

pytestmark = pytest.mark.django_db


def test_it_reloads_the_estimate_panel_when_a_job_finishes(owner_a_client):
    html = owner_a_client.get(PAGE).content.decode()
    panel = re.search(r'<aside id="estimate-panel"[^>]*>', html).group(0)
    assert "media-gallery-changed from:body" in panel
    gallery = re.search(r'<section id="gallery"[^>]*>', html).group(0)
    assert "media-gallery-changed from:body" in gallery


def test_it_draws_the_gallery_at_its_own_address_as_a_page(owner_a_client, image_a):
    from django.urls import reverse

    html = owner_a_client.get(reverse("media:creative_gallery")).content.decode()
    assert html.startswith("<!doctype html>") and 'data-testid="sidebar"' in html
    assert 'data-testid="gallery"' in html and "Gallery — " in html
    fragment = owner_a_client.get(reverse("media:creative_gallery"), HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
