"""Partial pooling of per-test lifts: the hierarchical normal model behind the style
recommendations. Pure numpy/scipy, no Django; ``abtests.recommendations`` feeds it.

Each comparison ``t`` (a variant against the control of the test it ran in) estimates the lift
of the variant's preset ``p(t)`` as ``y_t`` with standard error ``s_t`` (first-order delta method,
as ``abtests.stats.relative_lift``). The model::

    y_t | θ_p  ~ N(θ_p, s_t² + ω²)     ω²: how much one preset's lift varies from test to test
    θ_p        ~ N(μ, τ²)              τ²: how much presets differ from each other

* ``ω²`` by moments from presets seen in two tests or more (DerSimonian-Laird inside each
  preset: ``ω² = max(0, (Q_w - df) / c)``), 0 when no preset repeats;
* per preset, with ``w_t = 1/(s_t² + ω²)``: ``ȳ_p = Σ w_t y_t / Σ w_t`` and ``v_p = 1/Σ w_t``;
* given τ, the overall mean by generalised least squares, ``μ̂(τ) = Σ ȳ_p/(v_p+τ²) / Σ 1/(v_p+τ²)``
  with ``Var(μ̂) = 1/Σ 1/(v_p+τ²)``, and each preset pulled towards it by
  ``B_p = v_p/(v_p+τ²)``: ``θ̂_p(τ) = μ̂ + (1 - B_p)(ȳ_p - μ̂)``,
  ``V_p(τ) = v_p(1 - B_p) + B_p²·Var(μ̂)``;
* τ is not plugged in but integrated over (Gelman et al., *Bayesian Data Analysis*, §5.4): a
  uniform prior on ``[0, TAU_MAX]``, the marginal posterior
  ``p(τ|y) ∝ Var(μ̂)^½ Π (v_p+τ²)^-½ exp(-Σ (ȳ_p - μ̂)²/2(v_p+τ²))`` on a 400-point grid, and
  ``E[θ_p|y] = Σ_τ p(τ|y) θ̂_p(τ)``, ``Var = Σ_τ p(τ|y) (V_p(τ) + (θ̂_p(τ) - E[θ_p|y])²)``;
* the 95% interval is ``E ± 1.96 √Var``.

Plugging in a point estimate of τ instead (plain empirical Bayes) gave intervals that covered
the truth only 87% of the time in our simulations: with a handful of presets τ is poorly known
and often estimated at 0, which pulls everything to the mean with false confidence.

A preset seen once in a small test has a large ``v_p`` and so a ``B_p`` near 1: it is pulled
to the overall mean. One that won several large tests has a small ``v_p`` and keeps its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

Z95 = float(sps.norm.isf(0.025))
# The prior on τ is uniform on [0, TAU_MAX]: presets' true lifts differ by at most about
# ±100% (a standard deviation of 1.0 in relative lift) — generous for style changes.
TAU_MAX = 1.0
GRID_POINTS = 400


@dataclass(frozen=True)
class PooledEffect:
    """One group's (preset's) pooled estimate. ``raw`` and ``raw_se`` are its own precision-
    weighted estimate before pooling; ``pooling`` is ``B_p``, the weight on the overall mean."""

    key: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    raw: float
    raw_se: float
    pooling: float
    comparisons: int


@dataclass(frozen=True)
class PooledModel:
    mean: float  # μ̂
    mean_se: float
    between_sd: float  # τ̂
    within_sd: float  # ω̂
    effects: tuple[PooledEffect, ...]

    def effect(self, key: str) -> PooledEffect:
        return next(e for e in self.effects if e.key == key)


def ratio_lifts(
    value_a: np.ndarray, se_a: np.ndarray, value_b: np.ndarray, se_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``b/a - 1`` and its delta-method standard error for independent estimates, elementwise:
    ``Var(b/a) ≈ se_b²/a² + b²·se_a²/a⁴``."""
    a, b = np.asarray(value_a, float), np.asarray(value_b, float)
    se_a, se_b = np.asarray(se_a, float), np.asarray(se_b, float)
    return b / a - 1, np.sqrt(se_b**2 / a**2 + b**2 * se_a**2 / a**4)


def proportion_lifts(successes_a, trials_a, successes_b, trials_b) -> tuple[np.ndarray, np.ndarray]:
    """Relative lifts of proportions with delta-method standard errors (vectorised
    ``stats.relative_lift``). A rate of exactly 0 or 1 has no sampling variance by the plug-in
    formula, which would make one comparison infinitely precise: its standard error uses the
    count moved half a unit inside (Haldane-Anscombe). The point estimate is left as observed.
    The control's successes must be positive."""
    c_a, n_a = np.asarray(successes_a, float), np.asarray(trials_a, float)
    c_b, n_b = np.asarray(successes_b, float), np.asarray(trials_b, float)
    rate_a, rate_b = c_a / n_a, c_b / n_b

    def se(c, n):
        c = np.clip(c, 0.5, n - 0.5)
        rate = c / n
        return np.sqrt(rate * (1 - rate) / n)

    return ratio_lifts(rate_a, se(c_a, n_a), rate_b, se(c_b, n_b))


