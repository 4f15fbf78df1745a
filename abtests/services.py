"""Writes: creating and editing tests, the lifecycle, metrics in (form, CSV, API), the bandit
re-split and the variants' generated images.

The public names are the original system's API in snake_case. Every service is keyword-only,
returns a frozen dataclass, and refuses bad input by raising ``bakedbot.errors.InvalidInput``
(field name → message, variant fields as ``variants.<n>.<field>``) before anything is written.
A test id (or variant id) the tenant cannot see raises ``ABTestNotFound``, a 404.

Lifecycle: draft → running → paused ⇄ running → completed. Once started, a test's variants,
split, prompts and metrics are frozen (only its name, description and end date may change)
except for ``apply_bandit_split`` on a running test. Variants and results are written under a
row lock on the test, so concurrent metric updates and transitions serialise.
"""

import csv
import datetime
import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from abtests import stats
from abtests.analysis import METRICS, RAW_METRICS
from abtests.models import (
    MediaABTest,
    MediaABTestMetricSnapshot,
    MediaABTestResult,
    MediaABTestSplitChange,
    MediaABTestVariant,
)
from abtests.selectors import (
    ABTestNotFound,
    analyse_media_ab_test,
    assign_variant,
    get_media_ab_test_results,
    get_media_ab_tests,
    variant_media_jobs,
)
from abtests.validation import (
    METRIC_FIELDS,
    check_bandit_floor,
    check_split,
    check_test_consistency,
    check_variant_content,
    clean_metrics,
    clean_split,
    clean_test_fields,
    clean_variants,
)
from bakedbot.errors import FieldErrors, InvalidInput
from bakedbot.selectors import organisation_exists, organisation_time_zone
from costs.budgets import BudgetExceeded
from media.selectors import get_generation_job
from media.services import queue_image_generation
from presets.domain import PresetNotFound
from presets.selectors import get_style_preset

__all__ = [
    "ABTestNotFound",
    "BanditRun",
    "MetricsImportResult",
    "Reweighting",
    "RowError",
    "SavedABTest",
    "VariantGeneration",
    "VariantMetrics",
    "apply_bandit_split",
    "assign_variant",
    "attach_variant_media",
    "create_media_ab_test",
    "ensure_bandit_schedule",
    "generate_variant_media",
    "get_media_ab_test_results",
    "get_media_ab_tests",
    "import_ab_test_metrics_csv",
    "reweight_bandit_test",
    "reweight_bandit_tests",
    "transition_media_ab_test",
    "update_ab_test_metrics",
    "update_media_ab_test",
]

logger = logging.getLogger(__name__)

Status = MediaABTest.Status
Reason = MediaABTestSplitChange.Reason
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: (Status.RUNNING,),
    Status.RUNNING: (Status.PAUSED, Status.COMPLETED),
    Status.PAUSED: (Status.RUNNING,),
    Status.COMPLETED: (),
}
EDITABLE_ONCE_STARTED = {
    Status.RUNNING: {"name", "description", "end_date"},
    Status.PAUSED: {"name", "description", "end_date"},
    Status.COMPLETED: {"name", "description"},
}
MAX_CSV_ROWS = 1000
# Bandit mode: every arm needs this many impressions before the first re-weighting, and the
# django-q2 schedule looks for due tests this often.
BANDIT_MIN_UNITS = 100
BANDIT_SCHEDULE = "abtests bandit re-weighting"
BANDIT_TASK = "abtests.tasks.reweight_bandit_tests"
BANDIT_SCHEDULE_MINUTES = 15


@dataclass(frozen=True)
class SavedABTest:
    """A test after a write: its id and where it stands."""

    test_id: str
    status: str
    wizard_step: int


@dataclass(frozen=True)
class VariantMetrics:
    """A variant's cumulative counts after a metrics update, with the fresh decision."""

    test_id: str
    variant_id: str
    impressions: int
    clicks: int
    conversions: int
    engagement: int
    cost_micros: int
    is_winner: bool
    confidence: Decimal | None


