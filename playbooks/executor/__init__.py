"""The step executors (the original ``playbook-executor``), one registry of step types.

Each step type has a parameter spec (validated before the step runs: a bad type or parameter
fails the run at that step with a message naming it) and an executor
``(params, context, runtime) -> StepOutcome``. ``paid`` marks the steps the cost estimate prices.
"""

from playbooks.executor.base import (
    Param,
    PlaybookExecutionContext,
    Registry,
    StepError,
    StepOutcome,
    StepRuntime,
    StepType,
    clean_params,
)
from playbooks.executor.captions import GENERATE_CAPTION_PARAMS, generate_caption
from playbooks.executor.deals import (
    FETCH_DEALS_PARAMS,
    SELECT_PRODUCT_PARAMS,
    fetch_deals,
    select_product,
)
from playbooks.executor.media import (
    GENERATE_IMAGE_PARAMS,
    GENERATE_VIDEO_PARAMS,
    SUBMIT_APPROVAL_PARAMS,
    generate_image,
    generate_video,
    image_provider_for_tier,
    submit_approval,
)
from playbooks.executor.notify import NOTIFY_PARAMS, notify
from playbooks.executor.pricing import (
    ANALYZE_PRICING_PARAMS,
    FETCH_COMPETITOR_PRICES_PARAMS,
    analyze_pricing,
    fetch_competitor_prices,
)
from playbooks.executor.review import REVIEW_PARAMS, review

STEP_TYPES = Registry()
for _step_type in (
    StepType("fetch_deals", "Fetch deals", FETCH_DEALS_PARAMS, fetch_deals),
    StepType("select_product", "Select product", SELECT_PRODUCT_PARAMS, select_product),
    StepType("generate_video", "Generate video", GENERATE_VIDEO_PARAMS, generate_video, paid=True),
    StepType("generate_image", "Generate image", GENERATE_IMAGE_PARAMS, generate_image, paid=True),
    StepType("generate_caption", "Write caption", GENERATE_CAPTION_PARAMS, generate_caption),
    StepType("review", "Review", REVIEW_PARAMS, review),
    StepType("submit_approval", "Submit for approval", SUBMIT_APPROVAL_PARAMS, submit_approval),
    StepType("notify", "Notify", NOTIFY_PARAMS, notify),
    StepType(
        "fetch_competitor_prices",
        "Fetch competitor prices",
        FETCH_COMPETITOR_PRICES_PARAMS,
        fetch_competitor_prices,
    ),
    StepType("analyze_pricing", "Analyse pricing", ANALYZE_PRICING_PARAMS, analyze_pricing),
):
    STEP_TYPES.register(_step_type)


def step_label(step: dict, position: int) -> str:
    return f"Step {position + 1} ({step.get('id', '?')}, {step.get('type', '?')})"


def validate_step(step: object, position: int) -> dict:
    """The step with validated, defaulted params; ``StepError`` naming the step and the problem."""
    if not isinstance(step, dict):
        raise StepError(f"Step {position + 1} is not an object: {step!r}")
    label = step_label(step, position)
    if not isinstance(step.get("id"), str) or not step["id"].strip():
        raise StepError(f"{label}: every step needs an id")
    step_type = STEP_TYPES.get(step.get("type"))
    params = clean_params(label, step_type.params, step.get("params"))
    return {"id": step["id"], "type": step_type.name, "params": params}


__all__ = [
    "STEP_TYPES",
    "Param",
    "PlaybookExecutionContext",
    "StepError",
    "StepOutcome",
    "StepRuntime",
    "StepType",
    "image_provider_for_tier",
    "step_label",
    "validate_step",
]
