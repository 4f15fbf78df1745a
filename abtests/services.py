"""Writes: creating and editing tests, the lifecycle, metrics in (form, CSV, API) and the bandit
re-split.

The public names are the original system's API in snake_case, and the results read like its
``{ success, testId?, error? }``: ``error`` is a dict of field name → message, and nothing is
written when there is one. A test id (or variant id) the tenant cannot see raises
``ABTestNotFound``, a 404.

Lifecycle: draft → running → paused ⇄ running → completed. Once started, a test's variants,
split, prompts and metrics are frozen (only its name, description and end date may change)
except for ``apply_bandit_split`` on a running test. Variants and results are written under a
row lock on the test, so concurrent metric updates and transitions serialise.
"""

import csv
import io
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from abtests.analysis import RAW_METRICS
from abtests.models import (
    MediaABTest,
    MediaABTestMetricSnapshot,
    MediaABTestResult,
    MediaABTestVariant,
)
from abtests.selectors import (
    ABTestNotFound,
    analyse_media_ab_test,
    assign_variant,
    get_media_ab_test_results,
    get_media_ab_tests,
)
from abtests.validation import (
    METRIC_FIELDS,
    clean_metrics,
    clean_split,
    clean_test_fields,
    clean_variants,
    split_errors,
    test_consistency_errors,
    variant_content_errors,
)
from bakedbot.errors import InvalidInput
from bakedbot.models import Organisation
from costs.budgets import BudgetExceeded
from media.errors import GenerationBusy
from media.providers.errors import ProviderError
from media.services import generate_image
from presets.domain import PresetNotFound
from presets.selectors import get_style_preset

__all__ = [
    "ABTestNotFound",
    "ABTestResult",
    "ABTestWriteResult",
    "MetricsImportResult",
    "RowError",
    "apply_bandit_split",
    "assign_variant",
    "create_media_ab_test",
    "generate_variant_media",
    "get_media_ab_test_results",
    "get_media_ab_tests",
    "import_ab_test_metrics_csv",
    "transition_media_ab_test",
    "update_ab_test_metrics",
    "update_media_ab_test",
]

Status = MediaABTest.Status
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


class ABTestResult(NamedTuple):
    success: bool
    test_id: str | None
    error: dict[str, str] | None


class ABTestWriteResult(NamedTuple):
    success: bool
    error: dict[str, str] | None


class RowError(NamedTuple):
    line: int
    field: str
    message: str


class MetricsImportResult(NamedTuple):
    success: bool
    rows: int
    errors: list[RowError]