@dataclass(frozen=True)
class RowError:
    """A problem with one line of an uploaded metrics file (line 1 is the header)."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class MetricsImportResult:
    """What an upload did: ``rows`` variants recorded, or — when any line has a problem —
    ``errors`` naming each one and nothing written (``rows`` 0)."""

    rows: int
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class VariantGeneration:
    """An image queued for a variant: the media job that makes it (``status`` ``done`` at once
    for a duplicate-prompt cache hit, whose image is already attached)."""

    variant_id: str
    job_id: str
    status: str


def _saved(test: MediaABTest) -> SavedABTest:
    return SavedABTest(test.pk, test.status, test.wizard_step)


def _locked_test(tenant_id: str, test_id: str) -> MediaABTest:
    test = MediaABTest.objects.select_for_update().filter(tenant_id=tenant_id, pk=test_id).first()
    if test is None:
        raise ABTestNotFound(f"No A/B test {test_id}")
    return test


def _today(tenant_id: str, now: datetime.datetime) -> datetime.date:
    """The tenant's local date (its time zone), as start and end dates are kept."""
    return now.astimezone(ZoneInfo(organisation_time_zone(tenant_id) or "UTC")).date()


def _clean_variants(
    tenant_id: str, raw: Any, errors: FieldErrors, *, known_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """``clean_variants``, then (when they are well formed) their presets: each must be in the
    tenant's library."""
    found = FieldErrors()
    variants = clean_variants(raw, found, known_ids=known_ids)
    if not found:
        for number, variant in enumerate(variants, start=1):
            if variant["preset_id"]:
                try:
                    get_style_preset(tenant_id, variant["preset_id"])
                except PresetNotFound:
                    found.add(f"variants.{number}.preset_id", "No such preset in your library.")
    for field, message in found.errors.items():
        errors.add(field, message)
    return variants


def _values(test: MediaABTest) -> dict[str, Any]:
    fields = ("start_date", "end_date", "primary_metric", "metrics", "bandit_mode")
    return {field: getattr(test, field) for field in fields}


def _sync_variants(test: MediaABTest, variants: list[dict[str, Any]]) -> None:
    """Make the draft's variants exactly ``variants``: kept by id, added, removed, reordered."""
    keep = [v["id"] for v in variants if "id" in v]
    test.variants.exclude(pk__in=keep).delete()
    # Park the kept rows on high positions first so reordering never collides.
    for offset, variant_id in enumerate(keep):
        test.variants.filter(pk=variant_id).update(position=1000 + offset)
    for position, variant in enumerate(variants):
        fields = {k: v for k, v in variant.items() if k != "id"} | {"position": position}
        if "id" in variant:
            test.variants.filter(pk=variant["id"]).update(**fields)
        else:
            MediaABTestVariant.objects.create(test=test, **fields)


def create_media_ab_test(
    *, tenant_id: str, data: Mapping[str, Any], user: Any = None
) -> SavedABTest:
    """Create a test (a draft unless ``data["status"]`` asks to start it at once).

    ``data``: name (required), description, base_prompt, primary_metric (ctr, cvr,
    engagement_rate, cpc), metrics (raw metrics; all five by default), start_date, end_date,
    confidence_threshold, minimum_detectable_effect, adjustment (holm, bh), wizard_step, and
    variants: a list of {name, preset_id, custom_prompt, media_ref, media_cost_micros,
    split_percent} (no split percentages: an equal split).
    """
    if not organisation_exists(tenant_id):
        raise InvalidInput(tenant="No such organisation.")
    errors = FieldErrors()
    fields = {k: v for k, v in data.items() if k not in ("status", "variants")}
    cleaned = clean_test_fields({"name": "", **fields}, errors)
    variants = _clean_variants(tenant_id, data.get("variants") or [], errors)
    values = {"primary_metric": MediaABTest.PrimaryMetric.CTR, "metrics": list(RAW_METRICS)}
    values |= cleaned
    check_test_consistency(values, errors)
    status = data.get("status", Status.DRAFT)
    if status not in Status.values:
        errors.add("status", "Unknown status.")
    errors.raise_if_any()
    with transaction.atomic():
        test = MediaABTest.objects.create(tenant_id=tenant_id, created_by=user, **values)
        _sync_variants(test, variants)
        if status != Status.DRAFT:
            _transition(test, status)
    return _saved(test)


def update_media_ab_test(
    *, tenant_id: str, test_id: str, updates: Mapping[str, Any]
) -> SavedABTest:
    """Edit a test. In a draft: any field, ``variants`` (the whole list; items with an ``id``
    keep that variant) and ``split`` (variant id → percent). Once started only the name,
    description and end date (not after completion); ``status`` moves it through the
    lifecycle after the other changes, all or nothing."""
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        _apply_updates(test, updates)
    return _saved(test)


def _refuse_frozen(test: MediaABTest, updates: Mapping[str, Any]) -> None:
    editable = EDITABLE_ONCE_STARTED[test.status]
    frozen = [k for k in updates if k != "status" and k not in editable]
    if frozen:
        state = test.get_status_display().lower()
        raise InvalidInput(
            {
                field: f"Cannot be changed: the test is {state}"
                + (
                    " (a running test's split changes only by the bandit re-split)."
                    if field == "split"
                    else "."
                )
                for field in frozen
            }
        )


def _apply_updates(test: MediaABTest, updates: Mapping[str, Any]) -> None:
    if test.status != Status.DRAFT:
        _refuse_frozen(test, updates)
    errors = FieldErrors()
    fields = {k: v for k, v in updates.items() if k not in ("status", "variants", "split")}
    cleaned = clean_test_fields(fields, errors)
    variants = None
    if "variants" in updates:
        known = list(test.variants.values_list("pk", flat=True))
        variants = _clean_variants(test.tenant_id, updates["variants"], errors, known_ids=known)
    check_test_consistency(_values(test) | cleaned, errors)
    errors.raise_if_any()
    for field, value in cleaned.items():
        setattr(test, field, value)
    test.save()
    if variants is not None:
        _sync_variants(test, variants)
    if "split" in updates:
        # Checked against the variants as they are now (the list may just have changed); a
        # refusal rolls the whole update back.
        split_errors = FieldErrors()
        ids = list(test.variants.values_list("pk", flat=True))
        split = clean_split(updates["split"], ids, split_errors)
        split_errors.raise_if_any()
        for variant_id, percent in split.items():
            test.variants.filter(pk=variant_id).update(split_percent=percent)
    if "status" in updates and updates["status"] != test.status:
        _transition(test, updates["status"])


def _check_startable(test: MediaABTest) -> None:
    errors = FieldErrors()
    variants = list(test.variants.all())
    check_variant_content([(v.preset_id, v.custom_prompt) for v in variants], errors)
    if not test.name:
        errors.add("name", "Name the test before starting it.")
    check_split([v.split_percent for v in variants], errors)
    if not test.metrics:
        errors.add("metrics", "Choose the metrics to collect.")
    if test.bandit_mode:
        check_bandit_floor(test.bandit_floor_percent, len(variants), errors)
    check_test_consistency(_values(test), errors)
    errors.raise_if_any()


def _transition(test: MediaABTest, status: str) -> None:
    if status not in Status.values:
        raise InvalidInput(status=f"Unknown status {status!r}.")
    if status not in TRANSITIONS[test.status]:
        allowed = " or ".join(TRANSITIONS[test.status]) or "nothing (it is final)"
        raise InvalidInput(
            status=f"A {test.status} test cannot become {status}; it can move to {allowed}."
        )
    now = timezone.now()
    if status == Status.RUNNING and test.status == Status.DRAFT:
        _check_startable(test)
        # Images finished by now count towards the variants' generation cost.
        _attach_finished_media(test)
        test.started_at = now
        test.start_date = test.start_date or _today(test.tenant_id, now)
        for variant in test.variants.all():
            MediaABTestResult.objects.get_or_create(test=test, variant=variant)
        _record_split(test, Reason.START, now)
        if test.bandit_mode:
            ensure_bandit_schedule()
    if status == Status.COMPLETED:
        today = _today(test.tenant_id, now)
        test.completed_at = now
        test.end_date = min(test.end_date or today, today)
    test.status = status
    test.save()
    if status == Status.COMPLETED:
        _store_decision(test)


def transition_media_ab_test(*, tenant_id: str, test_id: str, status: str) -> SavedABTest:
    """Move a test to ``status`` if the lifecycle allows it; otherwise refuse with a message.
    Starting checks the test is complete (two or more variants, a valid split, metrics)."""
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        _transition(test, status)
    return _saved(test)


def _store_decision(test: MediaABTest) -> None:
    """Store each variant's confidence (chance to be best on the primary metric) and the winner
    flag from a fresh analysis."""
    analysis = analyse_media_ab_test(test)
    for result in MediaABTestResult.objects.filter(test=test):
        result.confidence = analysis.confidence_by_variant.get(result.variant_id)
        result.is_winner = result.variant_id == analysis.winner_key
        result.save(update_fields=["confidence", "is_winner", "updated_at"])


def _metric_target(test: MediaABTest, variant_id: str) -> MediaABTestResult:
    variant = test.variants.filter(pk=variant_id).first()
    if variant is None:
        raise ABTestNotFound(f"No variant {variant_id} in this test")
    if test.status == Status.DRAFT:
        raise InvalidInput(status="Metrics can be recorded once the test has started.")
    result, _ = MediaABTestResult.objects.get_or_create(test=test, variant=variant)
    return result


def _write_snapshot(result: MediaABTestResult, snapshot: dict[str, int], source: str) -> None:
    for field, value in snapshot.items():
        setattr(result, field, value)
    result.save()
    MediaABTestMetricSnapshot.objects.create(
        variant_id=result.variant_id, source=source, **snapshot
    )


def _current(result: MediaABTestResult) -> dict[str, int]:
    return {field: getattr(result, field) for field in METRIC_FIELDS}


def update_ab_test_metrics(
    *,
    tenant_id: str,
    test_id: str,
    variant_id: str,
    metrics: Mapping[str, Any],
    source: str = MediaABTestMetricSnapshot.Source.API,
) -> VariantMetrics:
    """Record a variant's cumulative counts (a snapshot: the totals so far, not increments).

    ``metrics``: impressions, clicks, conversions, engagement (engaged impressions) as whole
    numbers, and cost as ``cost_micros`` or ``cost`` in dollars (a decimal string); fields left
    out keep their value. Refused, naming the field: negative numbers, numbers past a 64-bit
    integer, clicks > impressions, conversions > clicks, engagement > impressions. The winner
    flags are recomputed.
    """
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        result = _metric_target(test, variant_id)
        errors = FieldErrors()
        snapshot = clean_metrics(metrics, _current(result), errors)
        errors.raise_if_any()
        _write_snapshot(result, snapshot, source)
        _store_decision(test)
        result.refresh_from_db()
    return VariantMetrics(
        test_id=test.pk,
        variant_id=result.variant_id,
        impressions=result.impressions,
        clicks=result.clicks,
        conversions=result.conversions,
        engagement=result.engagement,
        cost_micros=result.cost_micros,
        is_winner=result.is_winner,
        confidence=result.confidence,
    )


def _csv_rows(content: str | bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return [], [RowError(1, "file", "The file is not UTF-8 text.")]
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "variant" not in header:
        return [], [RowError(1, "variant", "The first line must name the columns, with variant.")]
    allowed = {"variant", *METRIC_FIELDS, "cost"}
    if unknown := [name for name in header if name not in allowed]:
        columns = ", ".join(sorted(allowed))
        return [], [RowError(1, unknown[0], f"Unknown column; the columns are {columns}.")]
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            return [], [
                RowError(reader.line_num, "file", "This row has more cells than the header.")
            ]
        if any((value or "").strip() for value in row.values() if isinstance(value, str)):
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
    if not rows:
        return [], [RowError(2, "file", "The file has no rows of metrics.")]
    if len(rows) > MAX_CSV_ROWS:
        return [], [RowError(1, "file", f"At most {MAX_CSV_ROWS} rows per file.")]
    return rows, []


def import_ab_test_metrics_csv(
    *, tenant_id: str, test_id: str, content: str | bytes
) -> MetricsImportResult:
    """Record cumulative snapshots from a CSV file: a ``variant`` column (its name or id) and
    any of impressions, clicks, conversions, engagement, cost (dollars) or cost_micros.

    Every line is checked first; if any is wrong, the result lists each problem with its line
    and field and nothing is written. A test that cannot take metrics (a draft) refuses the
    upload as a whole: ``InvalidInput`` under ``status``.
    """
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        if test.status == Status.DRAFT:
            raise InvalidInput(status="Metrics can be recorded once the test started.")
        rows, errors = _csv_rows(content)
        if errors:
            return MetricsImportResult(0, tuple(errors))
        variants = {v.pk: v for v in test.variants.all()}
        variants |= {v.name.lower(): v for v in variants.copy().values()}
        seen: set[str] = set()
        planned = []
        for line, row in rows:
            variant = variants.get(row["variant"]) or variants.get(row["variant"].lower())
            if variant is None:
                errors.append(RowError(line, "variant", f"No variant {row['variant']!r}."))
                continue
            if variant.pk in seen:
                errors.append(RowError(line, "variant", "This variant has an earlier row."))
                continue
            seen.add(variant.pk)
            result = MediaABTestResult.objects.filter(test=test, variant=variant).first()
            current = _current(result) if result else {}
            given = {k: v for k, v in row.items() if k != "variant" and v != ""}
            problems = FieldErrors()
            snapshot = clean_metrics(given, current, problems)
            errors += [RowError(line, f, m) for f, m in problems.errors.items()]
            planned.append((variant, snapshot))
        if errors:
            return MetricsImportResult(0, tuple(errors))
        for variant, snapshot in planned:
            result, _ = MediaABTestResult.objects.get_or_create(test=test, variant=variant)
            _write_snapshot(result, snapshot, MediaABTestMetricSnapshot.Source.CSV)
        _store_decision(test)
    return MetricsImportResult(len(planned))


def apply_bandit_split(*, tenant_id: str, test_id: str, split: Mapping[str, Any]) -> SavedABTest:
    """Apply a new split (variant id → percent; typically a Thompson-sampling suggestion) to a
    running test: the one change a running test's split allows. The sample-ratio check then
    counts impressions from this moment against the new split."""
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        if test.status != Status.RUNNING:
            raise InvalidInput(split="The bandit re-split applies to a running test only.")
        variants = {v.pk: v for v in test.variants.all()}
        errors = FieldErrors()
        cleaned = clean_split(split, list(variants), errors)
        errors.raise_if_any()
        impressions = dict(
            MediaABTestResult.objects.filter(test=test).values_list("variant_id", "impressions")
        )
        for variant_id, percent in cleaned.items():
            variant = variants[variant_id]
            variant.split_percent = percent
            variant.impressions_at_split = impressions.get(variant_id, 0)
            variant.save(update_fields=["split_percent", "impressions_at_split"])
        _record_split(test, Reason.MANUAL, timezone.now())
        _store_decision(test)
    return _saved(test)


def _record_split(
    test: MediaABTest,
    reason: str,
    now: datetime.datetime,
    chance_best: Mapping[str, float] | None = None,
) -> MediaABTestSplitChange:
    """Keep the split now in force, with each variant's impressions so far: the sample-ratio
    check compares every period's traffic with its own split, and the results page shows the
    history as a timeline."""
    variants = list(test.variants.all())
    impressions = dict(
        MediaABTestResult.objects.filter(test=test).values_list("variant_id", "impressions")
    )
    return MediaABTestSplitChange.objects.create(
        test=test,
        changed_at=now,
        reason=reason,
        split={v.pk: v.split_percent for v in variants},
        impressions={v.pk: impressions.get(v.pk, 0) for v in variants},
        chance_best_bp={k: round(p * 10_000) for k, p in (chance_best or {}).items()},
    )


# --- bandit mode --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reweighting:
    """A bandit test's new split (``reason`` ``bandit``, or ``stop`` when the stop rule ended
    exploration) and the chances to be best it came from."""

    test_id: str
    reason: str
    split: dict[str, int]
    chance_best: dict[str, float]


@dataclass(frozen=True)
class BanditRun:
    """One pass of the schedule: the tests re-weighted, and how many were looked at."""

    reweighted: tuple[Reweighting, ...]
    looked_at: int


def _bandit_due(test: MediaABTest, now: datetime.datetime) -> bool:
    if not (test.status == Status.RUNNING and test.bandit_mode and test.bandit_stopped_at is None):
        return False
    last = test.split_changes.order_by("-changed_at", "-id").first()
    interval = datetime.timedelta(hours=test.bandit_interval_hours)
    return last is None or last.changed_at + interval <= now


def reweight_bandit_test(
    *, tenant_id: str, test_id: str, now: datetime.datetime | None = None
) -> Reweighting | None:
    """Re-weight one bandit test's split if it is due: running in bandit mode and not stopped,
    its interval passed since the last split change, and every arm at ``BANDIT_MIN_UNITS``
    impressions. The split comes from ``stats.bandit_step`` on the primary metric (top-two
    Thompson sampling, the test's floor per arm); when an arm's chance to be best reaches the
    test's threshold exploration stops for good. Every change is stored; None when not due."""
    now = now or timezone.now()
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        if not _bandit_due(test, now):
            return None
        spec = METRICS[test.primary_metric]
        variants = list(test.variants.all())
        results = {r.variant_id: r for r in MediaABTestResult.objects.filter(test=test)}
        if any(
            v.pk not in results or results[v.pk].impressions < BANDIT_MIN_UNITS for v in variants
        ):
            return None
        arms = [
            (getattr(results[v.pk], spec.numerator), getattr(results[v.pk], spec.denominator))
            for v in variants
        ]
        step = stats.bandit_step(
            arms,
            floor_percent=test.bandit_floor_percent,
            threshold=float(test.confidence_threshold),
        )
        split = {v.pk: percent for v, percent in zip(variants, step.percentages, strict=True)}
        chances = {v.pk: chance for v, chance in zip(variants, step.chances, strict=True)}
        for variant in variants:
            variant.split_percent = split[variant.pk]
            variant.impressions_at_split = results[variant.pk].impressions
            variant.save(update_fields=["split_percent", "impressions_at_split"])
        reason = Reason.STOP if step.stop else Reason.BANDIT
        if step.stop:
            test.bandit_stopped_at = now
            test.save(update_fields=["bandit_stopped_at", "updated_at"])
        _record_split(test, reason, now, chances)
        _store_decision(test)
    return Reweighting(test.pk, reason, split, chances)


def reweight_bandit_tests(*, now: datetime.datetime | None = None) -> BanditRun:
    """The scheduled pass: ``reweight_bandit_test`` for every running bandit test not stopped.
    One test that fails is logged and left for the next pass; the others still move."""
    now = now or timezone.now()
    candidates = list(
        MediaABTest.objects.filter(
            status=Status.RUNNING, bandit_mode=True, bandit_stopped_at=None
        ).values_list("tenant_id", "pk")
    )
    done = []
    for tenant_id, test_id in candidates:
        try:
            done.append(reweight_bandit_test(tenant_id=tenant_id, test_id=test_id, now=now))
        except Exception:
            logger.exception("bandit re-weighting of test %s failed", test_id)
    return BanditRun(tuple(r for r in done if r is not None), len(candidates))


def ensure_bandit_schedule() -> None:
    """The django-q2 schedule that runs ``reweight_bandit_tests`` every
    ``BANDIT_SCHEDULE_MINUTES`` (idempotent; each test's own interval decides when it moves)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=BANDIT_SCHEDULE,
        defaults={
            "func": BANDIT_TASK,
            "schedule_type": Schedule.MINUTES,
            "minutes": BANDIT_SCHEDULE_MINUTES,
            "repeats": -1,
        },
    )


# --- the variants' images ----------------------------------------------------------------------


def _attach_finished_media(test: MediaABTest) -> tuple[str, ...]:
    """Attach each finished job's image to its variant and add what it cost (the tracked
    event's cost): every image made counts. A job is attached once — the conditional update
    clears the variant's job id in the same statement."""
    attached = []
    for variant_id, job in variant_media_jobs(test).items():
        if job.active or not job.media_url:
            continue
        updated = MediaABTestVariant.objects.filter(pk=variant_id, media_job_id=job.job.pk).update(
            media_ref=job.media_url,
            media_cost_micros=F("media_cost_micros") + job.job.cost_micros,
            media_job_id="",
        )
        if updated:
            attached.append(variant_id)
    return tuple(attached)


def attach_variant_media(*, tenant_id: str, test_id: str) -> tuple[str, ...]:
    """Attach the images that queued jobs have finished to the draft's variants; returns the
    ids of the variants that got one. The media worker knows nothing of A/B tests, so the first
    page that sees a finished job (the wizard, its polling fragment, starting the test) calls
    this; calling it again changes nothing. A test that started meanwhile gets nothing."""
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        if test.status != Status.DRAFT:
            return ()
        return _attach_finished_media(test)


def generate_variant_media(
    *,
    tenant_id: str,
    test_id: str,
    variant_id: str,
    user_id: str | None,
    provider: str,
    aspect_ratio: str,
    simulate: bool | None = None,
) -> VariantGeneration:
    """Queue a draft variant's image with the media service — a job a media worker runs (budget
    hold, cost tracking and the duplicate-prompt cache are the service's) — from the test's
    base prompt, the variant's custom prompt and its preset. ``attach_variant_media`` then
    keeps the image's URL on the variant and adds what it cost to the variant's generation cost.

    Refused with ``InvalidInput``: a test that is no longer a draft, no prompt, an image still
    being made for the variant, a budget limit (under ``generate``) and bad generation settings
    (under the generation field, e.g. ``aspect_ratio``); nothing is queued then.
    """
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        variant = test.variants.filter(pk=variant_id).first()
        if variant is None:
            raise ABTestNotFound(f"No variant {variant_id} in test {test_id}")
        if test.status != Status.DRAFT:
            raise InvalidInput(generate="Media is generated while a test is a draft.")
        prompt = " ".join(p for p in (test.base_prompt, variant.custom_prompt) if p).strip()
        if not prompt:
            raise InvalidInput(generate="Write a base prompt or this variant's prompt first.")
        _attach_finished_media(test)
        variant.refresh_from_db()
        pending = get_generation_job(tenant_id, variant.media_job_id)
        if pending is not None and pending.active:
            raise InvalidInput(generate="An image for this variant is being made; wait for it.")
        try:
            job = queue_image_generation(
                tenant_id,
                user_id,
                provider=provider,
                prompt=prompt,
                aspect_ratio=aspect_ratio,
                preset_id=variant.preset_id or None,
                content_id=variant.pk,
                simulate=simulate,
            )
        except BudgetExceeded as refused:
            raise InvalidInput(generate=str(refused)) from None
        test.variants.filter(pk=variant.pk).update(media_job_id=job.pk)
        # A duplicate-prompt cache hit is done already.
        _attach_finished_media(test)
    return VariantGeneration(variant.pk, job.pk, job.status)
