"""The playbook settings form: step parameters as form fields, built from each step type's
parameter spec, and parsed back into the overrides the playbook stores (only what differs from
the template)."""

from dataclasses import dataclass
from typing import Any

from playbooks.executor import STEP_TYPES, StepError, validate_step
from playbooks.executor.base import Param


@dataclass(frozen=True)
class ParamField:
    step_id: str
    name: str
    spec: Param
    value: Any
    input_name: str

    @property
    def kind(self) -> str:
        return self.spec.kind


@dataclass(frozen=True)
class StepFields:
    step_id: str
    step_type: str
    label: str
    fields: list[ParamField]
    error: str = ""


def input_name(step_id: str, name: str) -> str:
    return f"param__{step_id}__{name}"


def step_fields(steps: list[dict], errors: dict[str, str] | None = None) -> list[StepFields]:
    """Fields holding each step's effective parameters (defaults filled in); ``errors`` is a
    refused save's ``InvalidInput.errors`` (keyed by step id for a step's parameters)."""
    result = []
    for position, step in enumerate(steps):
        error = (errors or {}).get(step["id"], "")
        try:
            checked = validate_step(step, position)
            values = checked["params"]
        except StepError as exc:
            error = error or exc.message
            values = step.get("params") or {}
        step_type = STEP_TYPES.types.get(step["type"])
        if step_type is None:
            result.append(StepFields(step["id"], str(step["type"]), "Unknown", [], error))
            continue
        fields = [
            ParamField(step["id"], name, spec, values.get(name), input_name(step["id"], name))
            for name, spec in step_type.params.items()
        ]
        result.append(StepFields(step["id"], step_type.name, step_type.label, fields, error))
    return result


def _parse(spec: Param, data, key: str) -> Any:
    if spec.kind == "list":
        if spec.choices:
            return data.getlist(key)
        return [item.strip() for item in data.get(key, "").split(",") if item.strip()]
    raw = data.get(key)
    if raw is None:
        return None
    raw = raw.strip()
    if spec.kind == "bool":
        return {"true": True, "false": False}.get(raw, raw)
    return raw


def parse_param_overrides(template_steps: list[dict], data) -> dict[str, dict]:
    """Overrides from a submitted form: each parameter whose submitted value differs from the
    template's (validation happens in ``playbook_update``)."""
    overrides: dict[str, dict] = {}
    for step in template_steps:
        step_type = STEP_TYPES.types.get(step["type"])
        if step_type is None:
            continue
        template_params = step.get("params") or {}
        for name, spec in step_type.params.items():
            key = input_name(step["id"], name)
            if key not in data and spec.kind != "list":
                continue
            value = _parse(spec, data, key)
            if value in (None, "") and name not in template_params:
                continue
            default = template_params.get(name, spec.default)
            if value != default and not (spec.kind == "choice" and str(default) == value):
                overrides.setdefault(step["id"], {})[name] = value
    return overrides
