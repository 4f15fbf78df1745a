"""Style recommendations learnt from A/B tests (reads only).

Every started test (running, paused or completed) that collects the metric's raw counts gives
one comparison per variant with a style preset other than its control's: the variant's relative
lift on the metric against that control, with its delta-method standard error. The comparisons
of an organisation are partially pooled per preset (``abtests.pooling``) so a preset seen once in
a small test is pulled towards the organisation's overall lift while one that won several large
tests keeps its own. Platform-wide the same model runs over the built-in presets of every
organisation, and only aggregates leave an organisation: a built-in preset enters the platform
model only once it has been tested by ``MIN_PLATFORM_ORGANISATIONS`` organisations, and the
platform view names no organisation and no custom preset.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
from django.core.cache import cache
from django.db.models import Count, Max

from abtests.analysis import METRICS, RATIO, REQUIRED_RAW
from abtests.models import MediaABTest, MediaABTestResult
from abtests.pooling import pool_lifts, proportion_lifts, ratio_lifts
from abtests.validation import METRIC_FIELDS
from bakedbot.errors import InvalidInput
from presets.builtins import BUILTINS_BY_ID, is_builtin_id
from presets.recommendations import (
    PresetLift,
    RecommendedPreset,
    StyleRecommendationPanel,
    signed_percent,
)
from presets.selectors import get_preset_names

# A comparison counts once both arms have this many units of the metric's denominator (the
# sample-ratio check's minimum too); a preset is recommended once its arms total
# MIN_PRESET_UNITS; platform-wide, once MIN_PLATFORM_ORGANISATIONS organisations tested it.
MIN_ARM_UNITS = 100
MIN_PRESET_UNITS = 1_000
MIN_PLATFORM_ORGANISATIONS = 3
STARTED = (MediaABTest.Status.RUNNING, MediaABTest.Status.PAUSED, MediaABTest.Status.COMPLETED)
ORGANISATION, PLATFORM = "organisation", "platform"
# The platform view reads every organisation's results, so it is kept (per metric) until any
# result changes: its cache key carries the results' count and latest update.
PLATFORM_CACHE_SECONDS = 600


@dataclass(frozen=True)
class Comparison:
    """One variant against the control of the test it ran in."""

    tenant_id: str
    test_id: str
    preset_id: str
    lift: float
    se: float
    won: bool  # the best arm of its test on the metric
    units: int  # the variant arm's units (the metric's denominator)


@dataclass(frozen=True)
class PresetEffect(PresetLift):
    """A preset's pooled lift (``lift`` with its 95% interval), its own unpooled lift
    (``raw_lift``), how far it was pulled towards the overall lift (``pooling``, 0 to 1) and
    the evidence: tests, tests won, units, organisations (platform-wide)."""

    raw_lift: float
    pooling: float
    tests: int
    wins: int
    units: int
    organisations: int

    @property
    def raw_lift_text(self) -> str:
        return signed_percent(self.raw_lift)

    @property
    def pooling_percent(self) -> int:
        return round(self.pooling * 100)

    def evidence(self, metric_label: str, unit_label: str) -> str:
        tests = "test" if self.tests == 1 else "tests"
        return (
            f"won {self.wins} of {self.tests} {tests} on {metric_label}, "
            f"{self.units:,} {unit_label}"
        )


@dataclass(frozen=True)
class PresetWaiting:
    """A preset tested but still below the minimum (shown without numbers)."""

    preset_id: str
    name: str
    tests: int
    units: int


@dataclass(frozen=True)
class StyleRecommendations:
    """Recommendations for one metric: ``effects`` with enough evidence, best first (lowest
    lift first for CPC), ``waiting`` below the minimum, and the model's overall figures
    (None without comparisons)."""

    scope: str
    metric: str
    metric_label: str
    unit_label: str
    lower_is_better: bool
    effects: tuple[PresetEffect, ...]
    waiting: tuple[PresetWaiting, ...]
    comparisons: int
    tests: int
    overall_lift: float | None
    overall_se: float | None
    between_sd: float | None
    within_sd: float | None

    @property
    def minimum(self) -> str:
        """The stated minimum, in words."""
        text = (
            f"a preset is recommended once its test variants have {MIN_PRESET_UNITS:,} "
            f"{self.unit_label} (comparisons count when both arms have {MIN_ARM_UNITS})"
        )
        if self.scope == PLATFORM:
            text += f" and {MIN_PLATFORM_ORGANISATIONS} organisations have tested it"
        return text

    def evidence(self, effect: PresetEffect) -> str:
        return effect.evidence(self.metric_label, self.unit_label)

    @property
    def rows(self) -> list[tuple[PresetEffect, str]]:
        """Each recommended preset with its evidence in words (for templates)."""
        return [(effect, self.evidence(effect)) for effect in self.effects]

    @property
    def overall_text(self) -> str:
        return "" if self.overall_lift is None else signed_percent(self.overall_lift)

    @property
    def spread_text(self) -> str:
        """How much presets differ (τ), said only once there are two presets to compare."""
        if self.between_sd is None or len({e.preset_id for e in self.effects}) < 2:
            return ""
        return f"±{round(self.between_sd * 100)}%"


def clean_metric(metric: str) -> str:
    if metric not in METRICS:
        raise InvalidInput(metric="Choose ctr, cvr, engagement_rate or cpc.")
    return metric


def _rows(**scope) -> Iterable[tuple]:
    return (
        MediaABTestResult.objects.filter(test__status__in=STARTED, **scope)
        .order_by("test_id", "variant__position")
        .values_list(
            "test__tenant_id",
            "test_id",
            "test__metrics",
            "variant__preset_id",
            *METRIC_FIELDS,
        )
    )


def _values(metric: str, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each arm's metric value (NaN where undefined) and its denominator."""
    spec = METRICS[metric]
    column = {name: counts[:, i] for i, name in enumerate(METRIC_FIELDS)}
    denominator = column[spec.denominator].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(denominator > 0, column[spec.numerator] / denominator, np.nan)
    return value, denominator


