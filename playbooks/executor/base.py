"""What every step executor shares: the execution context (the original system's shape), the
runtime the runner hands in, the outcome an executor returns, and parameter validation."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from bakedbot.validation import clean_choice, clean_decimal, clean_flag, clean_text


class StepError(Exception):
    """A step failed for a reason the user can read (and act on). ``result`` keeps what the step
    found before failing (for example the review's individual checks)."""

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.message = message
        self.result = result or {}


@dataclass
class PlaybookExecutionContext:
    """The original ``PlaybookExecutionContext``; ``step_results["step-1"]["deals"]``."""

    playbook_id: str
    run_id: str
    tenant_id: str
    user_id: str | None
    triggered_by: str
    variables: dict[str, Any]
    step_results: dict[str, dict[str, Any]]
    start_time: datetime


@dataclass
class StepRuntime:
    """What the runner knows beyond the context: the playbook's steps (to find earlier results by
    type), whether this is a dry run, and the tenant.
    ``rerun``: a re-run from a step asks for new media, never the duplicate-prompt cache's copy
    of what was just rejected."""

    organisation: Any
    playbook_name: str
    steps: list[dict]
    dry_run: bool
    now: datetime
    rerun: bool = False
    step_id: str = ""  # the step being executed (the runner sets it with ``now``)

    def result_of(self, context: PlaybookExecutionContext, *types: str) -> dict | None:
        """The latest earlier step result of one of these step types, or None."""
        for step in reversed(self.steps):
            if step["type"] in types and step["id"] in context.step_results:
                return context.step_results[step["id"]]
        return None

    def results_of(self, context: PlaybookExecutionContext, *types: str) -> list[dict]:
        return [
            context.step_results[step["id"]]
            for step in self.steps
            if step["type"] in types and step["id"] in context.step_results
        ]


@dataclass
class StepOutcome:
    result: dict[str, Any]
    cost_micros: int = 0


# --- parameters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One step parameter: ``choice`` (strings; numbers accepted and turned into strings),
    ``bool``, ``text``, ``number`` (a decimal within bounds), or ``list`` (of choices or text)."""

    kind: str
    choices: tuple[str, ...] = ()
    required: bool = False
    default: Any = None
    help: str = ""
    max_length: int = 500
    minimum: Decimal | None = None
    maximum: Decimal | None = None


ParamSpec = Mapping[str, Param]


def _clean_value(step_label: str, name: str, spec: Param, value: Any) -> Any:
    """One parameter through the shared field rules (``bakedbot.validation``); ``StepError``
    naming the step and the parameter."""
    where = f"{step_label}: parameter “{name}”"
    if spec.kind == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise StepError(f"{where} must be a list of text values; got {value!r}")
        items = [item.strip() for item in value if item.strip()]
        wrong = [item for item in items if spec.choices and item not in spec.choices]
        if wrong:
            raise StepError(f"{where} accepts {', '.join(spec.choices)}; got {', '.join(wrong)}")
        return items
    try:
        if spec.kind == "choice":
            # Templates are JSON: a duration may be written 30 as well as "30".
            if isinstance(value, int) and not isinstance(value, bool):
                value = str(value)
            return clean_choice(value, spec.choices)
        if spec.kind == "bool":
            return clean_flag(value, strict=True)
        if spec.kind == "text":
            return clean_text(value, max_length=spec.max_length, required=spec.required)
        if spec.kind == "number":
            # A JSON number may be a float; these are percentages, never money.
            if isinstance(value, float):
                value = str(value)
            return str(clean_decimal(value, minimum=spec.minimum, maximum=spec.maximum))
    except ValueError as exc:
        given = f" Got {value!r}." if spec.kind in ("choice", "bool") else ""
        raise StepError(f"{where}: {exc}{given}") from None
    raise AssertionError(f"unknown parameter kind {spec.kind}")


def clean_params(step_label: str, spec: ParamSpec, params: Any) -> dict[str, Any]:
    """Validated parameters with defaults filled in, or ``StepError`` naming the parameter."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise StepError(f"{step_label}: parameters must be an object; got {params!r}")
    unknown = sorted(set(params) - set(spec))
    if unknown:
        allowed = ", ".join(spec) or "none"
        raise StepError(
            f"{step_label}: unknown parameter “{unknown[0]}” (allowed parameters: {allowed})"
        )
    cleaned: dict[str, Any] = {}
    for name, param in spec.items():
        value = params.get(name)
        if value is None or value == "":
            if param.required:
                raise StepError(f"{step_label}: parameter “{name}” is required")
            cleaned[name] = param.default
            continue
        cleaned[name] = _clean_value(step_label, name, param, value)
    return cleaned


Executor = Callable[[dict[str, Any], PlaybookExecutionContext, StepRuntime], StepOutcome]


@dataclass(frozen=True)
class StepType:
    name: str
    label: str
    params: ParamSpec
    execute: Executor
    paid: bool = False
    description: str = ""


@dataclass
class Registry:
    types: dict[str, StepType] = field(default_factory=dict)

    def register(self, step_type: StepType) -> None:
        self.types[step_type.name] = step_type

    def get(self, name: Any) -> StepType:
        step_type = self.types.get(name) if isinstance(name, str) else None
        if step_type is None:
            known = ", ".join(sorted(self.types))
            raise StepError(f"Unknown step type “{name}” (known step types: {known})")
        return step_type
