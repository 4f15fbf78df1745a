"""``abtests.pooling``: the partially pooled preset lifts against an independent computation —
the full hierarchical model written as one dense multivariate normal (scipy.stats), the
preset effects as the joint Gaussian posterior of (μ, θ) from its precision matrix, and the
integral over τ done by scipy's adaptive quadrature instead of the module's grid — on hand-made
portfolios: a preset seen in a single test, a preset with no variance between its tests, and
presets that never faced each other. The delta-method lifts match ``stats.relative_lift``."""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from abtests import stats
from abtests.pooling import TAU_MAX, pool_lifts, proportion_lifts


def _within_variance(keys, y, s):
    """DerSimonian-Laird inside each preset, written out preset by preset."""
    q = df = c = 0.0
    for key in set(keys):
        ys = np.array([v for k, v in zip(keys, y, strict=True) if k == key])
        w = np.array([1 / e**2 for k, e in zip(keys, s, strict=True) if k == key])
        q += float(np.sum(w * (ys - np.sum(w * ys) / np.sum(w)) ** 2))
        df += len(ys) - 1
        c += float(np.sum(w) - np.sum(w**2) / np.sum(w))
    return max(0.0, (q - df) / c) if df > 0 and c > 0 else 0.0


def reference(keys, y, s):
    """Posterior mean and sd of each preset's lift, the dense way."""
    y, s = np.asarray(y, float), np.asarray(s, float)
    names = sorted(set(keys))
    z = np.array([[1.0 if k == name else 0.0 for name in names] for k in keys])
    omega2 = _within_variance(keys, y, s)
    ones = np.ones(len(y))

    def at(tau):
        d = np.diag(s**2 + omega2)
        v = d + tau**2 * z @ z.T
        v_inv = np.linalg.inv(v)
        info = ones @ v_inv @ ones
        mean = (ones @ v_inv @ y) / info
        # Restricted likelihood: the marginal of y with μ integrated out under a flat prior.
        log_lik = sps.multivariate_normal(mean * ones, v).logpdf(y) - 0.5 * math.log(info)
        # The joint posterior of (μ, θ) given τ, from its precision matrix: the prior
        # θ ~ N(μ·1, τ²I) (flat in μ) and the likelihood y ~ N(Zθ, D).
        k = len(names)
        precision = np.zeros((k + 1, k + 1))
        precision[0, 0] = k / tau**2
        precision[0, 1:] = precision[1:, 0] = -1 / tau**2
        precision[1:, 1:] = np.eye(k) / tau**2 + z.T @ np.linalg.inv(d) @ z
        covariance = np.linalg.inv(precision)
        posterior = covariance @ np.concatenate(([0.0], z.T @ np.linalg.inv(d) @ y))
        return log_lik, posterior[1:], np.diag(covariance)[1:]

    peak = max(at(t)[0] for t in np.linspace(1e-5, TAU_MAX, 201))

    def integral(f):
        value, _ = integrate.quad(
            lambda t: math.exp(at(t)[0] - peak) * f(t), 1e-5, TAU_MAX, limit=200, points=[0.01, 0.1]
        )
        return value

    norm = integral(lambda t: 1.0)
    result = {}
    for i, name in enumerate(names):
        mean = integral(lambda t, i=i: at(t)[1][i]) / norm
        second = integral(lambda t, i=i: at(t)[2][i] + at(t)[1][i] ** 2) / norm
        result[name] = (mean, math.sqrt(second - mean**2))
    return result


def _check(keys, y, s):
    model = pool_lifts(keys, y, s)
    expected = reference(keys, y, s)
    for name, (mean, sd) in expected.items():
        effect = model.effect(name)
        assert effect.estimate == pytest.approx(mean, abs=2e-4), name
        assert effect.se == pytest.approx(sd, rel=5e-3), name
        assert effect.ci_low == pytest.approx(effect.estimate - 1.959964 * effect.se, abs=1e-6)
    return model


def test_a_single_test_preset_is_pulled_towards_the_mean_and_a_proven_one_is_not():
    keys = ["solo", "proven", "proven", "proven", "proven", "other", "other"]
    y = [0.40, 0.20, 0.22, 0.18, 0.21, -0.02, 0.01]
    s = [0.25, 0.03, 0.03, 0.04, 0.03, 0.05, 0.06]
    model = _check(keys, y, s)
    solo, proven = model.effect("solo"), model.effect("proven")
    assert solo.comparisons == 1
    assert solo.pooling > 0.4 and abs(solo.estimate - model.mean) < 0.6 * abs(0.40 - model.mean)
    assert proven.pooling < 0.05 and proven.estimate == pytest.approx(proven.raw, abs=0.01)


def test_a_preset_with_no_variance_between_its_tests():
    # "flat" gave exactly the same lift twice: no within-preset spread (ω² = 0 here).
    keys = ["flat", "flat", "a", "b", "b"]
    y = [0.10, 0.10, 0.30, -0.05, -0.01]
    s = [0.04, 0.04, 0.08, 0.05, 0.05]
    model = _check(keys, y, s)
    assert model.within_sd == 0.0
    assert model.effect("flat").raw == pytest.approx(0.10)


def test_presets_that_never_faced_each_other_are_on_one_scale():
    # Each preset ran only against its own control: still one estimate each, comparable.
    keys = ["playful", "vintage", "modern", "luxury"]
    y = [0.15, -0.04, 0.06, 0.02]
    s = [0.05, 0.04, 0.07, 0.10]
    model = _check(keys, y, s)
    ranked = sorted(model.effects, key=lambda e: -e.estimate)
    assert (ranked[0].key, ranked[-1].key) == ("playful", "vintage")


def test_a_single_preset_keeps_its_own_estimate():
    model = pool_lifts(["only", "only"], [0.1, 0.2], [0.05, 0.05])
    assert model.effect("only").estimate == pytest.approx(0.15)


@pytest.mark.parametrize(
    ("c_a", "n_a", "c_b", "n_b"),
    [(200, 5000, 260, 5000), (31, 900, 45, 1200), (1, 10, 9, 10)],
)
def test_the_lifts_are_the_engines_delta_method(c_a, n_a, c_b, n_b):
    lift, se = proportion_lifts([c_a], [n_a], [c_b], [n_b])
    engine = stats.relative_lift(c_a, n_a, c_b, n_b)
    assert lift[0] == pytest.approx(engine.value)
    assert se[0] == pytest.approx(engine.se)


def test_a_rate_of_zero_keeps_a_standard_error():
    # The plug-in formula says 0 for no clicks at all, which would make the comparison count
    # as infinitely precise.
    lift, se = proportion_lifts([100], [5000], [0], [5000])
    assert lift[0] == -1.0
    assert se[0] > 0


def test_it_refuses_comparisons_without_spread():
    with pytest.raises(ValueError, match="positive"):
        pool_lifts(["a"], [0.1], [0.0])
