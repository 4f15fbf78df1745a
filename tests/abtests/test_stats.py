"""The statistics engine against reference values computed independently of it.

Each test says where its reference comes from: a hand derivation, the error function from the
standard library, a different scipy routine, brute-force integration on a grid, or a large seeded
Monte Carlo run (with a tolerance of several Monte Carlo standard errors).
"""

import math

import numpy as np
import pytest
from scipy import stats as sps

from abtests import stats

Z_975 = 1.959963984540054  # the 97.5% normal quantile, as printed in statistical tables


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


# ------------------------------------------------------------------ two-proportion z-test


def test_it_computes_the_z_test_by_the_textbook_formula():
    # Hand formula: pooled p = 230/2000, SE = sqrt(p(1-p)(1/1000 + 1/1000)), p-value from erfc.
    pooled = 230 / 2000
    se_pooled = math.sqrt(pooled * (1 - pooled) * (2 / 1000))
    z = 0.03 / se_pooled
    se = math.sqrt(0.1 * 0.9 / 1000 + 0.13 * 0.87 / 1000)

    result = stats.two_proportion_ztest(100, 1000, 130, 1000)

    assert result.z == pytest.approx(z, rel=1e-12)
    assert result.z == pytest.approx(2.10274, abs=1e-5)
    assert result.p_value == pytest.approx(2 * _normal_sf(z), rel=1e-9)
    assert result.difference == pytest.approx(0.03)
    assert result.ci_low == pytest.approx(0.03 - Z_975 * se, rel=1e-9)
    assert result.ci_high == pytest.approx(0.03 + Z_975 * se, rel=1e-9)


def test_it_matches_the_pearson_chi_square_of_the_two_by_two_table():
    # Independent reference: without Yates' correction, chi-square of the 2x2 table equals z².
    table = [[48, 952], [71, 929]]
    chi2, p_value, _, _ = sps.chi2_contingency(table, correction=False)
    result = stats.two_proportion_ztest(48, 1000, 71, 1000)
    assert result.z**2 == pytest.approx(chi2, rel=1e-10)
    assert result.p_value == pytest.approx(p_value, rel=1e-9)


def test_it_widens_the_interval_for_a_smaller_alpha():
    narrow = stats.two_proportion_ztest(100, 1000, 130, 1000, alpha=0.10)
    wide = stats.two_proportion_ztest(100, 1000, 130, 1000, alpha=0.01)
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high
    assert narrow.p_value == wide.p_value


def test_it_unpacks_as_z_p_value_and_interval():
    z, p_value, (low, high) = stats.two_proportion_ztest(100, 1000, 130, 1000)
    result = stats.two_proportion_ztest(100, 1000, 130, 1000)
    assert (z, p_value, low, high) == (result.z, result.p_value, result.ci_low, result.ci_high)
    chi_square, p_value, flagged = stats.srm_check([5000, 5400], [1, 1])
    assert flagged and chi_square == pytest.approx(2 * 200**2 / 5200)


def test_it_refuses_a_z_test_with_zero_impressions():
    with pytest.raises(ValueError, match="at least one trial"):
        stats.two_proportion_ztest(0, 0, 5, 100)


def test_it_gives_no_evidence_when_every_click_converts_in_both_arms():
    result = stats.two_proportion_ztest(40, 40, 25, 25)
    assert (result.z, result.p_value, result.ci_low, result.ci_high) == (0.0, 1.0, 0.0, 0.0)


def test_it_compares_an_arm_where_every_click_converts():
    # Hand formula again: pooled 15/20; the unpooled SE has only arm a's term (p_b = 1).
    result = stats.two_proportion_ztest(5, 10, 10, 10)
    se_pooled = math.sqrt(0.75 * 0.25 * (2 / 10))
    assert result.z == pytest.approx(0.5 / se_pooled)
    assert result.ci_high - result.ci_low == pytest.approx(2 * Z_975 * math.sqrt(0.25 / 10))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 10, 1, 10), "negative"),
        ((11, 10, 1, 10), "cannot exceed"),
        ((1.5, 10, 1, 10), "whole numbers"),
    ],
)
def test_it_refuses_impossible_counts(args, message):
    with pytest.raises(ValueError, match=message):
        stats.two_proportion_ztest(*args)


