"""The A/B-test statistics engine: pure functions on counts, no Django and no I/O.

Conventions: arm ``a`` is the control and arm ``b`` a variant; every difference is ``b - a``.
Rates, probabilities and intervals are floats: they are estimates, not money (money stays integer
micro-dollars and ``Decimal`` everywhere else; cost enters here only as the numerator of a ratio
whose interval is being estimated).

Methods, so the numbers can be checked by hand:

* Two proportions: z statistic with the pooled standard error, two-sided p-value, Wald interval of
  the difference with the unpooled standard error.
* Relative lift ``b/a - 1`` and ratio metrics (CPC): first-order delta method.
* Bayesian Beta-Binomial with a ``Beta(prior)`` prior; an arm's posterior is ``Beta(a, b)``.
  The chance that ``b`` beats ``a`` is exact: Evan Miller's closed-form sum for an integer ``a``,
  ``P(X_2 > X_1) = Σ_{i=0}^{a_2-1} B(a_1+i, b_1+b_2) / ((b_2+i) B(1+i, b_2) B(a_1, b_1))``,
  each term taken in log space with ``scipy.special.betaln``. When neither ``a`` is an integer (a
  fractional prior) or the sum would be very long, adaptive quadrature of ``∫ f_2(x) F_1(x) dx``
  over the region holding all but 1e-15 of ``X_2``'s mass replaces it. The expected loss uses the
  size-biasing identity ``E[p·1{…}] = E[p]·P(…)`` under ``Beta(a+1, b)``, so it reduces to the
  same exact probabilities.
* Chance to be best among several arms: ``∫ f_i(x) Π_{j≠i} F_j(x) dx`` by adaptive quadrature.
* Thompson-sampling split: Monte Carlo draws from the posteriors (seedable), then a floor of
  ``min_weight`` per arm. Top-two Thompson sampling (bandit mode): the closed form
  ``w_i = β·p_i + (1-β)·Σ_{j≠i} p_j·p_i/(1-p_j)`` on the exact chances to be best ``p``.
* Sample-ratio mismatch: Pearson chi-square goodness of fit against the configured split.
* Sample size: the normal-approximation formula for two proportions (two-sided, unpooled variance
  under the alternative, no continuity correction).
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import integrate, special
from scipy import stats as sps

Prior = tuple[float, float]

# Beyond this many terms the closed-form sum is slower than quadrature (which is as accurate).
_MAX_CLOSED_FORM_TERMS = 100_000
# Top-two Thompson sampling plays the draw's leader this often and its challenger otherwise:
# between earning (plain Thompson sampling, 1) and learning (1/2 measures the runner-up as much).
TOP_TWO_BETA = 0.75
# Quadrature runs over the interval holding all but this much of a Beta density's mass.
_TAIL = 1e-15


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ZTest:
    """A two-proportion z-test of ``b`` against ``a``; unpacks as ``z, p_value, (low, high)``."""

    rate_a: float
    rate_b: float
    difference: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float

    @property
    def ci(self) -> tuple[float, float]:
        return self.ci_low, self.ci_high

    def __iter__(self):
        return iter((self.z, self.p_value, self.ci))


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error and a two-sided interval."""

    value: float
    se: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class RatioComparison:
    """A ratio metric (such as CPC) of ``b`` against ``a``, both by the delta method."""

    difference: Estimate
    relative_lift: Estimate
    z: float
    p_value: float
    chance_to_beat_control: float
    lower_is_better: bool


@dataclass(frozen=True)
class SRMResult:
    """Sample-ratio mismatch: ``checked`` is False until every arm has the minimum count.
    Unpacks as ``chi_square, p_value, flagged``."""

    chi_square: float
    p_value: float
    flagged: bool
    checked: bool

    def __iter__(self):
        return iter((self.chi_square, self.p_value, self.flagged))


@dataclass(frozen=True)
class PowerCheck:
    required_per_arm: int
    smallest_arm: int
    achieved_power: float
    underpowered: bool


@dataclass(frozen=True)
class WinnerDecision:
    """``winner`` is None with the ``reason`` when there is no winner yet."""

    winner: str | None
    confidence: float | None
    reason: str


