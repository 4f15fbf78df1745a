"""Calibration of the partially pooled preset lifts by simulation: 1,000 portfolios with known
true lifts (2 to 8 presets, each in 1 to 4 tests of 1,000 to 50,000 impressions per arm, CTRs
of 1% to 6%), counts drawn from binomials, every portfolio pooled as the recommendations do.
The 95% intervals must cover the truth at least 93% of the time, and the pooled estimates
must be closer to the truth (mean squared error) than the per-test estimates. The figures are
printed (``pytest -s``)."""

import numpy as np

from abtests.pooling import pool_lifts, proportion_lifts

PORTFOLIOS = 1_000


def simulate(seed: int):
    rng = np.random.default_rng(seed)
    covered = intervals = 0
    per_test_errors, unpooled_errors, pooled_errors = [], [], []
    for _ in range(PORTFOLIOS):
        k = int(rng.integers(2, 9))
        mean, spread = rng.normal(0.05, 0.05), rng.uniform(0.02, 0.15)
        truth = rng.normal(mean, spread, k)
        preset = np.repeat(np.arange(k), rng.integers(1, 5, k))
        n = np.exp(rng.uniform(np.log(1_000), np.log(50_000), len(preset))).astype(np.int64)
        control_rate = rng.uniform(0.01, 0.06, len(preset))
        clicks_a = rng.binomial(n, control_rate)
        clicks_b = rng.binomial(n, control_rate * (1 + truth[preset]))
        kept = clicks_a > 0
        lifts, ses = proportion_lifts(clicks_a[kept], n[kept], clicks_b[kept], n[kept])
        keys = preset[kept].astype(str)
        model = pool_lifts(list(keys), lifts, ses)
        by_key = {effect.key: effect for effect in model.effects}
        for effect in model.effects:
            covered += effect.ci_low <= truth[int(effect.key)] <= effect.ci_high
            intervals += 1
        true_lift = truth[preset[kept]]
        per_test_errors += list((lifts - true_lift) ** 2)
        for key, t in zip(keys, true_lift, strict=True):
            unpooled_errors.append((by_key[key].raw - t) ** 2)
            pooled_errors.append((by_key[key].estimate - t) ** 2)
    return (
        covered / intervals,
        float(np.mean(per_test_errors)),
        float(np.mean(unpooled_errors)),
        float(np.mean(pooled_errors)),
    )


def test_the_intervals_cover_the_truth_and_pooling_lowers_the_error():
    coverage, per_test, unpooled, pooled = simulate(seed=20261202)
    print(
        f"\n{PORTFOLIOS} portfolios: 95% interval coverage {coverage:.1%}; mean squared error "
        f"per-test {per_test:.5f}, each preset's own tests pooled {unpooled:.5f}, "
        f"partially pooled {pooled:.5f}"
    )
    assert coverage >= 0.93
    assert pooled < per_test
    assert pooled < unpooled