# ------------------------------------------------------------------ relative lift and ratios


def test_it_computes_the_relative_lift_by_the_delta_method():
    # Hand formula: Var(pb/pa) ≈ Var(pb)/pa² + pb²·Var(pa)/pa⁴.
    var_a, var_b = 0.1 * 0.9 / 1000, 0.13 * 0.87 / 1000
    se = math.sqrt(var_b / 0.1**2 + 0.13**2 * var_a / 0.1**4)
    lift = stats.relative_lift(100, 1000, 130, 1000)
    assert lift.value == pytest.approx(0.3)
    assert lift.se == pytest.approx(se)
    assert (lift.ci_low, lift.ci_high) == pytest.approx((0.3 - Z_975 * se, 0.3 + Z_975 * se))


def test_it_matches_the_spread_of_a_simulated_lift():
    # Seeded Monte Carlo: 200,000 replicated experiments; the delta-method SE should be within 3%
    # of the simulated standard deviation of pb/pa - 1.
    rng = np.random.default_rng(7)
    n, pa, pb = 20_000, 0.05, 0.06
    lifts = (rng.binomial(n, pb, 200_000) / n) / (rng.binomial(n, pa, 200_000) / n) - 1
    lift = stats.relative_lift(1000, n, 1200, n)
    assert lift.se == pytest.approx(lifts.std(), rel=0.03)


def test_it_has_no_lift_while_the_control_has_no_conversions():
    assert stats.relative_lift(0, 1000, 10, 1000) is None
    assert stats.relative_lift(0, 0, 10, 1000) is None


def test_it_estimates_cost_per_click_with_a_delta_method_interval():
    # Hand formula for spend spread over impressions: Var(CPC) ≈ CPC²·(1-p)/clicks.
    cpc = stats.cost_per_click(250.0, 500, 10_000)
    assert cpc.value == pytest.approx(0.5)
    assert cpc.se == pytest.approx(0.5 * math.sqrt(0.95 / 500))


def test_it_matches_the_spread_of_a_simulated_cost_per_click():
    # Seeded Monte Carlo: clicks ~ Binomial(n, p) with fixed spend; CPC's simulated standard
    # deviation should match the delta-method SE within 3%.
    rng = np.random.default_rng(11)
    n, p, cost = 50_000, 0.02, 800.0
    simulated = cost / rng.binomial(n, p, 200_000)
    assert stats.cost_per_click(cost, 1000, n).se == pytest.approx(simulated.std(), rel=0.03)


def test_it_has_no_cost_per_click_without_clicks():
    assert stats.cost_per_click(10.0, 0, 1000) is None
    assert stats.cost_per_click(0.0, 0, 0) is None


def test_it_treats_a_lower_cost_per_click_as_better():
    control = stats.cost_per_click(500.0, 500, 10_000)
    cheaper = stats.cost_per_click(500.0, 620, 10_000)
    result = stats.compare_ratios(control, cheaper, lower_is_better=True)
    se = math.hypot(control.se, cheaper.se)
    # Hand formula: z = (b - a)/SE; the chance b is better (lower) is Φ(-z).
    assert result.z == pytest.approx((cheaper.value - control.value) / se)
    assert result.chance_to_beat_control == pytest.approx(_normal_sf(result.z))
    assert result.chance_to_beat_control > 0.99
    assert result.relative_lift.value == pytest.approx(500 / 620 - 1)
    higher = stats.compare_ratios(control, cheaper, lower_is_better=False)
    assert higher.chance_to_beat_control == pytest.approx(1 - result.chance_to_beat_control)


