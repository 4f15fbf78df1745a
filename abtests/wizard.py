"""The four-step wizard's forms: reading each step's POST into service input, and the values and
errors each step shows. The rules themselves are the services'; nothing here writes.

1 basics · 2 variants (preset, custom prompt, generated media with its estimate) · 3 audience
split · 4 metrics and review. Each step is saved to the draft when it is left, so a draft
resumes where it stopped (``MediaABTest.wizard_step`` is the furthest step reached).
"""

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from abtests.analysis import RAW_METRICS
from abtests.models import MediaABTest
from abtests.selectors import ABTestNotFound, variant_media_jobs
from abtests.validation import MAX_VARIANTS, equal_split
from bakedbot.errors import InvalidInput
from bakedbot.validation import clean_whole_number
from media.selectors import (
    GenerationEstimate,
    JobView,
    estimate_generation,
    generation_providers,
    get_generation_job,
    jobs_fingerprint,
)
from presets.domain import ASPECT_RATIOS, PresetPicker, picker_search_name
from presets.selectors import get_preset_picker

STEPS = ((1, "Basics"), (2, "Variants"), (3, "Audience split"), (4, "Metrics and review"))
BASICS = ("name", "description", "base_prompt", "start_date", "end_date")
DECISION = ("primary_metric", "confidence_threshold", "minimum_detectable_effect", "adjustment")
DEFAULT_PROVIDER = "gemini-flash"
DEFAULT_ASPECT_RATIO = "1:1"


def step_of(value: Any, furthest: int) -> int:
    """A requested step, never beyond the furthest one the draft has reached (anything that is
    not a step number: the furthest)."""
    try:
        step = clean_whole_number(value)
    except ValueError:
        return furthest
    return min(max(step, 1), furthest)


def row_index(action: str, prefix: str, count: int) -> int:
    """The variant row an action such as ``remove-2`` or ``generate-0`` names; ``InvalidInput``
    (under ``action``) for anything but the number of a row on the form."""
    try:
        return clean_whole_number(action.removeprefix(prefix), maximum=count - 1)
    except ValueError:
        raise InvalidInput(action="That variant row is not on the form; reload the page.") from None


def basics_from_post(post: QueryDict) -> dict[str, str]:
    return {name: post.get(name, "") for name in BASICS}


def basics_from_test(test: MediaABTest | None) -> dict[str, str]:
    if test is None:
        return dict.fromkeys(BASICS, "")
    values = {name: getattr(test, name) for name in BASICS}
    return {k: "" if v is None else str(v) for k, v in values.items()}


def preset_field(index: int) -> str:
    return f"variant-{index}-preset_id"


def variants_from_post(post: QueryDict) -> list[dict[str, str]]:
    try:
        count = min(clean_whole_number(post.get("variant_count", "0")), MAX_VARIANTS)
    except ValueError:
        count = 0
    return [
        {
            "id": post.get(f"variant-{i}-id", ""),
            "name": post.get(f"variant-{i}-name", ""),
            "preset_id": post.get(preset_field(i), ""),
            "custom_prompt": post.get(f"variant-{i}-custom_prompt", ""),
        }
        for i in range(count)
    ]


def variants_from_test(test: MediaABTest | None) -> list[dict[str, str]]:
    if test is None or not test.variants.exists():
        return [
            {"id": "", "name": "Control", "preset_id": "", "custom_prompt": ""},
            {"id": "", "name": "Variant B", "preset_id": "", "custom_prompt": ""},
        ]
    return [
        {"id": v.pk, "name": v.name, "preset_id": v.preset_id, "custom_prompt": v.custom_prompt}
        for v in test.variants.all()
    ]


