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
