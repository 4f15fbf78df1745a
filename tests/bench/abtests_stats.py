"""Timings of the A/B statistics engine, as JSON on stdout (not collected by pytest).

The engine remembers its integrals per process (the results page asks the same questions on
every poll), so each figure is measured twice: ``cold`` clears those caches before every run
(the computation itself), ``warm`` repeats the call (what a repeated page view pays).

Run: .venv/bin/python tests/bench/abtests_stats.py
"""

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from abtests import stats
from abtests.analysis import VariantCounts, analyse_test


def _clear_caches() -> None:
    for value in vars(stats).values():
        if hasattr(value, "cache_clear"):
            value.cache_clear()


def _time(call, repeat=7) -> dict[str, float]:
    figures = {}
    for mode in ("cold", "warm"):
        runs = []
        for _ in range(repeat):
            if mode == "cold":
                _clear_caches()
            start = time.perf_counter()
            call()
            runs.append(time.perf_counter() - start)
        figures[mode] = round(statistics.median(runs) * 1000, 3)
    return figures


def main() -> None:
    results = {}
    for conversions in (100, 10_000, 1_000_000):
        n = conversions * 20
        results[f"chance_to_beat_control_ms[{conversions} conversions]"] = _time(
            lambda c=conversions, n=n: stats.chance_to_beat_control(c, n, c + c // 50, n)
        )
    results["chance_to_beat_control_ms[jeffreys prior, quadrature]"] = _time(
        lambda: stats.chance_to_beat_control(10_000, 200_000, 10_200, 200_000, prior=(0.5, 0.5))
    )
    results["expected_loss_ms[10000 conversions]"] = _time(
        lambda: stats.expected_loss(10_000, 200_000, 10_200, 200_000)
    )
    arms = [(1000 + 20 * i, 20_000) for i in range(5)]
    results["chance_to_be_best_ms[5 arms]"] = _time(lambda: stats.chance_to_be_best(arms))
    results["thompson_split_ms[5 arms, 20000 draws]"] = _time(
        lambda: stats.thompson_split(arms, rng=1)
    )
    variants = [
        VariantCounts(f"v{i}", f"V{i}", 20_000, 1000 + 20 * i, 100 + i, 1500, 400_000_000, 20)
        for i in range(5)
    ]
    results["analyse_test_ms[5 variants, 4 metrics]"] = _time(
        lambda: analyse_test(
            variants, primary="ctr", metrics=["ctr", "cvr", "engagement_rate", "cpc"]
        )
    )
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