# ----------------------------------------------------------------------------- validation


def _counts(successes, trials, arm: str) -> tuple[int, int]:
    try:
        successes, trials = operator.index(successes), operator.index(trials)
    except TypeError:
        raise ValueError(f"{arm}: counts must be whole numbers") from None
    if trials < 0 or successes < 0:
        raise ValueError(f"{arm}: counts cannot be negative")
    if successes > trials:
        raise ValueError(f"{arm}: successes ({successes}) cannot exceed trials ({trials})")
    return successes, trials


def _alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    return float(alpha)


def _prior(prior: Prior) -> Prior:
    a, b = prior
    if not (a > 0 and b > 0):
        raise ValueError("prior parameters must be positive")
    return float(a), float(b)


def _posterior(successes, trials, prior: Prior, arm: str) -> tuple[float, float]:
    successes, trials = _counts(successes, trials, arm)
    a, b = _prior(prior)
    return successes + a, trials - successes + b


# ----------------------------------------------------------------------------- frequentist


# scipy.stats' distributions cost ~0.2 ms a call in argument checking; the results page makes
# hundreds of these calls, so the hot ones use the scipy.special functions the distributions
# themselves evaluate (norm.isf(q) = -ndtri(q), norm.sf(x) = ndtr(-x), beta.ppf = betaincinv).
@functools.lru_cache(maxsize=64)
def _z_isf(q: float) -> float:
    return float(-special.ndtri(q))


def two_proportion_ztest(conversions_a, n_a, conversions_b, n_b, alpha=0.05) -> ZTest:
    """z and two-sided p-value with the pooled standard error; Wald interval of ``b - a``
    with the unpooled one. Identical all-or-nothing arms (pooled rate 0 or 1) give z = 0, p = 1."""
    conversions_a, n_a = _counts(conversions_a, n_a, "a")
    conversions_b, n_b = _counts(conversions_b, n_b, "b")
    if n_a == 0 or n_b == 0:
        raise ValueError("two_proportion_ztest needs at least one trial in each arm")
    z_crit = _z_isf(_alpha(alpha) / 2)
    rate_a, rate_b = conversions_a / n_a, conversions_b / n_b
    difference = rate_b - rate_a
    pooled = (conversions_a + conversions_b) / (n_a + n_b)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if se_pooled == 0:
        z, p_value = 0.0, 1.0
    else:
        z = difference / se_pooled
        p_value = float(2 * special.ndtr(-abs(z)))
    se = math.sqrt(rate_a * (1 - rate_a) / n_a + rate_b * (1 - rate_b) / n_b)
    return ZTest(
        rate_a, rate_b, difference, z, p_value, difference - z_crit * se, difference + z_crit * se
    )


def _estimate(value: float, se: float, alpha: float) -> Estimate:
    z_crit = _z_isf(_alpha(alpha) / 2)
    return Estimate(value, se, value - z_crit * se, value + z_crit * se)


def relative_lift(conversions_a, n_a, conversions_b, n_b, alpha=0.05) -> Estimate | None:
    """``rate_b / rate_a - 1`` with a delta-method interval; None while the control rate is 0.

    ``Var(p_b/p_a) ≈ Var(p_b)/p_a² + p_b²·Var(p_a)/p_a⁴`` with ``Var(p) = p(1-p)/n``.
    """
    conversions_a, n_a = _counts(conversions_a, n_a, "a")
    conversions_b, n_b = _counts(conversions_b, n_b, "b")
    if n_a == 0 or n_b == 0 or conversions_a == 0:
        return None
    rate_a, rate_b = conversions_a / n_a, conversions_b / n_b
    var_a, var_b = rate_a * (1 - rate_a) / n_a, rate_b * (1 - rate_b) / n_b
    se = math.sqrt(var_b / rate_a**2 + rate_b**2 * var_a / rate_a**4)
    return _estimate(rate_b / rate_a - 1, se, alpha)


