"""Benchmark: pages as data grows, and what they weigh on the wire (JSON on stdout; not
collected by pytest).

    .venv/bin/python tests/bench/pages_growth.py [--runs 15]

On a fresh SQLite database, through Django's test client with the production middleware:
- the presets gallery and the Creative Center with 30 and with 1,000 custom presets (target:
  1,000 within 2x of 30);
- an A/B test's results page with 2 and with 10 variants (target: within 2x), the first request
  (nothing remembered yet) and the median of the following ones;
- HTML compression: the Creative Center's bytes as sent with and without ``Accept-Encoding: gzip``;
- a chart page's first load on the wire (the 10-variant A/B results page, which draws plotly
  charts: its HTML plus every script and stylesheet it links, each fetched gzip-accepting as a
  browser would; target <= 500 KB).
"""

import argparse
import gzip
import json
import re
import tempfile
import time

from harness import (
    create_presets,
    organisation_with_owner,
    serve_static_from_finders,
    setup_django,
    timed,
)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as database_dir:
        setup_django(database_dir)
        from abtests import services as abtests

        serve_static_from_finders()

        def ok(client, url: str, **extra):
            response = client.get(url, **extra)
            assert response.status_code == 200, (url, response.status_code)
            return response

        results: dict = {}
        pages = {"presets_gallery": "/dashboard/presets", "creative_center": "/dashboard/creative"}
        sized = {}
        for count in (30, 1000):
            org, client = organisation_with_owner(f"presets{count}")
            create_presets(org.pk, count)
            for name, url in pages.items():
                ok(client, url)  # templates compiled
                sized[(name, count)] = timed(lambda c=client, u=url: ok(c, u), args.runs)
                sized[(name, count)]["html_bytes"] = len(body(ok(client, url)))
        for name in pages:
            small, large = sized[(name, 30)], sized[(name, 1000)]
            results[name] = {
                "30_presets": small,
                "1000_presets": large,
                "ratio_1000_vs_30": round(large["median_ms"] / small["median_ms"], 2),
                "target_ratio": 2,
            }

        ab = {}
        chart_page = ""
        for variants in (2, 10):
            org, client = organisation_with_owner(f"ab{variants}")
            saved = abtests.create_media_ab_test(
                tenant_id=org.pk,
                data={
                    "name": f"{variants} looks",
                    "base_prompt": "A jar of flower on a sunlit counter",
                    "primary_metric": "ctr",
                    "metrics": ["impressions", "clicks", "conversions", "engagement", "cost"],
                    "variants": [
                        {"name": f"Look {i}", "preset_id": "builtin-professional"}
                        for i in range(variants)
                    ],
                },
            )
            abtests.transition_media_ab_test(
                tenant_id=org.pk, test_id=saved.test_id, status="running"
            )
            for i, variant in enumerate(abtests_variant_ids(saved.test_id)):
                abtests.update_ab_test_metrics(
                    tenant_id=org.pk,
                    test_id=saved.test_id,
                    variant_id=variant,
                    metrics={
                        "impressions": 20_000,
                        "clicks": 1000 + 20 * i,
                        "conversions": 100 + i,
                        "engagement": 1500,
                        "cost": "400.00",
                    },
                )
            url = chart_page = f"/dashboard/abtests/{saved.test_id}"
            chart_client = client
            began = time.perf_counter()
            ok(client, url)
            first = round((time.perf_counter() - began) * 1000, 2)
            ab[variants] = {
                "first_request_ms": first,
                **timed(lambda c=client, u=url: ok(c, u), args.runs),
            }
        results["abtest_results"] = {
            "2_variants": ab[2],
            "10_variants": ab[10],
            "ratio_10_vs_2": round(ab[10]["median_ms"] / ab[2]["median_ms"], 2),
            "ratio_10_vs_2_first_request": round(
                ab[10]["first_request_ms"] / ab[2]["first_request_ms"], 2
            ),
            "target_ratio": 2,
        }

        org, client = organisation_with_owner("wire")
        create_presets(org.pk, 30)
        plain = len(body(ok(client, "/dashboard/creative")))
        gzipped = ok(client, "/dashboard/creative", HTTP_ACCEPT_ENCODING="gzip")
        results["html_compression"] = {
            "page": "/dashboard/creative",
            "bytes_uncompressed": plain,
            "bytes_gzip": len(body(gzipped)),
            "content_encoding": gzipped.get("Content-Encoding", ""),
        }
        page = ok(chart_client, chart_page, HTTP_ACCEPT_ENCODING="gzip")
        html = body(page)
        text = gzip.decompress(html).decode() if page.get("Content-Encoding") else html.decode()
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', text)
        wire = {f"{chart_page} (html)": len(html)}
        for asset in dict.fromkeys(assets):
            response = client.get(asset, HTTP_ACCEPT_ENCODING="gzip")
            assert response.status_code == 200, asset
            wire[asset] = len(body(response))
        assert any("plotly" in asset for asset in assets), "the chart page loads no plotly.js"
        results["chart_page_first_load"] = {
            "bytes_on_the_wire": wire,
            "total_kb": round(sum(wire.values()) / 1024, 1),
            "target_kb": 500,
        }
        print(json.dumps(results, indent=2))


def abtests_variant_ids(test_id: str) -> list[str]:
    from abtests.models import MediaABTest

    test = MediaABTest.objects.get(pk=test_id)
    return list(test.variants.order_by("position").values_list("pk", flat=True))


if __name__ == "__main__":
    main()