def test_it_computes_a_general_ratio_by_the_delta_method():
    # Hand formula with a covariance term, checked against the textbook expression.
    mx, my, vx, vy, cov, n = 2.0, 4.0, 1.0, 0.5, 0.2, 400
    var = (vx / my**2 - 2 * mx * cov / my**3 + mx**2 * vy / my**4) / n
    estimate = stats.ratio_estimate(mx, my, vx, vy, cov, n)
    assert estimate.value == 0.5
    assert estimate.se == pytest.approx(math.sqrt(var))


# ------------------------------------------------------------------ Bayesian


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Hand integrals with a uniform prior:
        # Beta(1,1) vs Beta(1,1): symmetry gives 1/2.
        ((0, 0, 0, 0), 1 / 2),
        # Beta(1,1) vs Beta(2,1): ∫ 2x · x dx = 2/3.
        ((0, 0, 1, 1), 2 / 3),
        # Beta(1,2) vs Beta(2,1): ∫ 2x · (2x - x²) dx = 4/3 - 1/2 = 5/6.
        ((0, 1, 1, 1), 5 / 6),
        # Beta(2,1) vs Beta(1,2): the mirror image, 1/6.
        ((1, 1, 0, 1), 1 / 6),
    ],
)
def test_it_gives_hand_derived_chances_to_beat_control(counts, expected):
    assert stats.chance_to_beat_control(*counts) == pytest.approx(expected, abs=1e-14)


def _grid_chance(a_params, b_params, points=400_001):
    # Brute-force reference: trapezoid rule for ∫ f_b(x) F_a(x) dx on a dense grid.
    x = np.linspace(0, 1, points)
    return float(np.trapezoid(sps.beta.pdf(x, *b_params) * sps.beta.cdf(x, *a_params), x))


@pytest.mark.parametrize(
    "counts",
    [(100, 1000, 130, 1000), (30, 200, 25, 180), (3, 50, 9, 40), (480, 500, 490, 500)],
)
def test_it_matches_brute_force_integration(counts):
    c_a, n_a, c_b, n_b = counts
    reference = _grid_chance((c_a + 1, n_a - c_a + 1), (c_b + 1, n_b - c_b + 1))
    assert stats.chance_to_beat_control(*counts) == pytest.approx(reference, abs=1e-8)


def test_it_matches_a_large_seeded_monte_carlo():
    # 4,000,000 posterior draws; the Monte Carlo SE is below 2.5e-4, the tolerance is 4 SE.
    rng = np.random.default_rng(2024)
    a = rng.beta(121, 881, 4_000_000)
    b = rng.beta(143, 859, 4_000_000)
    assert stats.chance_to_beat_control(120, 1000, 142, 1000) == pytest.approx(
        (b > a).mean(), abs=1e-3
    )


def test_its_chances_for_both_orders_add_up_to_one():
    forward = stats.chance_to_beat_control(37, 400, 52, 410)
    backward = stats.chance_to_beat_control(52, 410, 37, 400)
    assert forward + backward == pytest.approx(1, abs=1e-12)


def test_it_handles_a_fractional_prior_by_quadrature():
    # Jeffreys prior (1/2, 1/2): no integer Beta parameter, so quadrature; reference on a grid.
    reference = _grid_chance((100.5, 900.5), (130.5, 870.5))
    chance = stats.chance_to_beat_control(100, 1000, 130, 1000, prior=(0.5, 0.5))
    assert chance == pytest.approx(reference, abs=1e-8)


def test_it_stays_accurate_with_a_million_impressions():
    # With this much data the posteriors are nearly normal: Φ((mb - ma)/sqrt(va + vb)).
    def moments(c, n):
        a, b = c + 1, n - c + 1
        return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))

    (ma, va), (mb, vb) = moments(50_000, 1_000_000), moments(50_400, 1_000_000)
    reference = 1 - _normal_sf((mb - ma) / math.sqrt(va + vb))
    assert stats.chance_to_beat_control(50_000, 1_000_000, 50_400, 1_000_000) == pytest.approx(
        reference, abs=1e-3
    )


