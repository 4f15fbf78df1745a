"""``GET /dashboard/creative/media/<id>`` and ``.../thumbnail``: files, inline or downloaded."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_serves_files_inline_or_as_downloads(owner_a_client, image_a, video_a):
    url = reverse("media:asset_file", args=[image_a.id])
    inline = owner_a_client.get(url)
    assert inline["Content-Type"] == "image/png" and b"".join(inline.streaming_content).startswith(
        b"\x89PNG"
    )
    download = owner_a_client.get(url, {"download": "1"})
    assert download["Content-Disposition"] == f'attachment; filename="{image_a.id}.png"'
    b"".join(download.streaming_content)
    video = owner_a_client.get(reverse("media:asset_file", args=[video_a.id]))
    assert (
        video["Content-Type"] == "video/mp4" and b"ftyp" in b"".join(video.streaming_content)[:12]
    )


def test_it_answers_404_for_the_thumbnail_of_an_image(owner_a_client, image_a):
    assert (
        owner_a_client.get(reverse("media:asset_thumbnail", args=[image_a.id])).status_code == 404
    )