def ratio_estimate(
    numerator_mean: float,
    denominator_mean: float,
    numerator_var: float,
    denominator_var: float,
    covariance: float,
    n: int,
    alpha: float = 0.05,
) -> Estimate:
    """The ratio of two per-unit means ``X̄/Ȳ`` over ``n`` units, by the delta method:
    ``Var ≈ (var_x/my² - 2·mx·cov/my³ + mx²·var_y/my⁴) / n``."""
    if n <= 0 or denominator_mean == 0:
        raise ValueError("a ratio needs units and a non-zero denominator")
    mx, my = numerator_mean, denominator_mean
    var = (
        numerator_var / my**2 - 2 * mx * covariance / my**3 + mx**2 * denominator_var / my**4
    ) / n
    return _estimate(mx / my, math.sqrt(max(var, 0.0)), alpha)


def cost_per_click(cost, clicks, impressions, alpha=0.05) -> Estimate | None:
    """CPC = cost / clicks with a delta-method interval; None until there is a click.

    Only totals are reported, so spend is modelled as spread evenly over impressions (a constant
    per unit) and the randomness is in which impressions are clicked: with ``p = clicks/n`` this
    gives ``Var(CPC) ≈ CPC²·(1-p)/clicks``.
    """
    clicks, impressions = _counts(clicks, impressions, "clicks/impressions")
    if cost < 0:
        raise ValueError("cost cannot be negative")
    if clicks == 0:
        return None
    rate = clicks / impressions
    return ratio_estimate(cost / impressions, rate, 0.0, rate * (1 - rate), 0.0, impressions, alpha)


def compare_ratios(
    a: Estimate, b: Estimate, *, lower_is_better: bool = False, alpha: float = 0.05
) -> RatioComparison:
    """``b`` against ``a`` for independent ratio estimates: difference and relative lift (delta
    method), a z-test, and the normal-approximation chance that ``b`` is better."""
    if a.value == 0:
        raise ValueError("the control ratio is zero; no relative lift")
    se_diff = math.hypot(a.se, b.se)
    difference = b.value - a.value
    lift_se = math.sqrt(b.se**2 / a.value**2 + b.value**2 * a.se**2 / a.value**4)
    if se_diff == 0:
        z, p_value = 0.0, 1.0
        better = 0.5 if difference == 0 else float((difference < 0) == lower_is_better)
    else:
        z = difference / se_diff
        p_value = float(2 * special.ndtr(-abs(z)))
        better = float(special.ndtr(-z) if lower_is_better else special.ndtr(z))
    return RatioComparison(
        difference=_estimate(difference, se_diff, alpha),
        relative_lift=_estimate(b.value / a.value - 1, lift_se, alpha),
        z=z,
        p_value=p_value,
        chance_to_beat_control=better,
        lower_is_better=lower_is_better,
    )