def comparisons_for(rows: Iterable[tuple], metric: str) -> list[Comparison]:
    """The comparisons (see the module notes) in ``rows`` of results, ordered by test and
    variant position (the control first)."""
    spec = METRICS[metric]
    required = set(REQUIRED_RAW[metric])
    tests: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        if required <= set(row[2] or ()):
            tests[row[1]].append(row)
    pairs: list[tuple[tuple, tuple, bool]] = []
    for arms in tests.values():
        counts = np.array([arm[4:] for arm in arms], dtype=np.int64)
        value, units = _values(metric, counts)
        defined = ~np.isnan(value)
        if not defined[0] or value[0] <= 0 or units[0] < MIN_ARM_UNITS:
            continue
        best = np.nanmin(value) if spec.lower_is_better else np.nanmax(value)
        # A tie for the best value is no win.
        winner = int(np.flatnonzero(value == best)[0]) if np.sum(value == best) == 1 else -1
        control = arms[0]
        for i, arm in enumerate(arms[1:], start=1):
            if arm[3] and arm[3] != control[3] and defined[i] and units[i] >= MIN_ARM_UNITS:
                pairs.append((control, arm, i == winner))
    if not pairs:
        return []
    a = np.array([c[4:] for c, _, _ in pairs], dtype=np.int64)
    b = np.array([v[4:] for _, v, _ in pairs], dtype=np.int64)
    lifts, ses = _lifts(metric, a, b)
    _, units = _values(metric, b)
    return [
        Comparison(arm[0], arm[1], arm[3], float(lift), float(se), won, int(n))
        for (_, arm, won), lift, se, n in zip(pairs, lifts, ses, units, strict=True)
    ]