def _within_variance(y: np.ndarray, s: np.ndarray, groups: np.ndarray, n_groups: int) -> float:
    """ω² by DerSimonian-Laird moments, from the spread of each group's comparisons around
    the group's own fixed-effect mean (groups seen once contribute nothing)."""
    w = 1 / s**2
    w_sum = np.bincount(groups, w, n_groups)
    mean = np.bincount(groups, w * y, n_groups) / w_sum
    q = float(np.sum(w * (y - mean[groups]) ** 2))
    df = len(y) - n_groups
    if df <= 0:
        return 0.0
    c = float(np.sum(w) - np.sum(np.bincount(groups, w**2, n_groups) / w_sum))
    return max(0.0, (q - df) / c) if c > 0 else 0.0


def tau_grid(upper: float = TAU_MAX, points: int = GRID_POINTS) -> np.ndarray:
    """Grid points for τ: 0, then geometric from 1e-4 to ``upper`` (fine where small τ is
    resolved by precise data, coarse where the likelihood is flat)."""
    return np.concatenate(([0.0], np.geomspace(1e-4, upper, points - 1)))


def _trapezoid_weights(grid: np.ndarray) -> np.ndarray:
    steps = np.diff(grid)
    weights = np.zeros_like(grid)
    weights[:-1] += steps / 2
    weights[1:] += steps / 2
    return weights


def tau_posterior(ybar: np.ndarray, v: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``p(τ | data)`` on ``grid`` (normalised weights, the quadrature step included) under a
    uniform prior on ``[0, TAU_MAX]``, with μ integrated out under a flat prior:
    ``p(τ|y) ∝ Var(μ̂)^½ · Π (v_p+τ²)^-½ · exp(-Σ (ȳ_p-μ̂)² / 2(v_p+τ²))``."""
    u = v[None, :] + grid[:, None] ** 2
    w = 1 / u
    mean = np.sum(w * ybar, axis=1) / np.sum(w, axis=1)
    log_post = -0.5 * (
        np.sum(np.log(u), axis=1)
        + np.log(np.sum(w, axis=1))
        + np.sum(w * (ybar[None, :] - mean[:, None]) ** 2, axis=1)
    )
    weights = np.exp(log_post - log_post.max()) * _trapezoid_weights(grid)
    return weights / weights.sum()


def pool_lifts(keys: Sequence[str], lifts: Sequence[float], ses: Sequence[float]) -> PooledModel:
    """Partially pool comparisons ``(key, lift, se)`` into one estimate per key (see the
    module notes). Standard errors must be positive."""
    if not len(keys):
        raise ValueError("pooling needs at least one comparison")
    y, s = np.asarray(lifts, float), np.asarray(ses, float)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(s)) and np.all(s > 0)):
        raise ValueError("lifts must be finite and standard errors positive")
    names, groups = np.unique(np.asarray(keys, dtype=object).astype(str), return_inverse=True)
    k = len(names)
    omega2 = _within_variance(y, s, groups, k)
    w = 1 / (s**2 + omega2)
    w_sum = np.bincount(groups, w, k)
    ybar = np.bincount(groups, w * y, k) / w_sum
    v = 1 / w_sum
    grid = tau_grid()
    posterior = tau_posterior(ybar, v, grid)
    # Conditional on each τ on the grid: GLS mean, shrinkage and the preset's normal posterior;
    # then the mixture over τ (its mean, and total variance = mean variance + variance of means).
    u = v[None, :] + grid[:, None] ** 2
    mean_var = 1 / np.sum(1 / u, axis=1)
    means = mean_var * np.sum(ybar / u, axis=1)
    pooling_by_tau = v[None, :] / u
    conditional = means[:, None] + (1 - pooling_by_tau) * (ybar[None, :] - means[:, None])
    conditional_var = v[None, :] * (1 - pooling_by_tau) + pooling_by_tau**2 * mean_var[:, None]
    estimate = posterior @ conditional
    variance = posterior @ conditional_var + posterior @ (conditional - estimate) ** 2
    pooling = posterior @ pooling_by_tau
    mean = float(posterior @ means)
    mean_variance = float(posterior @ mean_var + posterior @ (means - mean) ** 2)
    se = np.sqrt(variance)
    counts = np.bincount(groups, minlength=k)
    effects = tuple(
        PooledEffect(
            key=str(names[i]),
            estimate=float(estimate[i]),
            se=float(se[i]),
            ci_low=float(estimate[i] - Z95 * se[i]),
            ci_high=float(estimate[i] + Z95 * se[i]),
            raw=float(ybar[i]),
            raw_se=float(np.sqrt(v[i])),
            pooling=float(pooling[i]),
            comparisons=int(counts[i]),
        )
        for i in range(k)
    )
    return PooledModel(
        mean=mean,
        mean_se=float(np.sqrt(mean_variance)),
        between_sd=float(posterior @ grid),
        within_sd=float(np.sqrt(omega2)),
        effects=effects,
    )
