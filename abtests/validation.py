"""Cleaning of A/B-test input: each function returns cleaned values and a dict of field errors
(field name → message), so forms, the CSV import and the API report the same messages.

Variant errors are keyed ``variants.<n>.<field>`` (n counts from 1, as people do).
"""

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from abtests.analysis import RAW_METRICS, REQUIRED_RAW
from abtests.models import MediaABTest
from costs.money import decimal_to_micros

NAME_MAX = 120
VARIANT_NAME_MAX = 80
PROMPT_MAX = 4000
DESCRIPTION_MAX = 2000
MAX_VARIANTS = 10
MIN_SPLIT = 1
TEST_FIELDS = (
    "name",
    "description",
    "base_prompt",
    "primary_metric",
    "metrics",
    "start_date",
    "end_date",
    "confidence_threshold",
    "minimum_detectable_effect",
    "adjustment",
    "wizard_step",
)
COUNT_FIELDS = ("impressions", "clicks", "conversions", "engagement")
METRIC_FIELDS = (*COUNT_FIELDS, "cost_micros")
Errors = dict[str, str]


def _text(data: Mapping, field: str, max_length: int, errors: Errors, *, required=False) -> str:
    value = data.get(field) or ""
    if not isinstance(value, str):
        errors[field] = "Must be text."
        return ""
    value = value.strip()
    if required and not value:
        errors[field] = "This field is required."
    elif len(value) > max_length:
        errors[field] = f"At most {max_length} characters."
    return value


def _date(value: Any, field: str, errors: Errors) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = "Enter a date as YYYY-MM-DD."
        return None


def _decimal(value: Any, field: str, low: Decimal, high: Decimal, errors: Errors):
    if isinstance(value, float | bool):
        errors[field] = "Send a decimal string, not a float."
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        errors[field] = "Enter a number."
        return None
    if not (number.is_finite() and low <= number <= high):
        errors[field] = f"Must be between {low} and {high}."
        return None
    return number


def whole_number(value: Any) -> tuple[int | None, str | None]:
    """A non-negative whole number from an int or a digit string, or the reason it is not."""
    if isinstance(value, bool | float | Decimal):
        return None, "Must be a whole number."
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return None, "This field is required."
        try:
            value = int(text)
        except ValueError:
            return None, "Must be a whole number."
    if not isinstance(value, int):
        return None, "Must be a whole number."
    if value < 0:
        return None, "Cannot be negative."
    return value, None


