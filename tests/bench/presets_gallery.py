"""Benchmark: the presets gallery and picker with a large library, and usage tracking.

    .venv/bin/python tests/bench/presets_gallery.py [--presets 300] [--runs 20] [--uses 2000]

Seeds one tenant with ``--presets`` custom presets (through ``create_style_preset``) on a fresh
SQLite database, then times the gallery page (full and the HTMX search fragment), the picker
context and ``track_preset_usage``. Prints JSON with medians, the number of SQL queries per
gallery request (must not grow with the library) and uses recorded per second.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup_django(database_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakedbot.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 30)
    os.environ["DATABASE_URL"] = f"sqlite:///{database_dir}/bench.sqlite3"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presets", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--uses", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as database_dir:
        setup_django(database_dir)
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, override_settings

        from bakedbot.models import Membership, Organisation
        from presets.selectors import get_preset_picker
        from presets.services import create_style_preset, track_preset_usage

        org = Organisation.objects.create(id="org_bench", name="Bench", slug="bench", kind="brand")
        user = get_user_model().objects.create_user("bench@example.test")
        Membership.objects.create(user=user, organisation=org, role="owner")
        began = time.perf_counter()
        for n in range(args.presets):
            create_style_preset(
                tenant_id=org.pk,
                data={
                    "name": f"Preset {n:04d}",
                    "style_prompt": "Soft light, clean background. " * 10,
                    "aspect_ratios": ["1:1", "4:5", "16:9"],
                    "tags": [f"tag{n % 15}", "bench"],
                },
            )
        create_per_s = args.presets / (time.perf_counter() - began)

        client = Client()
        client.force_login(user)
        # Production settings want collectstatic's manifest; plain static URLs are enough here.
        override_settings(
            STORAGES={
                "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        ).enable()

        def gallery():
            assert client.get("/dashboard/presets").status_code == 200

        def search():
            response = client.get(
                "/dashboard/presets",
                {"q": "preset 01"},
                HTTP_HX_REQUEST="true",
                HTTP_HX_TARGET="preset-results",
            )
            assert response.status_code == 200

        gallery()  # warm the template cache first
        with CaptureQueriesContext(connection) as queries:
            gallery()
        gallery_queries = len(queries)  # now: the captured list is read lazily
        preset_ids = [p.preset.id for p in get_preset_picker(org.pk).custom[:10]]
        began = time.perf_counter()
        for n in range(args.uses):
            track_preset_usage(
                tenant_id=org.pk, preset_id=preset_ids[n % 10] if n % 2 else "builtin-modern"
            )
        uses_per_s = args.uses / (time.perf_counter() - began)
        print(
            json.dumps(
                {
                    "custom_presets": args.presets,
                    "create_per_s": round(create_per_s),
                    "gallery_page_median_ms": median_ms(gallery, args.runs),
                    "gallery_search_fragment_median_ms": median_ms(search, args.runs),
                    "picker_context_median_ms": median_ms(
                        lambda: get_preset_picker(org.pk), args.runs
                    ),
                    "gallery_sql_queries": gallery_queries,
                    "track_usage_per_s": round(uses_per_s),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