@pytest.mark.parametrize(
    "counts", [(100, 1000, 130, 1000), (3, 50, 9, 40), (480, 500, 490, 500), (0, 0, 0, 10)]
)
def test_its_quadrature_agrees_with_the_closed_form(monkeypatch, counts):
    # The two methods are independent derivations of the same integral.
    closed_form = stats.chance_to_beat_control(*counts)
    loss = stats.expected_loss(*counts)
    monkeypatch.setattr(stats, "_MAX_CLOSED_FORM_TERMS", 0)
    assert stats.chance_to_beat_control(*counts) == pytest.approx(closed_form, abs=1e-10)
    assert stats.expected_loss(*counts) == pytest.approx(loss, abs=1e-10)


def test_it_uses_quadrature_for_millions_of_conversions():
    # Beyond the closed form's term limit; the normal approximation is the reference here.
    mean_var = [
        ((c + 1) / (n + 2), (c + 1) * (n - c + 1) / ((n + 2) ** 2 * (n + 3)))
        for c, n in ((150_000, 3_000_000), (150_900, 3_000_000))
    ]
    (ma, va), (mb, vb) = mean_var
    reference = 1 - _normal_sf((mb - ma) / math.sqrt(va + vb))
    chance = stats.chance_to_beat_control(150_000, 3_000_000, 150_900, 3_000_000)
    assert chance == pytest.approx(reference, abs=1e-3)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # Hand integrals: two uniforms give E[max(A - B, 0)] = 1/6;
        ((0, 0, 0, 0), 1 / 6),
        # A ~ U(0,1), B ~ Beta(2,1): ∫ 2b ∫_b^1 (a - b) da db = ∫ b(1-b)² db = 1/12.
        ((0, 0, 1, 1), 1 / 12),
    ],
)
def test_it_gives_hand_derived_expected_losses(counts, expected):
    assert stats.expected_loss(*counts) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("counts", [(100, 1000, 130, 1000), (130, 1000, 100, 1000), (5, 60, 4, 50)])
def test_it_matches_a_monte_carlo_expected_loss(counts):
    # 4,000,000 seeded draws of max(A - B, 0); tolerance well above 4 Monte Carlo SE.
    c_a, n_a, c_b, n_b = counts
    rng = np.random.default_rng(99)
    a = rng.beta(c_a + 1, n_a - c_a + 1, 4_000_000)
    b = rng.beta(c_b + 1, n_b - c_b + 1, 4_000_000)
    reference = np.maximum(a - b, 0).mean()
    assert stats.expected_loss(*counts) == pytest.approx(reference, rel=0.01, abs=2e-5)


def test_it_computes_credible_intervals_for_no_successes_by_hand():
    # Beta(1, n+1) has CDF 1 - (1-x)^(n+1): both quantiles in closed form.
    n = 250
    interval = stats.beta_credible_interval(0, n)
    assert interval.low == pytest.approx(1 - 0.975 ** (1 / (n + 1)), rel=1e-9)
    assert interval.high == pytest.approx(1 - 0.025 ** (1 / (n + 1)), rel=1e-9)


def test_it_computes_credible_intervals_when_every_click_converts():
    # Beta(n+1, 1) has CDF x^(n+1).
    n = 40
    interval = stats.beta_credible_interval(n, n, level=0.9)
    assert interval.low == pytest.approx(0.05 ** (1 / (n + 1)), rel=1e-9)
    assert interval.high == pytest.approx(0.95 ** (1 / (n + 1)), rel=1e-9)


def test_it_gives_the_prior_interval_with_zero_impressions():
    interval = stats.beta_credible_interval(0, 0)
    assert (interval.low, interval.high) == pytest.approx((0.025, 0.975))


def test_it_computes_the_chance_each_variant_is_best():
    # Seeded Monte Carlo with 2,000,000 joint draws; tolerance 2e-3 (over 5 SE).
    arms = [(100, 1000), (130, 1000), (125, 1000)]
    rng = np.random.default_rng(5)
    draws = np.column_stack([rng.beta(s + 1, n - s + 1, 2_000_000) for s, n in arms])
    reference = np.bincount(draws.argmax(axis=1), minlength=3) / 2_000_000
    chances = stats.chance_to_be_best(arms)
    assert sum(chances) == pytest.approx(1)
    assert chances == pytest.approx(tuple(reference), abs=2e-3)


