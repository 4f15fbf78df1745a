"""The A/B-test field rules, for the services (the wizard, the results page's forms, the CSV import
and the API all reach them through the services, so every channel reports the same messages).

Each function cleans what it is given and puts every problem on the caller's ``FieldErrors``
(field name → message; variant fields as ``variants.<n>.<field>``, n counting from 1, as people
do); the service raises them together as ``InvalidInput`` before it writes anything. The value
rules themselves (text, whole numbers, decimals, dates, dollars) are ``bakedbot.validation``'s.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from abtests.analysis import RAW_METRICS, REQUIRED_RAW
from abtests.models import MediaABTest
from bakedbot.errors import FieldErrors
from bakedbot.validation import (
    DOLLARS_MAX,
    clean_date,
    clean_decimal,
    clean_dollars,
    clean_flag,
    clean_text,
    clean_whole_number,
)
from costs.money import decimal_to_micros

NAME_MAX = 120
VARIANT_NAME_MAX = 80
PROMPT_MAX = 4000
DESCRIPTION_MAX = 2000
PRESET_ID_MAX = 64
MEDIA_REF_MAX = 500
MAX_VARIANTS = 10
MIN_SPLIT = 1
WIZARD_STEPS = 4
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
    "bandit_mode",
    "bandit_interval_hours",
    "bandit_floor_percent",
)
COUNT_FIELDS = ("impressions", "clicks", "conversions", "engagement")
METRIC_FIELDS = (*COUNT_FIELDS, "cost_micros")
# Spend in micro-dollars: as much as the dollars field takes.
COST_MICROS_MAX = decimal_to_micros(DOLLARS_MAX)
# Bandit mode: hours between re-weightings, and the smallest share any arm keeps.
BANDIT_INTERVAL_HOURS = (1, 168)
BANDIT_FLOOR_PERCENT = (1, 20)
DECIMAL_RANGES = {
    "confidence_threshold": (Decimal("0.5"), Decimal("0.999")),
    "minimum_detectable_effect": (Decimal("0.0001"), Decimal("0.5")),
}


def _optional_date(value: Any) -> Any:
    return None if value in (None, "") else clean_date(value)


def clean_test_fields(data: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """The test's own fields present in ``data`` (variants and split are cleaned apart)."""
    for field in data:
        if field not in TEST_FIELDS:
            errors.add(field, "Unknown field.")
    cleaned: dict[str, Any] = {}

    def keep(field: str, cleaner, **options) -> None:
        if field in data:
            value = errors.clean(field, cleaner, data[field], **options)
            if field not in errors:
                cleaned[field] = value

    keep("name", clean_text, max_length=NAME_MAX, required=True, label="Test name")
    keep("description", clean_text, max_length=DESCRIPTION_MAX)
    keep("base_prompt", clean_text, max_length=PROMPT_MAX)
    if "primary_metric" in data:
        if data["primary_metric"] in MediaABTest.PrimaryMetric.values:
            cleaned["primary_metric"] = data["primary_metric"]
        else:
            errors.add("primary_metric", "Choose CTR, CVR, engagement rate or CPC.")
    if "metrics" in data:
        metrics = data["metrics"]
        if isinstance(metrics, str) or not isinstance(metrics, Sequence):
            errors.add("metrics", "Choose metrics from a list.")
        elif unknown := [m for m in metrics if m not in RAW_METRICS]:
            choices = ", ".join(RAW_METRICS)
            errors.add("metrics", f"Unknown metric {unknown[0]!r}; choose from {choices}.")
        else:
            cleaned["metrics"] = [m for m in RAW_METRICS if m in metrics]
    keep("start_date", _optional_date)
    keep("end_date", _optional_date)
    for field, (low, high) in DECIMAL_RANGES.items():
        keep(field, clean_decimal, minimum=low, maximum=high)
    if "adjustment" in data:
        if data["adjustment"] in MediaABTest.Adjustment.values:
            cleaned["adjustment"] = data["adjustment"]
        else:
            errors.add("adjustment", "Choose holm or bh.")
    keep("bandit_mode", clean_flag, label="Bandit mode")
    for field, (low, high) in (
        ("bandit_interval_hours", BANDIT_INTERVAL_HOURS),
        ("bandit_floor_percent", BANDIT_FLOOR_PERCENT),
    ):
        keep(field, clean_whole_number, minimum=low, maximum=high)
    if "wizard_step" in data:
        try:
            cleaned["wizard_step"] = clean_whole_number(
                data["wizard_step"], minimum=1, maximum=WIZARD_STEPS
            )
        except ValueError:
            errors.add("wizard_step", f"A wizard step is 1 to {WIZARD_STEPS}.")
    return cleaned


