"""What the results page shows, assembled from the selectors and the analysis: the per-variant
table, one section per metric with its plotly interval chart (built here in Python; the page
only hands the figures to plotly.js), the decision and the warnings."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from abtests.analysis import RATIO, MetricAnalysis, TestAnalysis
from abtests.models import (
    MediaABTest,
    MediaABTestResult,
    MediaABTestSplitChange,
    MediaABTestVariant,
)
from abtests.selectors import (
    BanditSuggestion,
    BanditUnavailable,
    analyse_media_ab_test,
    bandit_suggestion,
    variant_counts,
)
from abtests.stats import format_probability
from costs.charts import chart_layout
from costs.money import dollars, format_usd

BRAND, CONTROL, WINNER = "#2f7d4f", "#8a958e", "#b7791f"


@dataclass(frozen=True)
class VariantRow:
    variant: MediaABTestVariant
    result: MediaABTestResult | None
    chance_best: str
    is_winner: bool
    counts: list[str]
    ctr: str
    cvr: str
    cpc: str
    engagement_rate: str


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    value: str
    error: str


@dataclass(frozen=True)
class MetricsForm:
    variant: MediaABTestVariant
    fields: list[FormField]


@dataclass(frozen=True)
class MetricCell:
    name: str
    is_control: bool
    value: str
    interval: str
    difference: str
    lift: str
    p_value: str
    adjusted_p_value: str
    chance_to_beat_control: str
    chance_best: str
    expected_loss: str


@dataclass(frozen=True)
class MetricSection:
    key: str
    label: str
    lower_is_better: bool
    interval_kind: str
    cells: list[MetricCell]
    figure: dict | None


@dataclass(frozen=True)
class BanditRow:
    variant_id: str
    name: str
    current: int
    suggested: int


@dataclass(frozen=True)
class SplitShare:
    name: str
    percent: int
    chance_best: str  # "—" for a change that did not come from the bandit


@dataclass(frozen=True)
class SplitTimelineRow:
    changed_at: datetime.datetime
    reason: str
    shares: list[SplitShare]


@dataclass(frozen=True)
class ResultsPage:
    test: MediaABTest
    analysis: TestAnalysis | None
    variants: list[VariantRow]
    sections: list[MetricSection]
    warnings: list[str]
    bandit: BanditSuggestion | None
    bandit_rows: list[BanditRow]
    bandit_note: str
    allowed_transitions: list[str]
    has_metrics_form: bool
    split_timeline: list[SplitTimelineRow]
    split_figure: dict | None
    bandit_status: str


def _rate(x: Decimal | None) -> str:
    return "—" if x is None else f"{(x * 100).quantize(Decimal('0.01'))}%"


def _percent(x: float | None, places: int = 2) -> str:
    return "—" if x is None else f"{x:.{places}%}"


def _usd(x: float | None) -> str:
    return "—" if x is None else format_usd(Decimal(f"{x:.4f}"))


def _signed(x: float | None, fmt) -> str:
    if x is None:
        return "—"
    text = fmt(abs(x))
    return f"+{text}" if x > 0 else (f"\N{MINUS SIGN}{text}" if x < 0 else text)


def _p(x: float | None) -> str:
    if x is None:
        return "—"
    return "<0.001" if x < 0.001 else f"{x:.3f}"


def _points(x: float | None) -> str:
    """A difference of rates in percentage points."""
    if x is None:
        return "—"
    return "<0.001 pp" if x < 0.00001 else f"{x * 100:.3f} pp"


def _probability(x: float | None) -> str:
    return "—" if x is None else format_probability(x)


def _section(metric: MetricAnalysis, winner_key: str | None) -> MetricSection:
    spec = metric.spec
    value_fmt = _usd if spec.kind == RATIO else _percent
    cells = []
    for variant in metric.variants:
        comparison = variant.vs_control
        interval = variant.interval
        cells.append(
            MetricCell(
                name=variant.name,
                is_control=comparison is None,
                value=value_fmt(variant.value),
                interval=(
                    f"{value_fmt(interval.low)} to {value_fmt(interval.high)}"
                    if interval and variant.value is not None
                    else "—"
                ),
                difference=(
                    "control"
                    if comparison is None
                    else (
                        f"{_signed(comparison.difference, value_fmt)} "
                        f"({value_fmt(comparison.ci_low)} to {value_fmt(comparison.ci_high)})"
                        if comparison.difference is not None
                        else "—"
                    )
                ),
                lift=(
                    f"{_signed(comparison.relative_lift.value, _percent)} "
                    f"({_percent(comparison.relative_lift.ci_low, 1)} to "
                    f"{_percent(comparison.relative_lift.ci_high, 1)})"
                    if comparison and comparison.relative_lift
                    else "—"
                ),
                p_value=_p(comparison.p_value) if comparison else "—",
                adjusted_p_value=_p(comparison.adjusted_p_value) if comparison else "—",
                chance_to_beat_control=(
                    _probability(comparison.chance_to_beat_control) if comparison else "—"
                ),
                chance_best=_probability(variant.chance_best),
                expected_loss=_points(comparison.expected_loss) if comparison else "—",
            )
        )
    return MetricSection(
        key=spec.key,
        label=spec.label,
        lower_is_better=spec.lower_is_better,
        interval_kind="95% interval (delta method)" if spec.kind == RATIO else "95% credible",
        cells=cells,
        figure=interval_figure(metric, winner_key),
    )


def interval_figure(metric: MetricAnalysis, winner_key: str | None) -> dict | None:
    """Each variant's estimate with its interval, as horizontal error bars: a plain plotly figure
    dict on the product's one chart layout (as the CEO tab's figures)."""
    shown = [v for v in metric.variants if v.value is not None and v.interval is not None]
    if not shown:
        return None
    ratio = metric.spec.kind == RATIO
    colours = [
        WINNER if v.key == winner_key else (CONTROL if v is metric.variants[0] else BRAND)
        for v in shown
    ]
    markers = {
        "type": "scatter",
        "x": [v.value for v in shown],
        "y": [v.name for v in shown],
        "mode": "markers",
        "marker": {"size": 11, "color": colours},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [v.interval.high - v.value for v in shown],
            "arrayminus": [v.value - v.interval.low for v in shown],
            "thickness": 2,
            "width": 6,
        },
        "hovertemplate": ("%{x:$.4f}" if ratio else "%{x:.2%}") + "<extra>%{y}</extra>",
    }
    layout = chart_layout(
        height=80 + 48 * len(shown),
        margin={"l": 10, "r": 20, "t": 10, "b": 40},
        xaxis={
            "tickformat": "$.2f" if ratio else ".1%",
            "gridcolor": "#e2e6df",
            "zeroline": False,
            "title": {"text": metric.spec.label + (" (lower is better)" if ratio else "")},
        },
        # Variants down the side, the control first; the value axis is x.
        yaxis={"autorange": "reversed", "automargin": True},
        showlegend=False,
    )
    return {"data": [markers], "layout": layout}


def _warnings(analysis: TestAnalysis | None) -> list[str]:
    if analysis is None:
        return []
    warnings = []
    if analysis.srm.flagged:
        warnings.append(
            "Sample-ratio mismatch: impressions do not match the configured split "
            f"(chi-square {analysis.srm.chi_square:.1f}, p = {analysis.srm.p_value:.2g}). "
            "Check the delivery before trusting any result."
        )
    if analysis.power is not None and analysis.power.underpowered:
        warnings.append(
            f"Under-powered: each variant needs {analysis.power.required_per_arm:,} units to "
            f"detect the planned effect; the smallest has {analysis.power.smallest_arm:,} "
            f"(power so far {analysis.power.achieved_power:.0%})."
        )
    return warnings


def split_timeline(
    test: MediaABTest, changes: list[MediaABTestSplitChange]
) -> list[SplitTimelineRow]:
    """Every split the test has had, oldest first, with the chances to be best a bandit
    re-weighting came from."""
    variants = list(test.variants.all())
    return [
        SplitTimelineRow(
            changed_at=change.changed_at,
            reason=change.get_reason_display(),
            shares=[
                SplitShare(
                    v.name,
                    change.split.get(v.pk, 0),
                    _probability(change.chance_best_bp[v.pk] / 10_000)
                    if v.pk in change.chance_best_bp
                    else "—",
                )
                for v in variants
            ],
        )
        for change in changes
    ]


def split_figure(
    test: MediaABTest, changes: list[MediaABTestSplitChange], now: datetime.datetime
) -> dict | None:
    """Each variant's share of traffic over time as steps (the split in force until the next
    change), up to ``now`` or the test's completion; None until the split has changed once."""
    if len(changes) < 2:
        return None
    end = max(test.completed_at or now, changes[-1].changed_at)
    times = [c.changed_at.isoformat() for c in changes] + [end.isoformat()]
    data = []
    for position, variant in enumerate(test.variants.all()):
        shares = [c.split.get(variant.pk, 0) for c in changes]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": variant.name,
                "x": times,
                "y": [*shares, shares[-1]],
                "line": {"shape": "hv", "width": 2, "color": CONTROL if position == 0 else None},
                "hovertemplate": "%{y}%<extra>" + variant.name + "</extra>",
            }
        )
    layout = chart_layout(
        height=240,
        margin={"l": 40, "r": 20, "t": 10, "b": 40},
        yaxis={"range": [0, 100], "ticksuffix": "%", "gridcolor": "#e2e6df"},
        xaxis={"gridcolor": "#e2e6df"},
        showlegend=True,
    )
    return {"data": data, "layout": layout}