def test_it_gives_identical_arms_equal_chances():
    assert stats.chance_to_be_best([(7, 90)] * 4) == pytest.approx((0.25,) * 4, abs=1e-9)


def test_its_chance_to_be_best_for_two_arms_is_the_chance_to_beat_control():
    chances = stats.chance_to_be_best({"control": (100, 1000), "bold": (130, 1000)})
    assert chances["bold"] == stats.chance_to_beat_control(100, 1000, 130, 1000)
    assert chances["control"] + chances["bold"] == pytest.approx(1)


def test_a_single_variant_is_trivially_best():
    assert stats.chance_to_be_best([(10, 100)]) == (1.0,)
    assert stats.chance_to_be_best_normal([3.0], [0.1]) == (1.0,)


def test_it_computes_the_chance_to_be_best_for_normal_estimates():
    # Two arms: the chance b is lower is Φ((ma - mb)/sqrt(sa² + sb²)) by hand.
    chances = stats.chance_to_be_best_normal([1.0, 0.9], [0.05, 0.04], lower_is_better=True)
    assert chances[1] == pytest.approx(1 - _normal_sf(0.1 / math.hypot(0.05, 0.04)), abs=1e-9)


# ------------------------------------------------------------------ Thompson sampling


def test_it_suggests_a_repeatable_thompson_split():
    arms = [(100, 1000), (130, 1000), (125, 1000)]
    first = stats.thompson_split(arms, rng=42)
    assert first == stats.thompson_split(arms, rng=np.random.default_rng(42))
    assert sum(first) == pytest.approx(1)
    # The weights follow the chance to be best (computed exactly), floored at 1% each.
    exact = stats.chance_to_be_best(arms)
    assert first == pytest.approx(tuple(0.01 + 0.97 * p for p in exact), abs=0.01)


def test_it_keeps_the_minimum_weight_for_a_hopeless_arm():
    weights = stats.thompson_split({"a": (10, 10_000), "b": (900, 10_000)}, min_weight=0.05, rng=1)
    assert weights["a"] == pytest.approx(0.05)
    assert weights["b"] == pytest.approx(0.95)


def test_it_accepts_arms_as_mappings_of_counts():
    arms = [{"conversions": 100, "n": 1000}, {"successes": 130, "trials": 1000}]
    assert stats.thompson_split(arms, rng=4) == stats.thompson_split(
        [(100, 1000), (130, 1000)], rng=4
    )


def test_it_splits_evenly_between_arms_without_data():
    weights = stats.thompson_split([(0, 0), (0, 0)], rng=3)
    assert weights == pytest.approx((0.5, 0.5), abs=0.01)


def test_it_allows_a_zero_minimum_weight_and_refuses_an_impossible_one():
    assert min(stats.thompson_split([(0, 5000), (2500, 5000)], min_weight=0, rng=1)) == 0
    with pytest.raises(ValueError, match="min_weight"):
        stats.thompson_split([(1, 10)] * 3, min_weight=0.4)


def test_it_turns_weights_into_whole_percentages():
    assert stats.split_to_percentages([1 / 3] * 3) == (34, 33, 33)
    assert stats.split_to_percentages([0.0, 1.0]) == (1, 99)
    assert stats.split_to_percentages([0.254, 0.746]) == (25, 75)
    assert sum(stats.split_to_percentages([0.01, 0.2, 0.3, 0.49])) == 100


# ------------------------------------------------------------------ sample-ratio mismatch


def test_it_flags_a_sample_ratio_mismatch_by_hand():
    # Hand chi-square: expected 5200 each, (200²/5200)·2; df = 1 so p = erfc(sqrt(χ²/2)).
    chi2 = 2 * 200**2 / 5200
    result = stats.srm_check([5000, 5400], [50, 50])
    assert result.chi_square == pytest.approx(chi2)
    assert result.p_value == pytest.approx(math.erfc(math.sqrt(chi2 / 2)))
    assert result.flagged and result.checked