class _Refused(Exception):
    """Raised inside a transaction to roll it back and report ``errors``."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def _locked_test(tenant_id: str, test_id: str) -> MediaABTest:
    test = MediaABTest.objects.select_for_update().filter(tenant_id=tenant_id, pk=test_id).first()
    if test is None:
        raise ABTestNotFound(f"No A/B test {test_id}")
    return test


def _preset_errors(tenant_id: str, variants: list[dict[str, Any]]) -> dict[str, str]:
    errors = {}
    for number, variant in enumerate(variants, start=1):
        if variant["preset_id"]:
            try:
                get_style_preset(tenant_id, variant["preset_id"])
            except PresetNotFound:
                errors[f"variants.{number}.preset_id"] = "No such preset in your library."
    return errors


def _values(test: MediaABTest) -> dict[str, Any]:
    fields = ("start_date", "end_date", "primary_metric", "metrics")
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


def create_media_ab_test(tenant_id: str, data: Mapping[str, Any], *, user=None) -> ABTestResult:
    """Create a test (a draft unless ``data["status"]`` asks to start it at once).

    ``data``: name (required), description, base_prompt, primary_metric (ctr, cvr,
    engagement_rate, cpc), metrics (raw metrics; all five by default), start_date, end_date,
    confidence_threshold, minimum_detectable_effect, adjustment (holm, bh), wizard_step, and
    variants: a list of {name, preset_id, custom_prompt, media_ref, media_cost_micros,
    split_percent} (no split percentages: an equal split).
    """
    if not Organisation.objects.filter(pk=tenant_id).exists():
        return ABTestResult(False, None, {"tenant": "No such organisation."})
    fields = {k: v for k, v in data.items() if k not in ("status", "variants")}
    cleaned, errors = clean_test_fields({"name": "", **fields})
    variants, variant_errors = clean_variants(data.get("variants") or [])
    errors |= variant_errors
    if not variant_errors:
        errors |= _preset_errors(tenant_id, variants)
    values = {"primary_metric": MediaABTest.PrimaryMetric.CTR, "metrics": list(RAW_METRICS)}
    values |= cleaned
    errors = test_consistency_errors(values) | errors
    status = data.get("status", Status.DRAFT)
    if status not in Status.values:
        errors["status"] = "Unknown status."
    if errors:
        return ABTestResult(False, None, errors)
    try:
        with transaction.atomic():
            test = MediaABTest.objects.create(tenant_id=tenant_id, created_by=user, **values)
            _sync_variants(test, variants)
            if status != Status.DRAFT:
                _transition(test, status)
    except _Refused as refused:
        return ABTestResult(False, None, refused.errors)
    return ABTestResult(True, test.pk, None)


def update_media_ab_test(
    tenant_id: str, test_id: str, updates: Mapping[str, Any]
) -> ABTestWriteResult:
    """Edit a test. In a draft: any field, ``variants`` (the whole list; items with an ``id``
    keep that variant) and ``split`` (variant id → percent). Once started only the name,
    description and end date (not after completion); ``status`` moves it through the
    lifecycle after the other changes, all or nothing."""
    try:
        with transaction.atomic():
            test = _locked_test(tenant_id, test_id)
            _apply_updates(test, updates)
    except _Refused as refused:
        return ABTestWriteResult(False, refused.errors)
    return ABTestWriteResult(True, None)


def _apply_updates(test: MediaABTest, updates: Mapping[str, Any]) -> None:
    fields = {k: v for k, v in updates.items() if k not in ("status", "variants", "split")}
    if test.status != Status.DRAFT:
        editable = EDITABLE_ONCE_STARTED[test.status]
        frozen = [k for k in (*fields, "variants", "split") if k in updates and k not in editable]
        if frozen:
            raise _Refused(
                {
                    field: f"Cannot be changed: the test is {test.get_status_display().lower()}"
                    + (
                        " (a running test's split changes only by the bandit re-split)."
                        if field == "split"
                        else "."
                    )
                    for field in frozen
                }
            )
    cleaned, errors = clean_test_fields(fields)
    variants = None
    if "variants" in updates:
        known = list(test.variants.values_list("pk", flat=True))
        variants, variant_errors = clean_variants(updates["variants"], known_ids=known)
        errors |= variant_errors or _preset_errors(test.tenant_id, variants)
    errors |= test_consistency_errors(_values(test) | cleaned)
    if errors:
        raise _Refused(errors)
    for field, value in cleaned.items():
        setattr(test, field, value)
    test.save()
    if variants is not None:
        _sync_variants(test, variants)
    if "split" in updates:
        ids = list(test.variants.values_list("pk", flat=True))
        split, split_problems = clean_split(updates["split"], ids)
        if split_problems:
            raise _Refused(split_problems)
        for variant_id, percent in split.items():
            test.variants.filter(pk=variant_id).update(split_percent=percent)
    if "status" in updates and updates["status"] != test.status:
        _transition(test, updates["status"])


def _start_errors(test: MediaABTest) -> dict[str, str]:
    variants = list(test.variants.all())
    errors = variant_content_errors([(v.preset_id, v.custom_prompt) for v in variants])
    if not test.name:
        errors["name"] = "Name the test before starting it."
    errors |= split_errors([v.split_percent for v in variants])
    if not test.metrics:
        errors["metrics"] = "Choose the metrics to collect."
    return errors | test_consistency_errors(_values(test))


def _transition(test: MediaABTest, status: str) -> None:
    if status not in Status.values:
        raise _Refused({"status": f"Unknown status {status!r}."})
    if status not in TRANSITIONS[test.status]:
        allowed = " or ".join(TRANSITIONS[test.status]) or "nothing (it is final)"
        raise _Refused(
            {"status": f"A {test.status} test cannot become {status}; it can move to {allowed}."}
        )
    now = timezone.now()
    if status == Status.RUNNING and test.status == Status.DRAFT:
        errors = _start_errors(test)
        if errors:
            raise _Refused(errors)
        test.started_at = now
        test.start_date = test.start_date or now.astimezone(test.tenant.tz).date()
        for variant in test.variants.all():
            MediaABTestResult.objects.get_or_create(test=test, variant=variant)
    if status == Status.COMPLETED:
        today = now.astimezone(test.tenant.tz).date()
        test.completed_at = now
        test.end_date = min(test.end_date or today, today)
    test.status = status
    test.save()
    if status == Status.COMPLETED:
        _store_decision(test)


def transition_media_ab_test(tenant_id: str, test_id: str, status: str) -> ABTestWriteResult:
    """Move a test to ``status`` if the lifecycle allows it; otherwise refuse with a message.
    Starting checks the test is complete (two or more variants, a valid split, metrics)."""
    try:
        with transaction.atomic():
            _transition(_locked_test(tenant_id, test_id), status)
    except _Refused as refused:
        return ABTestWriteResult(False, refused.errors)
    return ABTestWriteResult(True, None)


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
        raise _Refused({"status": "Metrics can be recorded once the test has started."})
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
    tenant_id: str,
    test_id: str,
    variant_id: str,
    metrics: Mapping[str, Any],
    *,
    source: str = MediaABTestMetricSnapshot.Source.API,
) -> ABTestWriteResult:
    """Record a variant's cumulative counts (a snapshot: the totals so far, not increments).

    ``metrics``: impressions, clicks, conversions, engagement (engaged impressions) as whole
    numbers, and cost as ``cost_micros`` or ``cost`` in dollars (a decimal string); fields left
    out keep their value. Refused, naming the field: negative numbers, clicks > impressions,
    conversions > clicks, engagement > impressions. The winner flags are recomputed.
    """
    try:
        with transaction.atomic():
            test = _locked_test(tenant_id, test_id)
            result = _metric_target(test, variant_id)
            snapshot, errors = clean_metrics(metrics, _current(result))
            if errors:
                raise _Refused(errors)
            _write_snapshot(result, snapshot, source)
            _store_decision(test)
    except _Refused as refused:
        return ABTestWriteResult(False, refused.errors)
    return ABTestWriteResult(True, None)


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
    tenant_id: str, test_id: str, content: str | bytes
) -> MetricsImportResult:
    """Record cumulative snapshots from a CSV file: a ``variant`` column (its name or id) and
    any of impressions, clicks, conversions, engagement, cost (dollars) or cost_micros.
    Every row is checked first; if any row is wrong, each problem is reported with its line and
    nothing is written."""
    rows, errors = _csv_rows(content)
    if errors:
        return MetricsImportResult(False, 0, errors)
    try:
        with transaction.atomic():
            test = _locked_test(tenant_id, test_id)
            if test.status == Status.DRAFT:
                errors = [RowError(1, "status", "Metrics can be recorded once the test started.")]
                raise _Refused({})
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
                result, _ = MediaABTestResult.objects.get_or_create(test=test, variant=variant)
                given = {k: v for k, v in row.items() if k != "variant" and v != ""}
                snapshot, problems = clean_metrics(given, _current(result))
                errors += [RowError(line, f, m) for f, m in problems.items()]
                planned.append((result, snapshot))
            if errors:
                raise _Refused({})
            for result, snapshot in planned:
                _write_snapshot(result, snapshot, MediaABTestMetricSnapshot.Source.CSV)
            _store_decision(test)
    except _Refused:
        return MetricsImportResult(False, 0, errors)
    return MetricsImportResult(True, len(planned), [])


def apply_bandit_split(tenant_id: str, test_id: str, split: Mapping[str, Any]) -> ABTestWriteResult:
    """Apply a new split (variant id → percent; typically a Thompson-sampling suggestion) to a
    running test: the one change a running test's split allows. The sample-ratio check then
    counts impressions from this moment against the new split."""
    try:
        with transaction.atomic():
            test = _locked_test(tenant_id, test_id)
            if test.status != Status.RUNNING:
                raise _Refused({"split": "The bandit re-split applies to a running test only."})
            variants = {v.pk: v for v in test.variants.all()}
            cleaned, errors = clean_split(split, list(variants))
            if errors:
                raise _Refused(errors)
            impressions = dict(
                MediaABTestResult.objects.filter(test=test).values_list("variant_id", "impressions")
            )
            for variant_id, percent in cleaned.items():
                variant = variants[variant_id]
                variant.split_percent = percent
                variant.impressions_at_split = impressions.get(variant_id, 0)
                variant.save(update_fields=["split_percent", "impressions_at_split"])
            _store_decision(test)
    except _Refused as refused:
        return ABTestWriteResult(False, refused.errors)
    return ABTestWriteResult(True, None)


def generate_variant_media(
    tenant_id: str,
    test_id: str,
    variant_id: str,
    *,
    user_id: str | None,
    provider: str,
    aspect_ratio: str,
    simulate: bool | None = None,
) -> ABTestWriteResult:
    """Generate a draft variant's image with the media service (budget hold, cost tracking and
    the duplicate-prompt cache are the service's) from the test's base prompt, the variant's
    custom prompt and its preset, and keep the image's URL on the variant and add what it cost
    (the tracked event's cost) to the variant's generation cost: every image made counts.

    Refusals (a missing prompt, bad generation settings, a budget limit, a provider error) come
    back as ``error`` under ``generate`` or the generation field; nothing changes then.
    """
    test = MediaABTest.objects.filter(tenant_id=tenant_id, pk=test_id).first()
    variant = test.variants.filter(pk=variant_id).first() if test else None
    if variant is None:
        raise ABTestNotFound(f"No variant {variant_id} in test {test_id}")
    if test.status != Status.DRAFT:
        return ABTestWriteResult(False, {"generate": "Media is generated while a test is a draft."})
    prompt = " ".join(p for p in (test.base_prompt, variant.custom_prompt) if p).strip()
    if not prompt:
        return ABTestWriteResult(
            False, {"generate": "Write a base prompt or this variant's prompt first."}
        )
    try:
        media = generate_image(
            tenant_id,
            user_id,
            provider=provider,
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            preset_id=variant.preset_id or None,
            content_id=variant.pk,
            simulate=simulate,
        )
    except InvalidInput as refused:
        return ABTestWriteResult(False, dict(refused.errors))
    except (BudgetExceeded, GenerationBusy, ProviderError) as failed:
        return ABTestWriteResult(False, {"generate": str(failed)})
    with transaction.atomic():
        test = _locked_test(tenant_id, test_id)
        if test.status != Status.DRAFT:
            message = "The test started while the image was being made; it was not attached."
            return ABTestWriteResult(False, {"generate": message})
        test.variants.filter(pk=variant_id).update(
            media_ref=media.media_url, media_cost_micros=F("media_cost_micros") + media.cost_micros
        )
    return ABTestWriteResult(True, None)
