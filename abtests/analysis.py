"""A whole test's analysis from its counts: every chosen metric, each variant against the control
(the first variant), the sample-ratio and power checks and the winner decision.

Pure like ``abtests.stats`` (no Django): the selectors feed it counts and the results page and the
stored winner flags read what it returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from abtests import stats

PROPORTION = "proportion"
RATIO = "ratio"


@dataclass(frozen=True)
class MetricSpec:
    key: str
    label: str
    source: str  # the chosen raw metric this rate is analysed for
    numerator: str
    denominator: str
    kind: str
    lower_is_better: bool = False


METRICS: dict[str, MetricSpec] = {
    spec.key: spec
    for spec in (
        MetricSpec("ctr", "CTR", "clicks", "clicks", "impressions", PROPORTION),
        MetricSpec("cvr", "CVR", "conversions", "conversions", "clicks", PROPORTION),
        MetricSpec(
            "engagement_rate",
            "Engagement rate",
            "engagement",
            "engagement",
            "impressions",
            PROPORTION,
        ),
        MetricSpec("cpc", "CPC", "cost", "cost_micros", "clicks", RATIO, lower_is_better=True),
    )
}
METRIC_FOR_SOURCE = {spec.source: key for key, spec in METRICS.items()}
RAW_METRICS = ("impressions", "clicks", "conversions", "engagement", "cost")
# The raw metrics a test must collect to analyse each metric (CPC's interval needs impressions).
REQUIRED_RAW = {
    "ctr": ("impressions", "clicks"),
    "cvr": ("clicks", "conversions"),
    "engagement_rate": ("impressions", "engagement"),
    "cpc": ("impressions", "clicks", "cost"),
}


@dataclass(frozen=True)
class VariantCounts:
    key: str
    name: str
    impressions: int = 0
    clicks: int = 0
    conversions: int = 0
    engagement: int = 0
    cost_micros: int = 0
    split_percent: int = 0
    # The impressions the sample-ratio check counts: since the first recorded split when there
    # is a split history (checked against ``expected_impressions``), else since the split last
    # changed (checked against ``split_percent``).
    impressions_since_split: int | None = None
    # With a split history: the impressions this arm should have had since the test started,
    # each period's traffic shared by the split in force then (the check then uses all traffic).
    expected_impressions: float | None = None

    def count(self, name: str) -> int:
        return getattr(self, name)


@dataclass(frozen=True)
class AnalysisConfig:
    threshold: float = 0.95
    alpha: float = 0.05
    minimum_detectable_effect: float = 0.01
    power: float = 0.8
    adjustment: str = "holm"
    srm_alpha: float = 0.001
    srm_min_count: int = 100


@dataclass(frozen=True)
class Comparison:
    """A variant against the control on one metric."""

    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    adjusted_p_value: float | None
    relative_lift: stats.Estimate | None
    chance_to_beat_control: float | None
    expected_loss: float | None


@dataclass(frozen=True)
class VariantMetric:
    key: str
    name: str
    numerator: int
    denominator: int
    value: float | None
    interval: stats.Interval | None
    chance_best: float | None
    vs_control: Comparison | None  # None for the control itself


@dataclass(frozen=True)
class MetricAnalysis:
    spec: MetricSpec
    variants: tuple[VariantMetric, ...]

    def for_variant(self, key: str) -> VariantMetric:
        return next(v for v in self.variants if v.key == key)


@dataclass(frozen=True)
class TestAnalysis:
    primary: str
    metrics: tuple[MetricAnalysis, ...]
    srm: stats.SRMResult
    power: stats.PowerCheck | None
    decision: stats.WinnerDecision
    winner_key: str | None = None
    confidence_by_variant: dict[str, float | None] = field(default_factory=dict)

    def metric(self, key: str) -> MetricAnalysis:
        return next(m for m in self.metrics if m.spec.key == key)


def _proportion(spec: MetricSpec, arms: list[VariantCounts], config: AnalysisConfig):
    control = arms[0]
    pairs = [(a.count(spec.numerator), a.count(spec.denominator)) for a in arms]
    chances = stats.chance_to_be_best(pairs) if any(n for _, n in pairs) else None
    comparisons: list[dict] = [{}]
    for successes, trials in pairs[1:]:
        c_a, n_a = pairs[0]
        row: dict = {
            "chance_to_beat_control": stats.chance_to_beat_control(c_a, n_a, successes, trials),
            "expected_loss": stats.expected_loss(c_a, n_a, successes, trials),
            "relative_lift": stats.relative_lift(c_a, n_a, successes, trials, config.alpha),
        }
        if n_a and trials:
            test = stats.two_proportion_ztest(c_a, n_a, successes, trials, config.alpha)
            row |= {
                "difference": test.difference,
                "ci_low": test.ci_low,
                "ci_high": test.ci_high,
                "p_value": test.p_value,
            }
        comparisons.append(row)
    _adjust(comparisons, config)
    return tuple(
        VariantMetric(
            key=arm.key,
            name=arm.name,
            numerator=successes,
            denominator=trials,
            value=successes / trials if trials else None,
            interval=stats.beta_credible_interval(successes, trials, 1 - config.alpha),
            chance_best=chances[i] if chances else None,
            vs_control=None if arm is control else _comparison(comparisons[i]),
        )
        for i, (arm, (successes, trials)) in enumerate(zip(arms, pairs, strict=True))
    )


def _ratio(spec: MetricSpec, arms: list[VariantCounts], config: AnalysisConfig):
    estimates = [
        stats.cost_per_click(a.cost_micros / 1_000_000, a.clicks, a.impressions, config.alpha)
        for a in arms
    ]
    ready = all(e is not None for e in estimates)
    chances = (
        stats.chance_to_be_best_normal(
            [e.value for e in estimates],
            [e.se for e in estimates],
            lower_is_better=spec.lower_is_better,
        )
        if ready
        else None
    )
    comparisons: list[dict] = [{}]
    for estimate in estimates[1:]:
        row: dict = {}
        if estimates[0] is not None and estimates[0].value > 0 and estimate is not None:
            result = stats.compare_ratios(
                estimates[0], estimate, lower_is_better=spec.lower_is_better, alpha=config.alpha
            )
            row = {
                "difference": result.difference.value,
                "ci_low": result.difference.ci_low,
                "ci_high": result.difference.ci_high,
                "p_value": result.p_value,
                "relative_lift": result.relative_lift,
                "chance_to_beat_control": result.chance_to_beat_control,
            }
        comparisons.append(row)
    _adjust(comparisons, config)
    return tuple(
        VariantMetric(
            key=arm.key,
            name=arm.name,
            numerator=arm.cost_micros,
            denominator=arm.clicks,
            value=estimate.value if estimate else None,
            interval=stats.Interval(estimate.ci_low, estimate.ci_high) if estimate else None,
            chance_best=chances[i] if chances else None,
            vs_control=None if i == 0 else _comparison(comparisons[i]),
        )
        for i, (arm, estimate) in enumerate(zip(arms, estimates, strict=True))
    )


def _adjust(comparisons: list[dict], config: AnalysisConfig) -> None:
    tested = [row for row in comparisons if row.get("p_value") is not None]
    adjusted = stats.adjust_p_values([row["p_value"] for row in tested], config.adjustment)
    for row, p_value in zip(tested, adjusted, strict=True):
        row["adjusted_p_value"] = p_value


def _comparison(row: dict) -> Comparison:
    return Comparison(
        difference=row.get("difference"),
        ci_low=row.get("ci_low"),
        ci_high=row.get("ci_high"),
        p_value=row.get("p_value"),
        adjusted_p_value=row.get("adjusted_p_value"),
        relative_lift=row.get("relative_lift"),
        chance_to_beat_control=row.get("chance_to_beat_control"),
        expected_loss=row.get("expected_loss"),
    )


def _power(spec: MetricSpec, arms: list[VariantCounts], config: AnalysisConfig):
    # CPC moves inversely with CTR when spend is spread evenly, so its plan uses the CTR counts.
    numerator, denominator = (
        ("clicks", "impressions") if spec.kind == RATIO else (spec.numerator, spec.denominator)
    )
    control = arms[0]
    if control.count(denominator) == 0:
        return None
    return stats.power_check(
        min(a.count(denominator) for a in arms),
        control.count(numerator) / control.count(denominator),
        config.minimum_detectable_effect,
        config.alpha,
        config.power,
    )


def _srm_weights(arms: list[VariantCounts]) -> list[float]:
    """What the observed impressions are checked against: the expected impressions from the
    split history when there is one with traffic, else the current split (else equal)."""
    expected = [a.expected_impressions for a in arms]
    if all(e is not None for e in expected) and sum(expected) > 0:
        return expected
    if sum(a.split_percent for a in arms):
        return [a.split_percent for a in arms]
    return [1] * len(arms)


def analyse_test(
    arms: list[VariantCounts],
    *,
    primary: str,
    metrics: list[str],
    config: AnalysisConfig | None = None,
) -> TestAnalysis:
    """Analyse ``arms`` (the control first) on ``primary`` and every metric in ``metrics``
    (analysed metric keys such as ``ctr``; the primary is always included)."""
    config = config or AnalysisConfig()
    if not arms:
        raise ValueError("a test has at least one variant")
    keys = [primary, *(m for m in metrics if m != primary)]
    analyses = tuple(
        MetricAnalysis(
            METRICS[key],
            (_ratio if METRICS[key].kind == RATIO else _proportion)(METRICS[key], arms, config),
        )
        for key in keys
    )
    srm = stats.srm_check(
        [
            a.impressions if a.impressions_since_split is None else a.impressions_since_split
            for a in arms
        ],
        _srm_weights(arms),
        alpha=config.srm_alpha,
        min_count=config.srm_min_count,
    )
    primary_spec = METRICS[primary]
    power = _power(primary_spec, arms, config)
    primary_analysis = analyses[0]
    if any(v.chance_best is None for v in primary_analysis.variants) and len(arms) > 1:
        decision = stats.WinnerDecision(
            None, None, f"No data yet for {primary_spec.label} in every variant."
        )
    else:
        decision = stats.decide_winner(
            {v.name: v.chance_best for v in primary_analysis.variants},
            srm=srm,
            power=power,
            threshold=config.threshold,
            metric_label=primary_spec.label,
        )
    winner_key = next((a.key for a in arms if a.name == decision.winner), None)
    return TestAnalysis(
        primary=primary,
        metrics=analyses,
        srm=srm,
        power=power,
        decision=decision,
        winner_key=winner_key,
        confidence_by_variant={v.key: v.chance_best for v in primary_analysis.variants},
    )