def _bandit_status(test: MediaABTest, changes: list[MediaABTestSplitChange]) -> str:
    if not test.bandit_mode:
        return ""
    every = f"every {test.bandit_interval_hours} h"
    if test.bandit_stopped_at:
        return (
            f"Bandit mode: exploring stopped on {test.bandit_stopped_at:%Y-%m-%d %H:%M} UTC, "
            f"when one variant's chance to be best reached {test.confidence_threshold:.1%}."
        )
    if test.status != MediaABTest.Status.RUNNING:
        return f"Bandit mode (re-weighted {every} while the test runs)."
    text = (
        f"Bandit mode: the split is re-weighted {every} by top-two Thompson sampling on the "
        f"primary metric once every variant has 100 impressions, at least "
        f"{test.bandit_floor_percent}% each"
    )
    if changes:
        due = changes[-1].changed_at + datetime.timedelta(hours=test.bandit_interval_hours)
        text += f"; next look after {due:%Y-%m-%d %H:%M} UTC"
    return text + "."


def get_results_page(test: MediaABTest, allowed_transitions: list[str]) -> ResultsPage:
    """The results page for ``test`` (already fetched for the tenant)."""
    started = test.status != MediaABTest.Status.DRAFT
    changes = list(test.split_changes.all())
    results = {r.variant_id: r for r in MediaABTestResult.objects.filter(test=test)}
    counts = variant_counts(test, results, changes)
    analysis = analyse_media_ab_test(test, counts) if started and counts else None
    chances = analysis.confidence_by_variant if analysis else {}
    variants = []
    for variant in test.variants.all():
        result = results.get(variant.pk)
        variants.append(
            VariantRow(
                variant=variant,
                result=result,
                chance_best=_probability(chances.get(variant.pk)),
                is_winner=bool(analysis and analysis.winner_key == variant.pk),
                counts=[
                    f"{getattr(result, field) if result else 0:,}"
                    for field in ("impressions", "clicks", "conversions", "engagement")
                ],
                ctr=_rate(result.ctr) if result else "—",
                cvr=_rate(result.cvr) if result else "—",
                cpc=format_usd(result.cpc) if result and result.cpc is not None else "—",
                engagement_rate=_rate(result.engagement_rate) if result else "—",
            )
        )
    bandit, bandit_note = None, ""
    # A bandit-mode test moves its split by itself; the manual suggestion is for the others.
    if test.status == MediaABTest.Status.RUNNING and not test.bandit_mode:
        try:
            # A fixed seed: the same counts always give the same suggestion.
            bandit = bandit_suggestion(test, counts, rng=0)
        except BanditUnavailable as unavailable:
            bandit_note = str(unavailable)
    return ResultsPage(
        test=test,
        analysis=analysis,
        variants=variants,
        sections=[_section(m, analysis.winner_key) for m in analysis.metrics] if analysis else [],
        warnings=_warnings(analysis),
        bandit=bandit,
        bandit_rows=[
            BanditRow(
                r.variant.pk,
                r.variant.name,
                r.variant.split_percent,
                bandit.percentages[r.variant.pk],
            )
            for r in variants
        ]
        if bandit
        else [],
        bandit_note=bandit_note,
        allowed_transitions=allowed_transitions,
        has_metrics_form=started,
        split_timeline=split_timeline(test, changes),
        split_figure=split_figure(test, changes, timezone.now()),
        bandit_status=_bandit_status(test, changes),
    )


FORM_LABELS = {
    "impressions": "Impressions",
    "clicks": "Clicks",
    "conversions": "Conversions",
    "engagement": "Engaged impressions",
    "cost": "Spend ($)",
}


def metrics_forms(
    page: ResultsPage,
    submitted: dict[str, dict[str, str]],
    errors: dict[str, dict[str, str]],
) -> list[MetricsForm]:
    """A form per variant, holding what was submitted (after a refusal) or the stored counts."""
    forms = []
    for row in page.variants:
        key = row.variant.pk
        if key in submitted:
            values = submitted[key]
        elif row.result:
            values = {field: str(getattr(row.result, field)) for field in FORM_LABELS}
            values["cost"] = dollars(row.result.cost_micros)
        else:
            values = {}
        forms.append(
            MetricsForm(
                row.variant,
                [
                    FormField(name, label, values.get(name, ""), errors.get(key, {}).get(name, ""))
                    for name, label in FORM_LABELS.items()
                ],
            )
        )
    return forms
