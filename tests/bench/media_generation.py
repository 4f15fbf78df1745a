"""Benchmark the generation service end to end in simulate mode on a fresh SQLite database:
an image (validate, hold, generate, store, record, settle), a cache hit, a 30 s video (4 clips
joined and trimmed), a queued job run by ``run_generation_job``, and the Creative Center's jobs
and gallery reads (time and SQL queries). Prints JSON.

    .venv/bin/python tests/bench/media_generation.py [--runs 20]
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from harness import setup_django


def timed(function, runs: int) -> dict:
    samples = []
    for index in range(runs):
        start = time.perf_counter()
        function(index)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "runs": runs,
        "median_ms": round(statistics.median(samples), 2),
        "p90_ms": round(samples[int(0.9 * (runs - 1))], 2),
    }


def queries(function) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        function()
        elapsed = (time.perf_counter() - start) * 1000
    return round(elapsed, 2), len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        for key in ("GEMINI_API_KEY", "OPENAI_API_KEY"):
            os.environ.pop(key, None)  # simulate mode: nothing leaves the machine
        setup_django(Path(tmp))
        from bakedbot.models import Organisation
        from media import selectors
        from media.jobs import hooks
        from media.services import (
            generate_image,
            generate_video,
            queue_image_generation,
            run_generation_job,
        )

        org = Organisation.objects.create(
            id="org_bench", name="Bench", slug="bench", kind="brand", time_zone="America/Denver"
        )

        def image(i):
            generate_image(
                org.pk, None, provider="gemini-flash", prompt=f"Bench {i}", aspect_ratio="1:1"
            )

        def hit(i):
            result = generate_image(
                org.pk, None, provider="gemini-flash", prompt="bench 0", aspect_ratio="1:1"
            )
            assert result.cache_hit

        def video(i):
            generate_video(
                org.pk,
                None,
                provider="veo",
                prompt=f"Bench video {i}",
                duration_seconds=30,
                aspect_ratio="16:9",
            )

        def queued(i):
            with hooks.keep_deliveries():  # no broker: the job runs in-process
                job = queue_image_generation(
                    org.pk, None, provider="gemini-pro", prompt=f"Queued {i}", aspect_ratio="1:1"
                )
            assert run_generation_job(job.pk) == "done"

        results = {
            "image_inline": timed(image, args.runs),
            "cache_hit": timed(hit, args.runs),
            "video_30s_4_clips": timed(video, max(args.runs // 4, 3)),
            "queued_image_run_by_task": timed(queued, args.runs),
        }
        jobs_ms, jobs_queries = queries(lambda: selectors.get_generation_jobs(org.pk))
        gallery_ms, gallery_queries = queries(
            lambda: [item.media_url for item in selectors.get_media_gallery(org.pk).items]
        )
        results["jobs_panel_read"] = {"ms": jobs_ms, "queries": jobs_queries}
        results["gallery_page_read"] = {"ms": gallery_ms, "queries": gallery_queries}
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
