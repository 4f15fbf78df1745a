"""The whole-test analysis: which metrics are compared, the adjustments, and the reasons a
winner is or is not declared (threshold, sample-ratio mismatch, power, missing data)."""

import pytest

from abtests import stats
from abtests.analysis import AnalysisConfig, VariantCounts, analyse_test


def _arm(key, impressions, clicks, conversions=0, engagement=0, cost_micros=0, split=50, **kw):
    return VariantCounts(
        key, key.title(), impressions, clicks, conversions, engagement, cost_micros, split, **kw
    )


def test_it_declares_a_winner_with_enough_data_and_no_mismatch():
    arms = [_arm("control", 20_000, 1000), _arm("bold", 20_000, 1250)]
    analysis = analyse_test(arms, primary="ctr", metrics=["ctr"])
    assert analysis.winner_key == "bold"
    assert analysis.decision.winner == "Bold"
    assert analysis.decision.confidence == pytest.approx(
        stats.chance_to_beat_control(1000, 20_000, 1250, 20_000)
    )
    assert not analysis.power.underpowered and not analysis.srm.flagged


def test_it_compares_each_variant_with_the_control_on_every_metric():
    arms = [
        _arm("control", 10_000, 500, 50, 800, 500_000_000),
        _arm("bold", 10_000, 620, 70, 900, 500_000_000),
    ]
    analysis = analyse_test(arms, primary="ctr", metrics=["cvr", "engagement_rate", "cpc", "ctr"])
    assert [m.spec.key for m in analysis.metrics] == ["ctr", "cvr", "engagement_rate", "cpc"]
    ctr = analysis.metric("ctr").for_variant("bold")
    reference = stats.two_proportion_ztest(500, 10_000, 620, 10_000)
    assert ctr.vs_control.p_value == reference.p_value
    assert ctr.vs_control.difference == reference.difference
    assert ctr.value == 0.062
    assert analysis.metric("ctr").for_variant("control").vs_control is None
    cvr = analysis.metric("cvr").for_variant("bold")
    assert (cvr.numerator, cvr.denominator) == (70, 620)
    cpc = analysis.metric("cpc")
    assert cpc.spec.lower_is_better
    assert cpc.for_variant("control").value == pytest.approx(1.0)
    assert cpc.for_variant("bold").vs_control.chance_to_beat_control > 0.99
    assert cpc.for_variant("bold").chance_best > 0.99


def test_it_adjusts_p_values_across_variants():
    arms = [_arm("control", 5000, 250), _arm("b", 5000, 300), _arm("c", 5000, 290)]
    raw = [stats.two_proportion_ztest(250, 5000, clicks, 5000).p_value for clicks in (300, 290)]
    holm = analyse_test(arms, primary="ctr", metrics=[])
    bh = analyse_test(arms, primary="ctr", metrics=[], config=AnalysisConfig(adjustment="bh"))
    assert [v.vs_control.adjusted_p_value for v in holm.metric("ctr").variants[1:]] == list(
        stats.holm_adjust(raw)
    )
    assert [v.vs_control.adjusted_p_value for v in bh.metric("ctr").variants[1:]] == list(
        stats.benjamini_hochberg_adjust(raw)
    )
    assert sum(v.chance_best for v in holm.metric("ctr").variants) == pytest.approx(1)


def test_it_withholds_the_winner_under_a_sample_ratio_mismatch():
    arms = [_arm("control", 20_000, 1000), _arm("bold", 23_000, 1450)]
    analysis = analyse_test(arms, primary="ctr", metrics=[])
    assert analysis.srm.flagged
    assert analysis.winner_key is None
    assert "Sample-ratio mismatch" in analysis.decision.reason


def test_it_withholds_the_winner_while_under_powered():
    arms = [_arm("control", 800, 40), _arm("bold", 800, 80)]
    analysis = analyse_test(arms, primary="ctr", metrics=[])
    assert analysis.power.underpowered
    assert analysis.decision.confidence > 0.99
    assert analysis.winner_key is None
    assert "Not enough data yet" in analysis.decision.reason


def test_it_uses_the_configured_threshold_and_effect():
    arms = [_arm("control", 20_000, 1000), _arm("bold", 20_000, 1080)]
    strict = analyse_test(arms, primary="ctr", metrics=[], config=AnalysisConfig(threshold=0.99))
    assert strict.winner_key is None and "99% chance" in strict.decision.reason
    tiny_effect = AnalysisConfig(minimum_detectable_effect=0.001)
    assert analyse_test(arms, primary="ctr", metrics=[], config=tiny_effect).power.underpowered


def test_it_handles_zero_impressions():
    arms = [_arm("control", 0, 0), _arm("bold", 0, 0)]
    analysis = analyse_test(arms, primary="ctr", metrics=["cvr", "cpc"])
    ctr = analysis.metric("ctr")
    assert [v.value for v in ctr.variants] == [None, None]
    assert ctr.for_variant("bold").vs_control.p_value is None
    assert analysis.metric("cpc").for_variant("bold").value is None
    assert analysis.power is None and not analysis.srm.checked
    assert analysis.winner_key is None
    assert "No data yet for CTR" in analysis.decision.reason


def test_it_handles_every_click_converting():
    arms = [_arm("control", 1000, 50, 50), _arm("bold", 1000, 60, 60)]
    cvr = analyse_test(arms, primary="cvr", metrics=[]).metric("cvr").for_variant("bold")
    assert cvr.value == 1.0
    assert (cvr.vs_control.p_value, cvr.vs_control.difference) == (1.0, 0.0)


def test_it_analyses_a_single_variant_without_a_winner():
    analysis = analyse_test([_arm("only", 5000, 300, split=100)], primary="ctr", metrics=["cpc"])
    assert analysis.metric("ctr").variants[0].chance_best == 1.0
    assert analysis.winner_key is None
    assert "at least two variants" in analysis.decision.reason


def test_it_checks_the_split_since_the_last_re_split():
    arms = [
        _arm("control", 6000, 300, split=10, impressions_since_split=1000),
        _arm("bold", 14000, 800, split=90, impressions_since_split=9000),
    ]
    assert not analyse_test(arms, primary="ctr", metrics=[]).srm.flagged
    totals_only = [_arm("control", 6000, 300, split=10), _arm("bold", 14000, 800, split=90)]
    assert analyse_test(totals_only, primary="ctr", metrics=[]).srm.flagged


def test_it_flags_traffic_to_a_variant_with_a_zero_split():
    arms = [_arm("control", 5000, 250, split=100), _arm("bold", 40, 2, split=0)]
    analysis = analyse_test(arms, primary="ctr", metrics=[])
    assert analysis.srm.flagged and analysis.winner_key is None