def test_it_checks_three_arms_against_an_uneven_split():
    # Reference: scipy.stats.chisquare with the expected counts; df = 2 so also p = exp(-χ²/2).
    observed, weights = [2100, 3950, 4100], [0.2, 0.4, 0.4]
    expected = [sum(observed) * w for w in weights]
    reference = sps.chisquare(observed, expected)
    result = stats.srm_check(observed, weights)
    assert result.chi_square == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)
    assert result.p_value == pytest.approx(math.exp(-result.chi_square / 2))
    assert result.flagged is (result.p_value < 0.001)


def test_it_does_not_flag_a_mismatch_consistent_with_chance():
    assert not stats.srm_check([5000, 5100], [0.5, 0.5]).flagged


def test_it_waits_for_the_minimum_count_before_flagging():
    result = stats.srm_check([10, 90], [0.5, 0.5])
    assert result.p_value < 0.001
    assert not result.flagged and not result.checked
    assert stats.srm_check([10, 90], [0.5, 0.5], min_count=10).flagged


def test_it_flags_traffic_in_an_arm_with_a_zero_split():
    result = stats.srm_check([1000, 1000, 3], [0.5, 0.5, 0])
    assert result.flagged and result.p_value == 0


def test_it_ignores_an_empty_arm_with_a_zero_split():
    assert stats.srm_check([1000, 1010, 0], [50, 50, 0]) == stats.srm_check([1000, 1010], [1, 1])


def test_it_cannot_check_a_single_variant_or_no_traffic():
    assert not stats.srm_check([500], [1]).checked
    assert not stats.srm_check([0, 0], [1, 1]).checked


# ------------------------------------------------------------------ sample size and power


def _power(n, p1, p2):
    # The textbook normal-approximation power, written with erfc rather than scipy.
    p_bar = (p1 + p2) / 2
    numerator = abs(p2 - p1) * math.sqrt(n) - Z_975 * math.sqrt(2 * p_bar * (1 - p_bar))
    return 1 - _normal_sf(numerator / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))


@pytest.mark.parametrize(
    ("baseline", "mde"), [(0.10, 0.02), (0.05, 0.01), (0.30, -0.05), (0.50, 0.10), (0.0, 0.01)]
)
def test_it_finds_the_smallest_sample_with_the_requested_power(baseline, mde):
    n = stats.sample_size_per_arm(baseline, mde)
    assert _power(n, baseline, baseline + mde) >= 0.8
    assert _power(n - 1, baseline, baseline + mde) < 0.8


def test_its_sample_size_has_the_power_in_a_simulation():
    # Seeded simulation: 40,000 experiments of n per arm at 10% vs 12%; the pooled z-test should
    # reject in about 80% of them (SE 0.2%, tolerance 1.5%: the formula is an approximation).
    n = stats.sample_size_per_arm(0.10, 0.02)
    rng = np.random.default_rng(17)
    a, b = rng.binomial(n, 0.10, 40_000), rng.binomial(n, 0.12, 40_000)
    pooled = (a + b) / (2 * n)
    z = (b - a) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    assert (np.abs(z) > Z_975).mean() == pytest.approx(0.8, abs=0.015)


def test_it_needs_more_units_for_smaller_effects_and_more_power():
    base = stats.sample_size_per_arm(0.1, 0.02)
    assert stats.sample_size_per_arm(0.1, 0.01) > 3 * base
    assert stats.sample_size_per_arm(0.1, 0.02, power=0.9) > base
    assert stats.sample_size_per_arm(0.1, 0.02, alpha=0.01) > base


@pytest.mark.parametrize(("baseline", "mde"), [(0.1, 0), (0.95, 0.1), (1.2, 0.1), (0.1, -0.2)])
def test_it_refuses_an_impossible_plan(baseline, mde):
    with pytest.raises(ValueError):
        stats.sample_size_per_arm(baseline, mde)