def _lifts(metric: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    spec = METRICS[metric]
    index = {name: i for i, name in enumerate(METRIC_FIELDS)}
    if spec.kind != RATIO:
        num, den = index[spec.numerator], index[spec.denominator]
        return proportion_lifts(a[:, num], a[:, den], b[:, num], b[:, den])

    # CPC = cost / clicks, with Var ≈ CPC²·(1 - p)/clicks (spend spread evenly over
    # impressions, as ``stats.cost_per_click``).
    def cpc(x):
        clicks, impressions = x[:, index["clicks"]], x[:, index["impressions"]]
        value = x[:, index["cost_micros"]] / 1_000_000 / clicks
        return value, value * np.sqrt((1 - clicks / impressions) / clicks)

    return ratio_lifts(*cpc(a), *cpc(b))


def _recommendations(
    scope: str, metric: str, comparisons: list[Comparison], names: dict[str, str]
) -> StyleRecommendations:
    spec = METRICS[metric]
    unit_label = spec.denominator.replace("_", " ")
    usable = [c for c in comparisons if c.se > 0 and np.isfinite(c.lift)]
    by_preset: dict[str, list[Comparison]] = defaultdict(list)
    for comparison in usable:
        by_preset[comparison.preset_id].append(comparison)
    model = (
        pool_lifts([c.preset_id for c in usable], [c.lift for c in usable], [c.se for c in usable])
        if usable
        else None
    )
    effects, waiting = [], []
    for preset_id, found in by_preset.items():
        name = names.get(preset_id, "Deleted preset")
        tests = len({c.test_id for c in found})
        units = sum(c.units for c in found)
        if units < MIN_PRESET_UNITS:
            waiting.append(PresetWaiting(preset_id, name, tests, units))
            continue
        pooled = model.effect(preset_id)
        effects.append(
            PresetEffect(
                preset_id=preset_id,
                name=name,
                lift=pooled.estimate,
                ci_low=pooled.ci_low,
                ci_high=pooled.ci_high,
                raw_lift=pooled.raw,
                pooling=pooled.pooling,
                tests=tests,
                wins=sum(c.won for c in found),
                units=units,
                organisations=len({c.tenant_id for c in found}),
            )
        )
    sign = 1 if spec.lower_is_better else -1
    effects.sort(key=lambda e: (sign * e.lift, e.name))
    waiting.sort(key=lambda w: (-w.units, w.name))
    return StyleRecommendations(
        scope=scope,
        metric=metric,
        metric_label=spec.label,
        unit_label=unit_label,
        lower_is_better=spec.lower_is_better,
        effects=tuple(effects),
        waiting=tuple(waiting),
        comparisons=len(usable),
        tests=len({c.test_id for c in usable}),
        overall_lift=model.mean if model else None,
        overall_se=model.mean_se if model else None,
        between_sd=model.between_sd if model else None,
        within_sd=model.within_sd if model else None,
    )


def get_style_recommendations(tenant_id: str, *, metric: str = "ctr") -> StyleRecommendations:
    """The organisation's style recommendations on ``metric`` (ctr, cvr, engagement_rate, cpc)
    from its own tests only. ``InvalidInput`` (``metric``) for anything else."""
    metric = clean_metric(metric)
    comparisons = comparisons_for(_rows(test__tenant_id=tenant_id), metric)
    names = get_preset_names(tenant_id, {c.preset_id for c in comparisons})
    return _recommendations(ORGANISATION, metric, comparisons, names)


def get_platform_style_recommendations(*, metric: str = "ctr") -> StyleRecommendations:
    """Built-in presets across every organisation's tests, aggregates only: a preset enters
    the model once ``MIN_PLATFORM_ORGANISATIONS`` organisations have tested it (until then it
    is listed as waiting, without numbers), and nothing names an organisation."""
    metric = clean_metric(metric)
    state = MediaABTestResult.objects.filter(test__status__in=STARTED).aggregate(
        rows=Count("id"), last=Max("updated_at")
    )
    last = state["last"].isoformat() if state["last"] else "-"
    key = f"abtests:platform-recommendations:{metric}:{state['rows']}:{last}"
    found = cache.get(key)
    if found is None:
        found = _platform_recommendations(metric)
        cache.set(key, found, PLATFORM_CACHE_SECONDS)
    return found


def _platform_recommendations(metric: str) -> StyleRecommendations:
    comparisons = [
        c
        for c in comparisons_for(_rows(), metric)
        if is_builtin_id(c.preset_id) and c.preset_id in BUILTINS_BY_ID
    ]
    organisations: dict[str, set[str]] = defaultdict(set)
    for comparison in comparisons:
        organisations[comparison.preset_id].add(comparison.tenant_id)
    shared = [
        c for c in comparisons if len(organisations[c.preset_id]) >= MIN_PLATFORM_ORGANISATIONS
    ]
    names = {preset_id: preset.name for preset_id, preset in BUILTINS_BY_ID.items()}
    found = _recommendations(PLATFORM, metric, shared, names)
    # Presets tested by too few organisations: named (they are built-ins) without any numbers.
    few = sorted(
        {c.preset_id for c in comparisons} - {c.preset_id for c in shared},
        key=lambda preset_id: names[preset_id],
    )
    waiting = found.waiting + tuple(PresetWaiting(p, names[p], 0, 0) for p in few)
    return replace(found, waiting=waiting)


def recommendation_panel(*, tenant_id: str, metric: str, limit: int) -> StyleRecommendationPanel:
    """The provider registered in ``presets.recommendations``: the organisation's top
    ``limit`` presets; without enough evidence of its own, the platform's built-ins; else why
    there is no advice yet."""
    metric = metric if metric in METRICS else "ctr"
    label = METRICS[metric].label
    own = get_style_recommendations(tenant_id, metric=metric)
    for found, note in (
        (own, "From your A/B tests."),
        (
            get_platform_style_recommendations(metric=metric),
            "Built-in presets across BakedBot brands (you have not enough tests of your own yet).",
        ),
    ):
        if found.effects:
            return StyleRecommendationPanel(
                metric=metric,
                metric_label=label,
                presets=tuple(
                    RecommendedPreset(
                        preset_id=e.preset_id,
                        name=e.name,
                        lift=e.lift,
                        ci_low=e.ci_low,
                        ci_high=e.ci_high,
                        evidence=found.evidence(e),
                    )
                    for e in found.effects[:limit]
                ),
                note=note,
                page_url_name="abtests:recommendations",
            )
    return StyleRecommendationPanel(
        metric=metric,
        metric_label=label,
        presets=(),
        note=f"Not enough evidence yet: {own.minimum}.",
        page_url_name="abtests:recommendations",
    )
