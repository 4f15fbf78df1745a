"""Benchmark the provider layer's local work: simulate-mode outputs, joining clips into a 300 s
video, and one JSON round trip through the HTTP client to a loopback fake. Prints JSON.

    DEBUG=1 .venv/bin/python tests/bench/media_providers.py
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bakedbot.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from media.providers import join_clips, video_duration  # noqa: E402
from media.providers.http import ProviderHttp  # noqa: E402
from media.providers.retry import RetryPolicy  # noqa: E402
from media.providers.simulate import VIDEO_LONG_SIDE, render_image, simulated_size  # noqa: E402
from media.providers.video_tools import render_clip  # noqa: E402
from tests.media.providers.fakes import FakeProvider, Reply  # noqa: E402


def timed(function, repeat: int) -> tuple[float, object]:
    """Median seconds over ``repeat`` runs, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def main() -> None:
    prompt = "Gummies on a marble counter, soft morning light, product shot, bold headline " * 2
    image_s, png = timed(
        lambda: render_image(prompt=prompt, aspect_ratio="16:9", palette=["#1b4332", "#ffb703"]),
        repeat=10,
    )

    width, height = simulated_size("16:9", VIDEO_LONG_SIDE, even=True)
    still = render_image(prompt=prompt, aspect_ratio="16:9", long_side=VIDEO_LONG_SIDE, even=True)
    clip_s, clip = timed(
        lambda: render_clip(still_png=still, duration_seconds=8, width=width, height=height),
        repeat=5,
    )
    clips = [clip] * 37 + [
        render_clip(still_png=still, duration_seconds=4, width=width, height=height)
    ]
    join_s, joined = timed(lambda: join_clips(clips), repeat=3)

    fake = FakeProvider()
    fake.on("POST", "/v1beta/ping", *[Reply(json={"ok": True})] * 200)
    http = ProviderHttp(
        provider="bench",
        base_url=fake.url + "/v1beta",
        auth_headers={"x-goog-api-key": "k"},
        timeout=(2, 5),
        retry=RetryPolicy(),
    )
    http.json("POST", http.url("ping"), body={})
    round_trip_s, _ = timed(lambda: http.json("POST", http.url("ping"), body={"a": 1}), repeat=150)
    fake.close()

    print(
        json.dumps(
            {
                "simulated_image_png_1024x576_ms": round(image_s * 1000, 1),
                "simulated_image_bytes": len(png),
                "simulated_clip_8s_640x360_ms": round(clip_s * 1000, 1),
                "simulated_clip_8s_bytes": len(clip),
                "join_38_clips_to_300s_ms": round(join_s * 1000, 1),
                "joined_duration_s": round(video_duration(joined), 2),
                "http_json_round_trip_loopback_ms": round(round_trip_s * 1000, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
