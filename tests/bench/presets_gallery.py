"""Benchmark: the presets gallery and picker with a large library, and usage tracking.

    .venv/bin/python tests/bench/presets_gallery.py [--presets 300] [--runs 20] [--uses 2000]

Seeds one tenant with ``--presets`` custom presets (through ``create_style_preset``) on a fresh
SQLite database, then times the gallery page (full and the HTMX search fragment), the picker
context and ``track_preset_usage``. Prints JSON with medians, the number of SQL queries per
gallery request (must not grow with the library) and uses recorded per second.
"""

import argparse
import json
import tempfile
import time

from harness import (
    create_presets,
    organisation_with_owner,
    serve_static_from_finders,
    setup_django,
    timed,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--presets", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--uses", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as database_dir:
        setup_django(database_dir)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from presets.selectors import get_preset_picker
        from presets.services import track_preset_usage

        org, client = organisation_with_owner("bench")
        began = time.perf_counter()
        create_presets(org.pk, args.presets)
        create_per_s = args.presets / (time.perf_counter() - began)
        serve_static_from_finders()

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

        def median_ms(fn) -> float:
            return timed(fn, args.runs)["median_ms"]

        print(
            json.dumps(
                {
                    "custom_presets": args.presets,
                    "create_per_s": round(create_per_s),
                    "gallery_page_median_ms": median_ms(gallery),
                    "gallery_search_fragment_median_ms": median_ms(search),
                    "picker_context_median_ms": median_ms(lambda: get_preset_picker(org.pk)),
                    "gallery_sql_queries": gallery_queries,
                    "track_usage_per_s": round(uses_per_s),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
