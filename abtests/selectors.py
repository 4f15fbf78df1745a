"""Reads: a tenant's tests, their results, the analysis of a test, the bandit's split suggestion
and the assignment of a unit to a variant. Every read filters by tenant (except assignment,
which serves traffic by test id); another tenant's test is ``ABTestNotFound``, a 404."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.http import Http404

from abtests import stats
from abtests.analysis import (
    METRIC_FOR_SOURCE,
    METRICS,
    RATIO,
    AnalysisConfig,
    TestAnalysis,
    VariantCounts,
    analyse_test,
)
from abtests.assignment import variant_for_unit
from abtests.models import MediaABTest, MediaABTestResult, MediaABTestSplitChange
from media.selectors import JobView, get_generation_job


class ABTestNotFound(Http404):
    """No such A/B test (or variant) for this tenant: unknown and another tenant's look alike."""


def get_media_ab_tests(tenant_id: str, *, status: str = "") -> list[MediaABTest]:
    """The tenant's tests, newest first, with their variants and results loaded."""
    tests = MediaABTest.objects.filter(tenant_id=tenant_id).prefetch_related(
        "variants", "results__variant"
    )
    if status:
        tests = tests.filter(status=status)
    return list(tests)


def get_media_ab_test(tenant_id: str, test_id: str) -> MediaABTest:
    test = (
        MediaABTest.objects.filter(tenant_id=tenant_id, pk=test_id)
        .prefetch_related("variants")
        .first()
    )
    if test is None:
        raise ABTestNotFound(f"No A/B test {test_id}")
    return test


def variant_media_jobs(test: MediaABTest) -> dict[str, JobView]:
    """The media job each of the test's variants waits for (or whose failure it shows), by
    variant id."""
    jobs = {}
    for variant_id, job_id in test.variants.exclude(media_job_id="").values_list(
        "pk", "media_job_id"
    ):
        if (job := get_generation_job(test.tenant_id, job_id)) is not None:
            jobs[variant_id] = job
    return jobs


def get_media_ab_test_results(tenant_id: str, test_id: str) -> list[MediaABTestResult]:
    """One result per variant, in variant order (none before the test has started)."""
    test = get_media_ab_test(tenant_id, test_id)
    return list(test.results.select_related("variant").order_by("variant__position"))


def analysis_config(test: MediaABTest) -> AnalysisConfig:
    return AnalysisConfig(
        threshold=float(test.confidence_threshold),
        minimum_detectable_effect=float(test.minimum_detectable_effect),
        adjustment=test.adjustment,
    )


def expected_impressions(
    changes: list[MediaABTestSplitChange], current: Mapping[str, int]
) -> dict[str, float]:
    """Each variant's expected impressions since the first change: every period's delivered
    traffic (the growth in total impressions from one change to the next, or to ``current``)
    shared by the split in force during it. A re-weighting therefore never reads as a mismatch;
    traffic that does not follow the split of its period does."""
    expected = dict.fromkeys(current, 0.0)
    ends = [change.impressions for change in changes[1:]] + [current]
    for change, end in zip(changes, ends, strict=True):
        delivered = sum(max(0, end.get(key, 0) - change.impressions.get(key, 0)) for key in current)
        total = sum(change.split.get(key, 0) for key in current)
        if not total:
            continue
        for key in current:
            expected[key] += delivered * change.split.get(key, 0) / total
    return expected


def variant_counts(
    test: MediaABTest,
    results: Mapping[str, MediaABTestResult] | None = None,
    changes: list[MediaABTestSplitChange] | None = None,
) -> list[VariantCounts]:
    """Each variant's counts for the analysis, in variant order; ``results`` (by variant id)
    and ``changes`` are read here unless the caller has them already."""
    if results is None:
        results = {r.variant_id: r for r in MediaABTestResult.objects.filter(test=test)}
    if changes is None:
        changes = list(test.split_changes.all())
    variants = list(test.variants.all())
    current = {v.pk: results[v.pk].impressions if v.pk in results else 0 for v in variants}
    expected = expected_impressions(changes, current) if changes else {}
    counts = []
    for variant in variants:
        result = results.get(variant.pk)
        impressions = result.impressions if result else 0
        since = (
            impressions - changes[0].impressions.get(variant.pk, 0)
            if changes
            else impressions - variant.impressions_at_split
        )
        counts.append(
            VariantCounts(
                key=variant.pk,
                name=variant.name,
                impressions=impressions,
                clicks=result.clicks if result else 0,
                conversions=result.conversions if result else 0,
                engagement=result.engagement if result else 0,
                cost_micros=result.cost_micros if result else 0,
                split_percent=variant.split_percent,
                impressions_since_split=max(0, since),
                expected_impressions=expected.get(variant.pk),
            )
        )
    return counts


def analysed_metrics(test: MediaABTest) -> list[str]:
    """The analysed metric keys for the test's chosen raw metrics."""
    return [METRIC_FOR_SOURCE[m] for m in test.metrics if m in METRIC_FOR_SOURCE]


def analyse_media_ab_test(
    test: MediaABTest, counts: list[VariantCounts] | None = None
) -> TestAnalysis:
    """The full analysis of ``test`` from its stored counts (control = first variant), or from
    ``counts`` when the caller has read them already."""
    return analyse_test(
        variant_counts(test) if counts is None else counts,
        primary=test.primary_metric,
        metrics=analysed_metrics(test),
        config=analysis_config(test),
    )


@dataclass(frozen=True)
class BanditSuggestion:
    metric_label: str
    weights: dict[str, float]  # variant id → share of traffic
    percentages: dict[str, int]  # the same as whole percentages (each >= 1, total 100)


class BanditUnavailable(ValueError):
    pass


def suggest_bandit_split(
    tenant_id: str, test_id: str, *, rng=None, min_weight: float = 0.01
) -> BanditSuggestion:
    """A Thompson-sampling split on the primary metric, for a person to review and apply.
    Raises ``BanditUnavailable`` (with the reason) for a CPC primary metric, which is not a
    Beta-Binomial rate."""
    test = get_media_ab_test(tenant_id, test_id)
    return bandit_suggestion(test, variant_counts(test), rng=rng, min_weight=min_weight)


def bandit_suggestion(
    test: MediaABTest, counts: list[VariantCounts], *, rng=None, min_weight: float = 0.01
) -> BanditSuggestion:
    """``suggest_bandit_split`` for a test already read, from its ``variant_counts``."""
    spec = METRICS[test.primary_metric]
    if spec.kind == RATIO:
        raise BanditUnavailable(
            f"The bandit works on rates (CTR, CVR, engagement rate), not on {spec.label}."
        )
    if len(counts) < 2:
        raise BanditUnavailable("A bandit needs at least two variants.")
    arms: Mapping[str, tuple[int, int]] = {
        c.key: (c.count(spec.numerator), c.count(spec.denominator)) for c in counts
    }
    weights = stats.thompson_split(arms, min_weight, rng=rng)
    percentages = stats.split_to_percentages(list(weights.values()))
    return BanditSuggestion(spec.label, weights, dict(zip(weights, percentages, strict=True)))


def assign_variant(test_id: str, unit_id: str) -> str:
    """The variant id this unit sees in this test: a SHA-256 bucket laid over the split, so the
    same unit gets the same variant in every call and process (until the split changes)."""
    split = list(
        MediaABTest.objects.filter(pk=test_id)
        .values_list("variants__id", "variants__split_percent")
        .exclude(variants__id=None)
        .order_by("variants__position")
    )
    if not split:
        raise ABTestNotFound(f"No A/B test {test_id} with variants")
    return variant_for_unit(test_id, str(unit_id), split)