def variants_for_service(test: MediaABTest, rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """The rows as ``update_media_ab_test`` variants. A kept variant keeps its generated image
    while its preset and prompt are unchanged (otherwise the image no longer matches) and always
    its generation cost; the split is kept while the set of variants is (else an equal split)."""
    stored = {v.pk: v for v in test.variants.all()}
    same_set = [r["id"] for r in rows] == list(stored) and all(r["id"] for r in rows)
    payload = []
    for row in rows:
        variant: dict[str, Any] = {k: v for k, v in row.items() if k != "id" or v}
        old = stored.get(row["id"])
        if old:
            # What was spent generating stays spent, whatever happens to the image.
            variant["media_cost_micros"] = old.media_cost_micros
            unchanged = (old.preset_id, old.custom_prompt) == (
                row["preset_id"].strip(),
                row["custom_prompt"].strip(),
            )
            variant["media_ref"] = old.media_ref if unchanged else ""
        if same_set and old:
            variant["split_percent"] = old.split_percent
        payload.append(variant)
    return payload


def next_variant_name(rows: list[dict[str, str]]) -> str:
    taken = {r["name"].strip().lower() for r in rows}
    for letter in "BCDEFGHIJKLMNOPQRSTUVWXYZ":
        if f"variant {letter}".lower() not in taken:
            return f"Variant {letter}"
    return f"Variant {len(rows) + 1}"


def split_from_post(post: QueryDict, test: MediaABTest) -> dict[str, str]:
    return {v.pk: post.get(f"split-{v.pk}", "").strip() for v in test.variants.all()}


BANDIT = ("bandit_interval_hours", "bandit_floor_percent")


def bandit_from_post(post: QueryDict) -> dict[str, Any]:
    """Step 3's bandit settings (an unticked box is absent from the post: off; an empty number
    keeps the stored one)."""
    values = {name: post.get(name, "").strip() for name in BANDIT}
    return {"bandit_mode": post.get("bandit_mode") == "on"} | {k: v for k, v in values.items() if v}


def bandit_from_test(test: MediaABTest) -> dict[str, Any]:
    return {"bandit_mode": test.bandit_mode} | {name: str(getattr(test, name)) for name in BANDIT}


def decision_from_post(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {name: post.get(name, "") for name in DECISION}
    values["metrics"] = [m for m in post.getlist("metrics") if m]
    return values


def decision_from_test(test: MediaABTest) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(getattr(test, name)) for name in DECISION}
    values["metrics"] = list(test.metrics)
    return values


@dataclass(frozen=True)
class VariantForm:
    index: int
    id: str
    name: str
    preset_id: str
    custom_prompt: str
    picker: PresetPicker | None
    media_ref: str
    media_cost_micros: int
    errors: dict[str, str]
    # The media job making the variant's next image (its progress, or why it failed).
    job: JobView | None = None

    @property
    def job_fingerprint(self) -> str:
        return jobs_fingerprint([self.job]) if self.job else ""


def preset_searches_from_post(post: QueryDict, count: int) -> list[str]:
    """What each variant row's preset search box holds (its picker's Search button, pressed
    without JavaScript)."""
    return [post.get(picker_search_name(preset_field(i)), "") for i in range(count)]


def variant_forms(
    tenant_id: str,
    test: MediaABTest | None,
    rows: list[dict[str, str]],
    errors: dict[str, str],
    searches: list[str] | None = None,
) -> list[VariantForm]:
    """The variant rows' forms; ``searches`` (by row) narrows each row's preset picker."""
    stored = {v.pk: v for v in test.variants.all()} if test else {}
    jobs = variant_media_jobs(test) if test else {}
    searches = searches or []
    forms = []
    for i, row in enumerate(rows):
        prefix = f"variants.{i + 1}."
        old = stored.get(row["id"])
        forms.append(
            VariantForm(
                index=i,
                id=row["id"],
                name=row["name"],
                preset_id=row["preset_id"],
                custom_prompt=row["custom_prompt"],
                picker=get_preset_picker(
                    tenant_id,
                    selected_id=row["preset_id"],
                    field_name=preset_field(i),
                    search=searches[i] if i < len(searches) else "",
                ),
                media_ref=old.media_ref if old else "",
                media_cost_micros=old.media_cost_micros if old else 0,
                errors={
                    k.removeprefix(prefix): v for k, v in errors.items() if k.startswith(prefix)
                },
                job=jobs.get(row["id"]),
            )
        )
    return forms


def variant_media_form(test: MediaABTest, variant_id: str) -> VariantForm:
    """One stored variant's form, for its image panel alone (the polling fragment)."""
    variant = test.variants.filter(pk=variant_id).first()
    if variant is None:
        raise ABTestNotFound(f"No variant {variant_id} in test {test.pk}")
    return VariantForm(
        index=variant.position,
        id=variant.pk,
        name=variant.name,
        preset_id=variant.preset_id,
        custom_prompt=variant.custom_prompt,
        picker=None,
        media_ref=variant.media_ref,
        media_cost_micros=variant.media_cost_micros,
        errors={},
        job=get_generation_job(test.tenant_id, variant.media_job_id),
    )


@dataclass(frozen=True)
class GenerationSettings:
    provider: str
    aspect_ratio: str
    providers: list = field(default_factory=list)
    aspect_ratios: tuple[str, ...] = ASPECT_RATIOS
    estimate: GenerationEstimate | None = None


def generation_settings(tenant_id: str, post: QueryDict | None) -> GenerationSettings:
    """The image provider and aspect ratio for step 2, and what one image costs with them."""
    providers = [p for p in generation_providers("image") if p.available]
    keys = [p.key for p in providers]
    provider = (post.get("provider") if post else "") or DEFAULT_PROVIDER
    provider = provider if provider in keys else (keys[0] if keys else provider)
    aspect_ratio = (post.get("aspect_ratio") if post else "") or DEFAULT_ASPECT_RATIO
    if aspect_ratio not in ASPECT_RATIOS:
        aspect_ratio = DEFAULT_ASPECT_RATIO
    estimate = (
        estimate_generation(tenant_id, kind="image", provider=provider, aspect_ratio=aspect_ratio)
        if keys
        else None
    )
    return GenerationSettings(provider, aspect_ratio, providers, ASPECT_RATIOS, estimate)


@dataclass(frozen=True)
class SplitRow:
    variant_id: str
    name: str
    percent: str


def split_rows(test: MediaABTest, submitted: dict[str, str] | None) -> list[SplitRow]:
    variants = list(test.variants.all())
    return [
        SplitRow(v.pk, v.name, submitted[v.pk] if submitted else str(v.split_percent))
        for v in variants
    ]


def equal_split_for(test: MediaABTest) -> dict[str, int]:
    ids = list(test.variants.values_list("pk", flat=True))
    return dict(zip(ids, equal_split(len(ids)), strict=True))


METRIC_LABELS = dict(
    zip(
        RAW_METRICS,
        (
            "Impressions",
            "Clicks (CTR)",
            "Conversions (CVR)",
            "Engaged impressions (engagement rate)",
            "Cost (CPC)",
        ),
        strict=True,
    )
)