def check_test_consistency(values: Mapping[str, Any], errors: FieldErrors) -> None:
    """Rules across fields, on the test's values after an edit."""
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        errors.add("end_date", "The end date cannot be before the start date.")
    primary, metrics = values.get("primary_metric"), values.get("metrics") or []
    if primary and metrics:
        missing = [m for m in REQUIRED_RAW[primary] if m not in metrics]
        if missing:
            label = MediaABTest.PrimaryMetric(primary).label.split(" (")[0]
            errors.add("metrics", f"The primary metric {label} needs {' and '.join(missing)}.")
    if values.get("bandit_mode") and primary == MediaABTest.PrimaryMetric.CPC:
        errors.add(
            "bandit_mode",
            "Bandit mode works on rates (CTR, CVR, engagement rate), not on CPC.",
        )


def check_bandit_floor(floor_percent: int, variant_count: int, errors: FieldErrors) -> None:
    """Every arm's floor must fit in 100% with room to move."""
    if variant_count and floor_percent * variant_count >= 100:
        errors.add(
            "bandit_floor_percent",
            f"A floor of {floor_percent}% for {variant_count} variants leaves the bandit no "
            "room; lower it.",
        )


def clean_variants(
    variants: Any, errors: FieldErrors, *, known_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """A list of variants (the first is the control). Split percentages are all given or all
    left out (then the split is equal); ``id`` keeps an existing variant."""
    if isinstance(variants, str | Mapping) or not isinstance(variants, Sequence):
        errors.add("variants", "Send the variants as a list.")
        return []
    if len(variants) > MAX_VARIANTS:
        errors.add("variants", f"At most {MAX_VARIANTS} variants.")
        return []
    found = FieldErrors()
    cleaned: list[dict[str, Any]] = []
    seen_names: set[str] = set()
    for number, raw in enumerate(variants, start=1):
        prefix = f"variants.{number}"
        if not isinstance(raw, Mapping):
            found.add(prefix, "Each variant is a set of fields.")
            continue
        variant = {
            "name": found.clean(
                f"{prefix}.name",
                clean_text,
                raw.get("name"),
                max_length=VARIANT_NAME_MAX,
                required=True,
                # Listed together above the form, each message names its variant.
                label="Control name" if number == 1 else f"Variant {number} name",
            ),
            "preset_id": found.clean(
                f"{prefix}.preset_id", clean_text, raw.get("preset_id"), max_length=PRESET_ID_MAX
            ),
            "custom_prompt": found.clean(
                f"{prefix}.custom_prompt",
                clean_text,
                raw.get("custom_prompt"),
                max_length=PROMPT_MAX,
            ),
            "media_ref": found.clean(
                f"{prefix}.media_ref", clean_text, raw.get("media_ref"), max_length=MEDIA_REF_MAX
            ),
            "media_cost_micros": found.clean(
                f"{prefix}.media_cost_micros",
                clean_whole_number,
                raw.get("media_cost_micros") or 0,
            ),
        }
        if raw.get("id"):
            if raw["id"] not in known_ids:
                found.add(f"{prefix}.id", "No such variant in this test.")
            variant["id"] = raw["id"]
        if raw.get("split_percent") not in (None, ""):
            variant["split_percent"] = found.clean(
                f"{prefix}.split_percent", clean_whole_number, raw["split_percent"]
            )
        name = (variant["name"] or "").lower()
        if name and name in seen_names:
            found.add(f"{prefix}.name", "Each variant needs its own name.")
        seen_names.add(name)
        cleaned.append(variant)
    if found:
        for field, message in found.errors.items():
            errors.add(field, message)
        return cleaned
    given = [v for v in cleaned if "split_percent" in v]
    if given and len(given) != len(cleaned):
        errors.add("split", "Give every variant a split percentage, or none for an equal split.")
    elif given:
        check_split([v["split_percent"] for v in cleaned], errors)
    else:
        for variant, percent in zip(cleaned, equal_split(len(cleaned)), strict=True):
            variant["split_percent"] = percent
    return cleaned


def check_variant_content(variants: Sequence[tuple[str, str]], errors: FieldErrors) -> None:
    """What a test needs of its variants before it can run: two or more, each with a preset or a
    custom prompt. ``variants`` are (preset id, custom prompt) pairs in order."""
    if len(variants) < 2:
        errors.add("variants", "A test needs at least two variants.")
    for number, (preset_id, prompt) in enumerate(variants, start=1):
        if not (preset_id.strip() or prompt.strip()):
            errors.add(f"variants.{number}.custom_prompt", "Choose a preset or write a prompt.")


def equal_split(count: int) -> list[int]:
    """100% shared as evenly as whole percentages allow, the extra points to the first arms."""
    if count == 0:
        return []
    base, extra = divmod(100, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def check_split(percentages: Sequence[int], errors: FieldErrors) -> None:
    """The audience split: whole percentages, each at least 1, totalling 100."""
    if not percentages:
        return
    if any(p < MIN_SPLIT for p in percentages):
        errors.add("split", f"Every variant needs at least {MIN_SPLIT}% of the audience.")
    elif sum(percentages) != 100:
        errors.add("split", f"The split must total 100% (it totals {sum(percentages)}%).")


def clean_split(raw: Any, variant_ids: Sequence[str], errors: FieldErrors) -> dict[str, int]:
    """A split given as variant id → percent, for exactly the test's variants."""
    if not isinstance(raw, Mapping):
        errors.add("split", "Send the split as variant id → percent.")
        return {}
    if set(raw) != set(variant_ids):
        errors.add("split", "Give a percentage for each of the test's variants, and only those.")
        return {}
    found = FieldErrors()
    cleaned = {
        variant_id: found.clean(f"split.{variant_id}", clean_whole_number, raw[variant_id])
        for variant_id in variant_ids
    }
    if not found:
        check_split(list(cleaned.values()), found)
    for field, message in found.errors.items():
        errors.add(field, message)
    return {} if found else cleaned


def clean_metrics(metrics: Any, current: Mapping[str, int], errors: FieldErrors) -> dict[str, int]:
    """A cumulative snapshot merged over ``current`` (fields left out keep their value).

    Counts are whole, non-negative and fit a 64-bit integer; cost comes as ``cost_micros`` or as
    dollars in ``cost`` (a decimal string, never a float). Clicks cannot exceed impressions,
    conversions cannot exceed clicks, and engagement (engaged impressions) cannot exceed
    impressions.
    """
    if not isinstance(metrics, Mapping):
        errors.add("metrics", "Send the metrics as field → value.")
        return {}
    found = FieldErrors()
    snapshot = {field: current.get(field, 0) for field in METRIC_FIELDS}
    for field, value in metrics.items():
        if field in COUNT_FIELDS:
            snapshot[field] = found.clean(field, clean_whole_number, value)
        elif field == "cost_micros":
            # Reported under ``cost``: the one spend field a person sees.
            snapshot[field] = found.clean(
                "cost", clean_whole_number, value, maximum=COST_MICROS_MAX
            )
        elif field == "cost":
            dollars = found.clean("cost", clean_dollars, value)
            if dollars is not None:
                snapshot["cost_micros"] = decimal_to_micros(dollars)
        else:
            found.add(field, "Unknown metric.")
    if not found:
        if snapshot["clicks"] > snapshot["impressions"]:
            found.add("clicks", f"Clicks cannot exceed impressions ({snapshot['impressions']:,}).")
        if snapshot["conversions"] > snapshot["clicks"]:
            found.add("conversions", f"Conversions cannot exceed clicks ({snapshot['clicks']:,}).")
        if snapshot["engagement"] > snapshot["impressions"]:
            found.add(
                "engagement",
                f"Engaged impressions cannot exceed impressions ({snapshot['impressions']:,}).",
            )
    for field, message in found.errors.items():
        errors.add(field, message)
    return {} if found else snapshot