def holm_adjust(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm's step-down adjustment (family-wise error rate), in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return ()
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return tuple(float(x) for x in adjusted)


def benjamini_hochberg_adjust(p_values: Sequence[float]) -> tuple[float, ...]:
    """Benjamini-Hochberg step-up adjustment (false discovery rate), in the input order."""
    p = np.asarray(p_values, dtype=float)
    m = len(p)
    if m == 0:
        return ()
    order = np.argsort(p, kind="stable")
    scaled = np.minimum(1.0, m / np.arange(1, m + 1) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum.accumulate(scaled[::-1])[::-1]
    return tuple(float(x) for x in adjusted)


def adjust_p_values(p_values: Sequence[float], method: str = "holm") -> tuple[float, ...]:
    if method == "holm":
        return holm_adjust(p_values)
    if method == "bh":
        return benjamini_hochberg_adjust(p_values)
    raise ValueError(f"unknown adjustment {method!r} (holm or bh)")


# ----------------------------------------------------------------------------- Bayesian


def _is_integer(x: float) -> bool:
    return float(x).is_integer()


def _miller_sum(alpha_a, beta_a, alpha_b, beta_b) -> float:
    """``P(X_b > X_a)`` for Beta variables by Evan Miller's closed form; ``alpha_b`` integer."""
    i = np.arange(int(alpha_b), dtype=float)
    log_terms = (
        special.betaln(alpha_a + i, beta_a + beta_b)
        - np.log(beta_b + i)
        - special.betaln(1 + i, beta_b)
        - special.betaln(alpha_a, beta_a)
    )
    return float(np.exp(log_terms).sum())


def _support(alpha: float, beta: float) -> tuple[float, float]:
    return float(special.betaincinv(alpha, beta, _TAIL)), float(
        special.betainccinv(alpha, beta, _TAIL)
    )


def _beta_pdf(alpha: float, beta: float):
    """The Beta density as a fast scalar function (quad calls it hundreds of times; scipy.stats'
    per-call overhead would dominate). Quadrature never evaluates the end points 0 and 1."""
    log_norm = float(special.betaln(alpha, beta))

    def pdf(x: float) -> float:
        return math.exp((alpha - 1) * math.log(x) + (beta - 1) * math.log1p(-x) - log_norm)

    return pdf


def _quad(integrand, low: float, high: float) -> float:
    value, _ = integrate.quad(integrand, low, high, epsabs=1e-14, epsrel=1e-12, limit=500)
    return float(value)


# The integrations are pure functions of the posterior parameters, and a results page asks the
# same ones on every request until new metrics arrive (10 variants x 4 metrics is ~200 of them,
# 3.6x the page's time at 2 variants): each process remembers the latest few thousand answers.
_CACHED_INTEGRALS = 4096


@functools.lru_cache(maxsize=_CACHED_INTEGRALS)
def _prob_greater(alpha_a, beta_a, alpha_b, beta_b) -> float:
    """``P(X_b > X_a)`` with ``X ~ Beta(alpha, β)`` independent."""
    b_sum = _is_integer(alpha_b) and alpha_b <= _MAX_CLOSED_FORM_TERMS
    a_sum = _is_integer(alpha_a) and alpha_a <= _MAX_CLOSED_FORM_TERMS
    if b_sum and (not a_sum or alpha_b <= alpha_a):
        value = _miller_sum(alpha_a, beta_a, alpha_b, beta_b)
    elif a_sum:
        value = 1.0 - _miller_sum(alpha_b, beta_b, alpha_a, beta_a)
    else:
        pdf_b = _beta_pdf(alpha_b, beta_b)
        value = _quad(
            lambda x: pdf_b(x) * special.betainc(alpha_a, beta_a, x), *_support(alpha_b, beta_b)
        )
    return min(1.0, max(0.0, value))


def chance_to_beat_control(conversions_a, n_a, conversions_b, n_b, prior=(1, 1)) -> float:
    """The exact posterior probability that ``b``'s rate exceeds ``a``'s (see the module notes)."""
    alpha_a, beta_a = _posterior(conversions_a, n_a, prior, "a")
    alpha_b, beta_b = _posterior(conversions_b, n_b, prior, "b")
    return _prob_greater(alpha_a, beta_a, alpha_b, beta_b)


def expected_loss(conversions_a, n_a, conversions_b, n_b, prior=(1, 1)) -> float:
    """``E[max(p_a - p_b, 0)]``: the rate given up, on average, by choosing ``b`` over ``a``.

    ``E[p_a·1{p_a>p_b}] = E[p_a]·P(A⁺ > B)`` with ``A⁺ ~ Beta(alpha_a+1, β_a)`` (and the same for
    ``b``), so the loss is a difference of two exact probabilities.
    """
    alpha_a, beta_a = _posterior(conversions_a, n_a, prior, "a")
    alpha_b, beta_b = _posterior(conversions_b, n_b, prior, "b")
    mean_a, mean_b = alpha_a / (alpha_a + beta_a), alpha_b / (alpha_b + beta_b)
    loss = mean_a * _prob_greater(alpha_b, beta_b, alpha_a + 1, beta_a) - mean_b * _prob_greater(
        alpha_b + 1, beta_b, alpha_a, beta_a
    )
    return max(0.0, loss)


def beta_credible_interval(successes, trials, level=0.95, prior=(1, 1)) -> Interval:
    """The equal-tailed credible interval of the rate under the Beta posterior."""
    if not 0 < level < 1:
        raise ValueError("level must be between 0 and 1")
    alpha, beta = _posterior(successes, trials, prior, "arm")
    tail = (1 - level) / 2
    return Interval(
        float(special.betaincinv(alpha, beta, tail)), float(special.betainccinv(alpha, beta, tail))
    )


def _pair(arm) -> tuple[int, int]:
    """An arm as ``(successes, trials)``: a pair, a mapping with successes/conversions and
    trials/n, or an object with those attributes."""
    if isinstance(arm, Mapping):
        return arm.get("successes", arm.get("conversions")), arm.get("trials", arm.get("n"))
    if hasattr(arm, "trials") or hasattr(arm, "n"):
        successes = getattr(arm, "successes", getattr(arm, "conversions", None))
        return successes, getattr(arm, "trials", getattr(arm, "n", None))
    successes, trials = arm
    return successes, trials


def _arms(arms) -> tuple[list, list[tuple[int, int]]]:
    if isinstance(arms, Mapping):
        return list(arms), [_pair(v) for v in arms.values()]
    arms = list(arms)
    return list(range(len(arms))), [_pair(v) for v in arms]


def _shaped(keys: list, arms, values) -> dict | tuple:
    if isinstance(arms, Mapping):
        return dict(zip(keys, values, strict=True))
    return tuple(values)


def chance_to_be_best(arms, prior=(1, 1)) -> dict | tuple[float, ...]:
    """For each arm, the posterior probability that its rate is the highest.

    ``arms``: a sequence of ``(successes, trials)`` pairs (or mappings/objects with successes
    and trials), or a mapping name → pair (the answer then maps the same names). Computed as
    ``∫ f_i(x) Π_{j≠i} F_j(x) dx`` by quadrature.
    """
    keys, pairs = _arms(arms)
    params = [_posterior(s, n, prior, f"arm {k}") for k, (s, n) in zip(keys, pairs, strict=True)]
    if len(params) == 1:
        return _shaped(keys, arms, [1.0])
    if len(params) == 2:
        b_wins = _prob_greater(*params[0], *params[1])
        return _shaped(keys, arms, [1.0 - b_wins, b_wins])
    return _shaped(keys, arms, _chances_best(tuple(params)))


@functools.lru_cache(maxsize=_CACHED_INTEGRALS)
def _chances_best(params: tuple[tuple[float, float], ...]) -> tuple[float, ...]:
    chances = []
    for i, (alpha_i, beta_i) in enumerate(params):
        others = [p for j, p in enumerate(params) if j != i]
        pdf_i = _beta_pdf(alpha_i, beta_i)

        def integrand(x, pdf=pdf_i, others=others):
            value = pdf(x)
            for alpha_j, beta_j in others:
                value *= special.betainc(alpha_j, beta_j, x)
            return value

        chances.append(max(0.0, _quad(integrand, *_support(alpha_i, beta_i))))
    total = sum(chances)
    return tuple(c / total for c in chances)


def chance_to_be_best_normal(
    means: Sequence[float], ses: Sequence[float], *, lower_is_better: bool = False
) -> tuple[float, ...]:
    """Chance each arm is best when the estimates are approximately normal (ratio metrics)."""
    sign = -1.0 if lower_is_better else 1.0
    return _chances_best_normal(tuple(sign * m for m in means), tuple(ses))


@functools.lru_cache(maxsize=_CACHED_INTEGRALS)
def _chances_best_normal(mus: tuple[float, ...], ses: tuple[float, ...]) -> tuple[float, ...]:
    if len(mus) == 1:
        return (1.0,)
    if any(se <= 0 for se in ses):
        # A point estimate without spread: the best point value wins outright (ties share).
        top = max(mus)
        winners = [m == top for m in mus]
        return tuple(w / sum(winners) for w in winners)
    chances = []
    for i, (mu_i, se_i) in enumerate(zip(mus, ses, strict=True)):
        others = [(m, s) for j, (m, s) in enumerate(zip(mus, ses, strict=True)) if j != i]

        def integrand(x, mu_i=mu_i, se_i=se_i, others=others):
            z = (x - mu_i) / se_i
            value = math.exp(-z * z / 2) / (se_i * math.sqrt(2 * math.pi))
            for mu_j, se_j in others:
                value *= 0.5 * math.erfc((mu_j - x) / (se_j * math.sqrt(2)))
            return value

        chances.append(_quad(integrand, mu_i - 9 * se_i, mu_i + 9 * se_i))
    total = sum(chances)
    return tuple(c / total for c in chances)


def thompson_split(
    arms, min_weight=0.01, *, prior=(1, 1), draws: int = 20_000, rng=None
) -> dict | tuple[float, ...]:
    """Suggested traffic weights (summing to 1) by Thompson sampling.

    Each arm's weight is the share of ``draws`` joint posterior samples in which it is best,
    floored so every arm keeps at least ``min_weight``: ``w = min_weight + (1 - k·min_weight)·p``.
    ``rng`` is a seed or a ``numpy.random.Generator`` (repeatable suggestions in tests).
    """
    keys, pairs = _arms(arms)
    k = len(pairs)
    if k == 0:
        raise ValueError("thompson_split needs at least one arm")
    if min_weight < 0 or k * min_weight > 1:
        raise ValueError(f"min_weight must be between 0 and 1/{k} for {k} arms")
    params = tuple(
        _posterior(s, n, prior, f"arm {key}") for key, (s, n) in zip(keys, pairs, strict=True)
    )
    if isinstance(rng, int):
        best = _seeded_best_shares(params, draws, rng)
    else:
        best = _best_shares(params, draws, np.random.default_rng(rng))
    weights = min_weight + (1 - k * min_weight) * best
    weights = weights / weights.sum()
    return _shaped(keys, arms, [float(w) for w in weights])


def _best_shares(
    params: tuple[tuple[float, float], ...], draws: int, generator: np.random.Generator
) -> np.ndarray:
    """The share of ``draws`` joint posterior samples in which each arm is best."""
    alphas, betas = np.array(params).T
    samples = generator.beta(alphas, betas, size=(draws, len(params)))
    return np.bincount(samples.argmax(axis=1), minlength=len(params)) / draws


# A seed makes the draws a pure function of the posteriors, and the results page suggests a
# split with a fixed seed on every request until new metrics arrive: remember those answers
# rather than draw 20,000 samples per arm again.
@functools.lru_cache(maxsize=_CACHED_INTEGRALS)
def _seeded_best_shares(
    params: tuple[tuple[float, float], ...], draws: int, seed: int
) -> np.ndarray:
    shares = _best_shares(params, draws, np.random.default_rng(seed))
    shares.flags.writeable = False
    return shares


def top_two_thompson_split(
    chances_best: Sequence[float], *, beta: float = TOP_TWO_BETA
) -> tuple[float, ...]:
    """Top-two Thompson sampling (Russo, 2016) as traffic weights, from each arm's chance to be
    best ``p``: with probability ``beta`` an arm is played as the leader of a posterior draw,
    otherwise as the leader of a fresh draw that differs from it (the challenger), so
    ``w_i = beta·p_i + (1 - beta)·Σ_{j≠i} p_j·p_i/(1 - p_j)``. A leader with (numerically) all
    the probability leaves the challenger uniform among the others. Unlike plain Thompson
    sampling this keeps measuring the runner-up, which is what ends a test sooner; with two
    arms and ``beta = 1/2`` it is always 50/50, so the default leans to the leader."""
    p = np.asarray(chances_best, dtype=float)
    k = len(p)
    if k == 0 or np.any(p < 0) or not math.isclose(p.sum(), 1.0, abs_tol=1e-6):
        raise ValueError("chances to be best must be non-negative and sum to 1")
    if not 0 <= beta <= 1:
        raise ValueError("beta must be between 0 and 1")
    if k == 1:
        return (1.0,)
    rest = 1 - p
    challenger = np.where(
        rest[:, None] > 1e-12,
        p[None, :] / np.where(rest > 1e-12, rest, 1.0)[:, None],
        1 / (k - 1),
    )
    np.fill_diagonal(challenger, 0.0)
    weights = beta * p + (1 - beta) * (p @ challenger)
    return tuple(float(w) for w in weights / weights.sum())


@dataclass(frozen=True)
class BanditStep:
    """One re-weighting: whole percentages per arm, each arm's chance to be best, the leader's
    index, and whether the stop rule fired (the leader's chance reached the threshold)."""

    percentages: tuple[int, ...]
    chances: tuple[float, ...]
    leader: int
    stop: bool


def bandit_step(
    arms, *, floor_percent: int, threshold: float, beta: float = TOP_TWO_BETA, prior=(1, 1)
) -> BanditStep:
    """The next split of a bandit test from its arms' ``(successes, trials)``: top-two Thompson
    sampling on the exact chances to be best, no arm below ``floor_percent``. Once an arm's
    chance to be best reaches ``threshold`` exploration stops: the leader gets everything but
    the 1% each other arm keeps (the smallest share a split allows)."""
    chances = tuple(chance_to_be_best(list(arms), prior))
    leader = max(range(len(chances)), key=chances.__getitem__)
    if chances[leader] >= threshold:
        shares = [1] * len(chances)
        shares[leader] = 100 - (len(chances) - 1)
        return BanditStep(tuple(shares), chances, leader, stop=True)
    weights = top_two_thompson_split(chances, beta=beta)
    return BanditStep(
        split_to_percentages(weights, minimum=floor_percent), chances, leader, stop=False
    )


def split_to_percentages(weights: Sequence[float], minimum: int = 1) -> tuple[int, ...]:
    """Whole percentages summing to 100, each at least ``minimum``, closest to ``weights``: arms
    below the minimum are pinned to it, the rest share what is left in proportion, and the
    rounding goes to the largest remainders."""
    k = len(weights)
    if k == 0 or k * minimum > 100:
        raise ValueError(f"{k} arms cannot each get {minimum}% of 100%")
    if sum(weights) <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative with a positive total")
    pinned: set[int] = set()
    while True:
        free = [i for i in range(k) if i not in pinned]
        left = 100 - minimum * len(pinned)
        free_total = sum(weights[i] for i in free)
        targets = {
            i: left * weights[i] / free_total if free_total else left / len(free) for i in free
        }
        below = {i for i in free if targets[i] < minimum}
        if not below:
            break
        pinned |= below
    exact = [minimum if i in pinned else targets[i] for i in range(k)]
    shares = [math.floor(x) for x in exact]
    by_remainder = sorted(range(k), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: 100 - sum(shares)]:
        shares[i] += 1
    return tuple(shares)


# ----------------------------------------------------------------------------- design checks


def srm_check(
    observed_counts, expected_weights, *, alpha: float = 0.001, min_count: int = 100
) -> SRMResult:
    """Pearson chi-square test of the observed counts against the configured split.

    Flags a mismatch at ``p < alpha`` once every arm with a non-zero weight has ``min_count``
    units; before that ``checked`` is False and nothing is flagged. Any traffic in an arm whose
    weight is 0 is a mismatch outright.
    """
    observed = [operator.index(c) for c in observed_counts]
    weights = [float(w) for w in expected_weights]
    if len(observed) != len(weights):
        raise ValueError("one expected weight per observed count")
    if any(c < 0 for c in observed) or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("counts and weights must be non-negative, weights with a positive total")
    if any(w == 0 and c > 0 for c, w in zip(observed, weights, strict=True)):
        return SRMResult(math.inf, 0.0, flagged=True, checked=True)
    live = [(c, w) for c, w in zip(observed, weights, strict=True) if w > 0]
    total = sum(c for c, _ in live)
    if len(live) < 2 or total == 0:
        return SRMResult(0.0, 1.0, flagged=False, checked=False)
    weight_sum = sum(w for _, w in live)
    chi_square = sum((c - total * w / weight_sum) ** 2 / (total * w / weight_sum) for c, w in live)
    p_value = float(sps.chi2.sf(chi_square, df=len(live) - 1))
    checked = all(c >= min_count for c, _ in live)
    return SRMResult(chi_square, p_value, flagged=checked and p_value < alpha, checked=checked)


def sample_size_per_arm(baseline_rate, minimum_detectable_effect, alpha=0.05, power=0.8) -> int:
    """Units per arm to detect an absolute change ``minimum_detectable_effect`` from
    ``baseline_rate`` with a two-sided test at ``alpha`` and the given power:
    ``n = (z_{1-alpha/2}·√(2p̄q̄) + z_{power}·√(p1q1 + p2q2))² / δ²``."""
    p1, delta = float(baseline_rate), float(minimum_detectable_effect)
    p2 = p1 + delta
    if not 0 <= p1 <= 1:
        raise ValueError("baseline_rate must be between 0 and 1")
    if delta == 0 or not 0 <= p2 <= 1:
        raise ValueError("minimum_detectable_effect must be non-zero and keep the rate in [0, 1]")
    if not 0 < power < 1:
        raise ValueError("power must be between 0 and 1")
    z_alpha, z_power = sps.norm.isf(_alpha(alpha) / 2), sps.norm.ppf(power)
    p_bar = (p1 + p2) / 2
    root = z_alpha * math.sqrt(2 * p_bar * (1 - p_bar)) + z_power * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    # The tolerance keeps float noise (1000.0000000001) from adding a unit.
    return max(1, math.ceil((root / delta) ** 2 - 1e-9))


def achieved_power(n_per_arm: int, baseline_rate, minimum_detectable_effect, alpha=0.05) -> float:
    """The power of the two-sided two-proportion test with ``n_per_arm`` units per arm (the
    normal approximation that ``sample_size_per_arm`` inverts; the far tail is ignored)."""
    if n_per_arm <= 0:
        return 0.0
    p1, delta = float(baseline_rate), float(minimum_detectable_effect)
    p2 = p1 + delta
    p_bar = (p1 + p2) / 2
    z_alpha = sps.norm.isf(_alpha(alpha) / 2)
    spread = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    if spread == 0:
        return 1.0
    return float(
        sps.norm.cdf(
            (abs(delta) * math.sqrt(n_per_arm) - z_alpha * math.sqrt(2 * p_bar * (1 - p_bar)))
            / spread
        )
    )


def power_check(
    smallest_arm: int, baseline_rate, minimum_detectable_effect, alpha=0.05, power=0.8
) -> PowerCheck:
    """Whether the smallest arm has reached the planned sample size (else: under-powered).
    An effect that would leave [0, 1] upward is planned downward instead."""
    p1, delta = float(baseline_rate), abs(float(minimum_detectable_effect))
    if p1 + delta > 1:
        delta = -delta
    required = sample_size_per_arm(p1, delta, alpha, power)
    return PowerCheck(
        required_per_arm=required,
        smallest_arm=smallest_arm,
        achieved_power=achieved_power(smallest_arm, p1, delta, alpha),
        underpowered=smallest_arm < required,
    )


def format_probability(p: float) -> str:
    """A probability as a percentage that never rounds to a certainty it is not."""
    if p > 0.999:
        return ">99.9%"
    if p < 0.001:
        return "<0.1%"
    return f"{p:.1%}"


def decide_winner(
    chances_best: Mapping[str, float],
    *,
    srm: SRMResult | None = None,
    power: PowerCheck | None = None,
    threshold: float = 0.95,
    metric_label: str = "the primary metric",
) -> WinnerDecision:
    """The winner is the variant whose chance to be best on the primary metric reaches
    ``threshold``, provided there is no sample-ratio mismatch and the test has its planned
    sample size; otherwise no winner, with the reason."""
    if len(chances_best) < 2:
        return WinnerDecision(None, None, "A test needs at least two variants to pick a winner.")
    leader = max(chances_best, key=chances_best.get)
    confidence = chances_best[leader]
    if srm is not None and srm.flagged:
        return WinnerDecision(
            None,
            confidence,
            "Sample-ratio mismatch: traffic does not match the configured split "
            f"(p = {srm.p_value:.2g}); fix the delivery before trusting any result.",
        )
    if power is None:
        return WinnerDecision(
            None, confidence, f"Not enough data yet to plan the sample size for {metric_label}."
        )
    if power.underpowered:
        return WinnerDecision(
            None,
            confidence,
            f"Not enough data yet: each variant needs {power.required_per_arm:,} units for "
            f"{metric_label}; the smallest has {power.smallest_arm:,}.",
        )
    if confidence < threshold:
        return WinnerDecision(
            None,
            confidence,
            f"No variant has reached a {threshold:.0%} chance to be best on {metric_label} "
            f"(leader: {leader} at {format_probability(confidence)}).",
        )
    return WinnerDecision(
        leader,
        confidence,
        f"{leader} has a {format_probability(confidence)} chance to be best on {metric_label}.",
    )