def test_it_warns_while_a_test_is_under_powered():
    required = stats.sample_size_per_arm(0.1, 0.02)
    early = stats.power_check(required - 1, 0.1, 0.02)
    assert early.underpowered and early.required_per_arm == required
    assert early.achieved_power == pytest.approx(_power(required - 1, 0.1, 0.12))
    assert not stats.power_check(required, 0.1, 0.02).underpowered


def test_it_plans_downward_when_the_baseline_is_near_one():
    # Every click converts: an upward change is impossible, so the plan is for 100% → 98%.
    check = stats.power_check(100, 1.0, 0.02)
    assert check.required_per_arm == stats.sample_size_per_arm(1.0, -0.02)


# ------------------------------------------------------------------ multiple comparisons


def test_it_adjusts_p_values_by_holm():
    # By hand, m = 4: sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max 0.06.
    assert stats.holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx((0.03, 0.06, 0.06, 0.02))
    assert stats.holm_adjust([0.5, 0.6]) == (1.0, 1.0)


def test_it_adjusts_p_values_by_benjamini_hochberg():
    # Reference: scipy.stats.false_discovery_control, an independent implementation.
    p_values = [0.01, 0.04, 0.03, 0.005, 0.2, 0.0001]
    reference = sps.false_discovery_control(p_values, method="bh")
    assert stats.benjamini_hochberg_adjust(p_values) == pytest.approx(tuple(reference))
    assert stats.adjust_p_values(p_values, "bh") == stats.benjamini_hochberg_adjust(p_values)


def test_it_adjusts_nothing_for_a_single_comparison_or_none():
    assert stats.holm_adjust([0.03]) == (0.03,)
    assert stats.benjamini_hochberg_adjust([]) == ()
    with pytest.raises(ValueError, match="unknown adjustment"):
        stats.adjust_p_values([0.1], "bonferroni-ish")


# ------------------------------------------------------------------ winner decision


def _power_ok():
    return stats.PowerCheck(1000, 5000, 0.99, underpowered=False)


def test_it_declares_a_winner_at_the_threshold():
    decision = stats.decide_winner(
        {"Control": 0.02, "Bold": 0.97, "Calm": 0.01}, power=_power_ok(), metric_label="CTR"
    )
    assert decision.winner == "Bold"
    assert decision.confidence == 0.97
    assert "97.0% chance to be best on CTR" in decision.reason


def test_it_uses_a_configurable_threshold():
    chances = {"Control": 0.04, "Bold": 0.96}
    assert stats.decide_winner(chances, power=_power_ok(), threshold=0.99).winner is None
    assert stats.decide_winner(chances, power=_power_ok(), threshold=0.95).winner == "Bold"


def test_it_names_the_leader_when_no_one_has_won():
    decision = stats.decide_winner({"Control": 0.2, "Bold": 0.8}, power=_power_ok())
    assert decision.winner is None
    assert "No variant has reached a 95% chance" in decision.reason
    assert "Bold at 80.0%" in decision.reason


def test_it_refuses_a_winner_under_a_sample_ratio_mismatch():
    srm = stats.srm_check([5000, 5600], [1, 1])
    decision = stats.decide_winner({"Control": 0.01, "Bold": 0.99}, srm=srm, power=_power_ok())
    assert decision.winner is None
    assert "Sample-ratio mismatch" in decision.reason


def test_it_refuses_a_winner_without_enough_samples():
    power = stats.PowerCheck(3841, 900, 0.3, underpowered=True)
    decision = stats.decide_winner({"Control": 0.001, "Bold": 0.999}, power=power)
    assert decision.winner is None
    assert "each variant needs 3,841 units" in decision.reason
    assert "smallest has 900" in decision.reason


def test_it_has_no_winner_with_a_single_variant():
    decision = stats.decide_winner({"Only": 1.0}, power=_power_ok())
    assert decision.winner is None
    assert "at least two variants" in decision.reason


def test_it_never_rounds_a_probability_to_certainty():
    assert stats.format_probability(0.99989) == ">99.9%"
    assert stats.format_probability(0.0001) == "<0.1%"
    assert stats.format_probability(0.5) == "50.0%"
