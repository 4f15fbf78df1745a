"""Bandit mode by simulation: a two-arm test whose variant is truly better (CTR 5% against 4%),
traffic arriving in periods of 1,000 impressions split by the split in force, and after each
period the split re-weighted by ``stats.bandit_step`` exactly as the scheduled task does (a 5%
floor, the stop rule at 95%). Over 50 seeded runs: the better arm's share rises, the regret
(clicks lost against always showing the better arm) is below a fixed 50/50 split's over the
same traffic, and the sample-ratio check over the split history
(``selectors.expected_impressions``) raises no alarm — while checking the totals against the
final split, as before split histories were kept, would. Figures printed with ``pytest -s``."""

from types import SimpleNamespace

import numpy as np
import pytest

from abtests import stats
from abtests.selectors import expected_impressions

RATES = np.array([0.04, 0.05])
PERIODS, PER_PERIOD, RUNS = 40, 1_000, 50


def run(rng):
    split = [50, 50]
    impressions, clicks = np.zeros(2, np.int64), np.zeros(2, np.int64)
    changes = [SimpleNamespace(split={"a": 50, "b": 50}, impressions={"a": 0, "b": 0})]
    better_share = []
    for _ in range(PERIODS):
        delivered = rng.multinomial(PER_PERIOD, np.array(split) / 100)
        impressions += delivered
        clicks += rng.binomial(delivered, RATES)
        better_share.append(delivered[1] / PER_PERIOD)
        if changes[-1].split == {"a": 1, "b": 99} or min(impressions) < 100:
            continue  # stopped, or not every arm at 100 units yet
        step = stats.bandit_step(
            [(int(clicks[i]), int(impressions[i])) for i in range(2)],
            floor_percent=5,
            threshold=0.95,
        )
        split = list(step.percentages)
        changes.append(
            SimpleNamespace(
                split={"a": split[0], "b": split[1]},
                impressions={"a": int(impressions[0]), "b": int(impressions[1])},
            )
        )
    current = {"a": int(impressions[0]), "b": int(impressions[1])}
    expected = expected_impressions(changes, current)
    by_period = stats.srm_check(list(current.values()), list(expected.values()))
    against_final = stats.srm_check(list(current.values()), split)
    regret = float(impressions[0] * (RATES[1] - RATES[0]))
    return better_share, regret, by_period, against_final


def test_the_better_arm_gains_traffic_with_less_regret_and_no_false_alarm():
    rng = np.random.default_rng(16)
    shares, regrets, alarms, naive_alarms = [], [], 0, 0
    for _ in range(RUNS):
        share, regret, by_period, against_final = run(rng)
        shares.append(share)
        regrets.append(regret)
        alarms += by_period.flagged
        naive_alarms += against_final.flagged
    shares = np.array(shares)
    fixed_regret = PERIODS * PER_PERIOD * 0.5 * (RATES[1] - RATES[0])
    first, early, late = shares[:, 0].mean(), shares[:, 1:6].mean(), shares[:, -5:].mean()
    print(
        f"\nbandit over {RUNS} runs of {PERIODS * PER_PERIOD:,} impressions: better arm's share "
        f"{first:.1%} in the first period, {early:.1%} in the next 5, {late:.1%} in the last 5; "
        f"regret "
        f"{np.mean(regrets):.1f} clicks against {fixed_regret:.1f} for a fixed 50/50; sample-ratio "
        f"alarms {alarms} by period, {naive_alarms} against the final split"
    )
    assert first < early < late
    assert late > 0.9
    assert np.mean(regrets) < 0.6 * fixed_regret
    assert alarms == 0
    assert naive_alarms > RUNS / 2


def test_top_two_thompson_sampling_leans_to_the_leader_and_keeps_the_challenger():
    assert stats.top_two_thompson_split([0.8, 0.2], beta=0.75) == pytest.approx((0.65, 0.35))
    # With beta = 1/2 two arms always split evenly: why the default leans to the leader.
    assert stats.top_two_thompson_split([0.9, 0.1], beta=0.5) == pytest.approx((0.5, 0.5))
    # p_i·beta + (1 - beta)·Σ_j p_j·p_i/(1 - p_j), three arms.
    p = np.array([0.5, 0.3, 0.2])
    challenger = [sum(p[j] * p[i] / (1 - p[j]) for j in range(3) if j != i) for i in range(3)]
    expected = 0.75 * p + 0.25 * np.array(challenger)
    assert stats.top_two_thompson_split(p, beta=0.75) == pytest.approx(tuple(expected))
    # A certain leader: the challenger is any other arm.
    assert stats.top_two_thompson_split([1.0, 0.0, 0.0]) == pytest.approx((0.75, 0.125, 0.125))


def test_a_bandit_step_keeps_the_floor_and_stops_at_the_threshold():
    close = stats.bandit_step(
        [(200, 5000), (215, 5000), (190, 5000)], floor_percent=10, threshold=0.95
    )
    assert not close.stop and sum(close.percentages) == 100
    assert min(close.percentages) >= 10
    assert close.leader == 1 and close.percentages[1] == max(close.percentages)
    clear = stats.bandit_step([(200, 5000), (320, 5000)], floor_percent=5, threshold=0.95)
    assert clear.stop and clear.percentages == (1, 99) and clear.chances[1] > 0.95
