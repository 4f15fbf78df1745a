import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.staticfiles import finders
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_it_finds_htmx_and_the_vendored_plotly_partial_bundle():
    assert finders.find("django_htmx/htmx-2.min.js")
    plotly_js = Path(finders.find("vendor/plotly-basic.min.js"))
    head = plotly_js.read_text()[:200]
    # The partial bundle with the traces we draw (bar, scatter), not the 4.9 MB full one.
    assert "plotly.js (basic - minified) v3.7.0" in head
    assert 1_000_000 < plotly_js.stat().st_size < 1_500_000


def test_it_loads_htmx_and_no_cdn_and_no_plotly_on_plain_pages(owner_a_client):
    html = owner_a_client.get(reverse("dashboard")).content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "plotly" not in html
    assert "cdn" not in html.lower() and "unpkg" not in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_it_collects_hashed_compressed_files_for_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(DEBUG="0", SECRET_KEY="s" * 64, STATIC_ROOT=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed_css = manifest["css/app.css"]
    assert hashed_css != "css/app.css" and hashed_css.startswith("css/app.")
    assert gzip.decompress((tmp_path / f"{hashed_css}.gz").read_bytes()).startswith(b"/*")
    assert (tmp_path / f"{manifest['vendor/plotly-basic.min.js']}.br").exists()