def clean_test_fields(data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The test's own fields present in ``data`` (variants and split are cleaned apart)."""
    cleaned: dict[str, Any] = {}
    errors: Errors = {field: "Unknown field." for field in data if field not in TEST_FIELDS}
    if "name" in data:
        cleaned["name"] = _text(data, "name", NAME_MAX, errors, required=True)
    if "description" in data:
        cleaned["description"] = _text(data, "description", DESCRIPTION_MAX, errors)
    if "base_prompt" in data:
        cleaned["base_prompt"] = _text(data, "base_prompt", PROMPT_MAX, errors)
    if "primary_metric" in data:
        if data["primary_metric"] in MediaABTest.PrimaryMetric.values:
            cleaned["primary_metric"] = data["primary_metric"]
        else:
            errors["primary_metric"] = "Choose CTR, CVR, engagement rate or CPC."
    if "metrics" in data:
        metrics = data["metrics"]
        if isinstance(metrics, str) or not isinstance(metrics, Sequence):
            errors["metrics"] = "Choose metrics from a list."
        elif unknown := [m for m in metrics if m not in RAW_METRICS]:
            choices = ", ".join(RAW_METRICS)
            errors["metrics"] = f"Unknown metric {unknown[0]!r}; choose from {choices}."
        else:
            cleaned["metrics"] = [m for m in RAW_METRICS if m in metrics]
    for field in ("start_date", "end_date"):
        if field in data:
            cleaned[field] = _date(data[field], field, errors)
    if "confidence_threshold" in data:
        cleaned["confidence_threshold"] = _decimal(
            data["confidence_threshold"],
            "confidence_threshold",
            Decimal("0.5"),
            Decimal("0.999"),
            errors,
        )
    if "minimum_detectable_effect" in data:
        cleaned["minimum_detectable_effect"] = _decimal(
            data["minimum_detectable_effect"],
            "minimum_detectable_effect",
            Decimal("0.0001"),
            Decimal("0.5"),
            errors,
        )
    if "adjustment" in data:
        if data["adjustment"] in MediaABTest.Adjustment.values:
            cleaned["adjustment"] = data["adjustment"]
        else:
            errors["adjustment"] = "Choose holm or bh."
    if "wizard_step" in data:
        step, problem = whole_number(data["wizard_step"])
        if problem or not 1 <= step <= 4:
            errors["wizard_step"] = "A wizard step is 1 to 4."
        else:
            cleaned["wizard_step"] = step
    return cleaned, errors


def test_consistency_errors(values: Mapping[str, Any]) -> Errors:
    """Rules across fields, on the test's values after an edit."""
    errors: Errors = {}
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        errors["end_date"] = "The end date cannot be before the start date."
    primary, metrics = values.get("primary_metric"), values.get("metrics") or []
    if primary and metrics:
        missing = [m for m in REQUIRED_RAW[primary] if m not in metrics]
        if missing:
            label = MediaABTest.PrimaryMetric(primary).label.split(" (")[0]
            errors["metrics"] = f"The primary metric {label} needs {' and '.join(missing)}."
    return errors


def clean_variants(
    variants: Any, *, known_ids: Sequence[str] = ()
) -> tuple[list[dict[str, Any]], Errors]:
    """A list of variants (the first is the control). Split percentages are all given or all
    left out (then the split is equal); ``id`` keeps an existing variant."""
    errors: Errors = {}
    if isinstance(variants, str | Mapping) or not isinstance(variants, Sequence):
        return [], {"variants": "Send the variants as a list."}
    if len(variants) > MAX_VARIANTS:
        return [], {"variants": f"At most {MAX_VARIANTS} variants."}
    cleaned: list[dict[str, Any]] = []
    seen_names: set[str] = set()
    for number, raw in enumerate(variants, start=1):
        prefix = f"variants.{number}"
        if not isinstance(raw, Mapping):
            errors[prefix] = "Each variant is a set of fields."
            continue
        problems: Errors = {}
        variant = {
            "name": _text(raw, "name", VARIANT_NAME_MAX, problems, required=True),
            "preset_id": _text(raw, "preset_id", 64, problems),
            "custom_prompt": _text(raw, "custom_prompt", PROMPT_MAX, problems),
            "media_ref": _text(raw, "media_ref", 500, problems),
        }
        if raw.get("id"):
            if raw["id"] not in known_ids:
                problems["id"] = "No such variant in this test."
            variant["id"] = raw["id"]
        cost, problem = whole_number(raw.get("media_cost_micros", 0) or 0)
        if problem:
            problems["media_cost_micros"] = problem
        variant["media_cost_micros"] = cost
        if raw.get("split_percent") not in (None, ""):
            variant["split_percent"], problem = whole_number(raw["split_percent"])
            if problem:
                problems["split_percent"] = problem
        if variant["name"].lower() in seen_names:
            problems["name"] = "Each variant needs its own name."
        seen_names.add(variant["name"].lower())
        errors |= {f"{prefix}.{field}": message for field, message in problems.items()}
        cleaned.append(variant)
    if errors:
        return cleaned, errors
    given = [v for v in cleaned if "split_percent" in v]
    if given and len(given) != len(cleaned):
        errors["split"] = "Give every variant a split percentage, or none for an equal split."
    elif given:
        errors |= split_errors([v["split_percent"] for v in cleaned])
    else:
        for variant, percent in zip(cleaned, equal_split(len(cleaned)), strict=True):
            variant["split_percent"] = percent
    return cleaned, errors


def variant_content_errors(variants: Sequence[tuple[str, str]]) -> Errors:
    """What a test needs of its variants before it can run: two or more, each with a preset or a
    custom prompt. ``variants`` are (preset id, custom prompt) pairs in order."""
    errors: Errors = {}
    if len(variants) < 2:
        errors["variants"] = "A test needs at least two variants."
    for number, (preset_id, prompt) in enumerate(variants, start=1):
        if not (preset_id.strip() or prompt.strip()):
            errors[f"variants.{number}.custom_prompt"] = "Choose a preset or write a prompt."
    return errors


def equal_split(count: int) -> list[int]:
    """100% shared as evenly as whole percentages allow, the extra points to the first arms."""
    if count == 0:
        return []
    base, extra = divmod(100, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def split_errors(percentages: Sequence[int]) -> Errors:
    """The audience split: whole percentages, each at least 1, totalling 100."""
    if not percentages:
        return {}
    if any(p < MIN_SPLIT for p in percentages):
        return {"split": f"Every variant needs at least {MIN_SPLIT}% of the audience."}
    if sum(percentages) != 100:
        return {"split": f"The split must total 100% (it totals {sum(percentages)}%)."}
    return {}


def clean_split(raw: Any, variant_ids: Sequence[str]) -> tuple[dict[str, int], Errors]:
    """A split given as variant id → percent, for exactly the test's variants."""
    if not isinstance(raw, Mapping):
        return {}, {"split": "Send the split as variant id → percent."}
    if set(raw) != set(variant_ids):
        return {}, {"split": "Give a percentage for each of the test's variants, and only those."}
    cleaned: dict[str, int] = {}
    errors: Errors = {}
    for variant_id in variant_ids:
        cleaned[variant_id], problem = whole_number(raw[variant_id])
        if problem:
            errors[f"split.{variant_id}"] = problem
    if errors:
        return {}, errors
    errors = split_errors(list(cleaned.values()))
    return ({} if errors else cleaned), errors


def clean_metrics(metrics: Any, current: Mapping[str, int]) -> tuple[dict[str, int], Errors]:
    """A cumulative snapshot merged over ``current`` (fields left out keep their value).

    Counts are whole and non-negative; cost comes as ``cost_micros`` or as dollars in ``cost``
    (a decimal string, never a float). Clicks cannot exceed impressions, conversions cannot
    exceed clicks, and engagement (engaged impressions) cannot exceed impressions.
    """
    if not isinstance(metrics, Mapping):
        return {}, {"metrics": "Send the metrics as field → value."}
    errors: Errors = {}
    snapshot = {field: current.get(field, 0) for field in METRIC_FIELDS}
    for field, value in metrics.items():
        if field in METRIC_FIELDS:
            snapshot[field], problem = whole_number(value)
        elif field == "cost":
            snapshot["cost_micros"], problem = _dollars(value)
        else:
            problem = "Unknown metric."
        if problem:
            errors["cost" if field == "cost_micros" else field] = problem
    if errors:
        return {}, errors
    if snapshot["clicks"] > snapshot["impressions"]:
        errors["clicks"] = f"Clicks cannot exceed impressions ({snapshot['impressions']:,})."
    if snapshot["conversions"] > snapshot["clicks"]:
        errors["conversions"] = f"Conversions cannot exceed clicks ({snapshot['clicks']:,})."
    if snapshot["engagement"] > snapshot["impressions"]:
        errors["engagement"] = (
            f"Engaged impressions cannot exceed impressions ({snapshot['impressions']:,})."
        )
    return ({} if errors else snapshot), errors


def _dollars(value: Any) -> tuple[int | None, str | None]:
    if isinstance(value, float | bool):
        return None, "Send cost as a decimal string such as 12.50, not a float."
    if isinstance(value, str) and not value.strip():
        return None, "This field is required."
    try:
        micros = decimal_to_micros(str(value).strip().lstrip("$").replace(",", ""))
    except (TypeError, ValueError):
        return None, "Enter an amount in dollars, such as 12.50."
    if micros < 0:
        return None, "Cannot be negative."
    return micros, None
