"""Benchmark: computing an organisation's style recommendations, small and large portfolios.

    .venv/bin/python tests/bench/abtests_recommendations.py [--small 10] [--large 1000] [--runs 30]

On a fresh SQLite database, seeds one organisation with ``--small`` started tests and another
with ``--large`` (three arms each: a built-in control and two presets drawn from the built-ins
and ten custom ids, counts drawn from binomials; rows bulk-inserted, as the benchmark times the
read, not the writes), then times ``get_style_recommendations`` for each (CTR) and the
platform-wide ``get_platform_style_recommendations`` (computed afresh, and from its cache).
Prints JSON: median and p99 in ms per portfolio, the large/small ratio of the medians, and the
SQL queries per computation (must not grow with the portfolio).
"""

import argparse
import json
import tempfile

from harness import setup_django, timed


def seed(tenant_id: str, tests: int, rng) -> None:
    from abtests.models import MediaABTest, MediaABTestResult, MediaABTestVariant
    from presets.builtins import BUILTIN_PRESETS

    presets = [p.id for p in BUILTIN_PRESETS] + [f"custom-{i}" for i in range(10)]
    lifts = {p: rng.normal(0.05, 0.1) for p in presets}
    metrics = ["impressions", "clicks", "conversions", "engagement", "cost"]
    made = MediaABTest.objects.bulk_create(
        MediaABTest(tenant_id=tenant_id, name=f"Test {i}", status="running", metrics=metrics)
        for i in range(tests)
    )
    variants, results = [], []
    for test in made:
        arms = [presets[0], *rng.choice(presets[1:], 2, replace=False)]
        base = rng.uniform(0.01, 0.06)
        for position, preset in enumerate(arms):
            variant = MediaABTestVariant(
                test=test, position=position, name=f"V{position}", preset_id=preset
            )
            variants.append(variant)
            n = int(rng.integers(1_000, 50_000))
            rate = base * (1 + (lifts[preset] if position else 0))
            clicks = int(rng.binomial(n, min(rate, 1)))
            results.append(
                MediaABTestResult(
                    test=test,
                    variant=variant,
                    impressions=n,
                    clicks=clicks,
                    conversions=clicks // 10,
                    engagement=clicks * 2,
                    cost_micros=n * 10_000,
                )
            )
    MediaABTestVariant.objects.bulk_create(variants)
    MediaABTestResult.objects.bulk_create(results)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as database_dir:
        setup_django(database_dir)
        import numpy as np
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from abtests.recommendations import (
            get_platform_style_recommendations,
            get_style_recommendations,
        )
        from bakedbot.models import Organisation

        rng = np.random.default_rng(16)
        portfolios = {}
        for label, tests in (("small", args.small), ("large", args.large)):
            org = Organisation.objects.create(name=label, slug=label, kind="brand")
            seed(org.pk, tests, rng)
            portfolios[label] = (org.pk, tests)

        report: dict = {"runs": args.runs}
        for label, (tenant_id, tests) in portfolios.items():

            def compute(tenant_id=tenant_id):
                return get_style_recommendations(tenant_id, metric="ctr")

            compute()  # warm-up
            with CaptureQueriesContext(connection) as queries:
                found = compute()
            report[label] = {
                "tests": tests,
                "comparisons": found.comparisons,
                "presets": len(found.effects),
                "queries": len(queries),
                **timed(compute, args.runs),
            }
        report["large_to_small_median_ratio"] = round(
            report["large"]["median_ms"] / report["small"]["median_ms"], 2
        )
        from django.core.cache import cache

        def platform_uncached():
            cache.clear()
            return get_platform_style_recommendations(metric="ctr")

        report["platform_uncached"] = timed(platform_uncached, args.runs)
        # Kept until a result changes: what a page or widget pays after the first computation.
        report["platform_cached"] = timed(
            lambda: get_platform_style_recommendations(metric="ctr"), args.runs
        )
        print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
