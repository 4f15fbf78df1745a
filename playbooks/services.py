"""Writes: seeding the template library, installing and editing playbooks, starting runs
(manual, scheduled, dry runs, re-runs from a step). Execution itself is in ``playbooks.runner``;
the scheduler in ``playbooks.scheduler``."""

import copy
import json
import logging
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bakedbot.models import Organisation
from playbooks import clock
from playbooks.cron import next_slot, validate_cron
from playbooks.executor import StepError, validate_step
from playbooks.library import PLAYBOOK_TEMPLATES
from playbooks.models import Agent, Playbook, PlaybookRun, PlaybookStepResult, PlaybookTemplate

logger = logging.getLogger(__name__)

SEED_FIX = "seed the global templates at /dashboard/ceo/playbooks → “Seed Templates”"


class SeedResult(TypedDict):
    success: bool
    seeded: list[str]
    skipped: list[str]
    errors: list[str]


class InstallResult(TypedDict):
    success: bool
    playbook_id: str | None
    error: str | None


class RunStartResult(TypedDict):
    success: bool
    run_id: str | None
    error: str | None


def missing_template_error(template_id: str, organisation: Organisation) -> str:
    """The original “Missing Template Error”, with its fix."""
    return (
        f"Playbook “{template_id}” is not installed for {organisation.name}. Fix: 1. {SEED_FIX} "
        f"(super admins); 2. install it for the organisation — “Install” on the Playbooks page, "
        f"or install_playbook_template('{template_id}', '{organisation.pk}')."
    )


# --- templates ---------------------------------------------------------------------------------


def template_validate(definition: Any) -> dict:
    """A template definition checked and normalised, or ``ValidationError`` naming the problem."""
    if not isinstance(definition, dict):
        raise ValidationError(f"A template must be an object, not {definition!r}")
    template_id = definition.get("id")
    if not isinstance(template_id, str) or not template_id.strip():
        raise ValidationError("A template needs an id")
    for field in ("name", "agent", "steps"):
        if not definition.get(field):
            raise ValidationError(f"Template “{template_id}”: {field} is required")
    if definition["agent"] not in Agent.values:
        raise ValidationError(
            f"Template “{template_id}”: agent must be one of {', '.join(Agent.values)}"
        )
    schedule = definition.get("schedule") or ""
    if schedule:
        try:
            schedule = validate_cron(schedule)
        except ValidationError as exc:
            raise ValidationError(f"Template “{template_id}”: schedule {exc.messages[0]}") from None
    steps = definition["steps"]
    if not isinstance(steps, list):
        raise ValidationError(f"Template “{template_id}”: steps must be a list")
    ids = [step.get("id") for step in steps if isinstance(step, dict)]
    if len(set(ids)) != len(ids):
        raise ValidationError(f"Template “{template_id}”: step ids must be unique")
    for position, step in enumerate(steps):
        try:
            validate_step(step, position)
        except StepError as exc:
            raise ValidationError(f"Template “{template_id}”: {exc.message}") from None
    return {
        "id": template_id,
        "name": definition["name"],
        "description": definition.get("description", ""),
        "agent": definition["agent"],
        "schedule": schedule,
        "requires_approval": bool(definition.get("requires_approval")),
        # Stored as written (validation fills defaults at run time), so a later default change
        # reaches every installation.
        "steps": copy.deepcopy(steps),
    }


def seed_playbook_templates(definitions: list[dict] | None = None) -> SeedResult:
    """Write the library's templates that are missing; skip existing ones (never overwrite an
    edited template); carry on past a template that fails, reporting it in ``errors``."""
    result: SeedResult = {"success": True, "seeded": [], "skipped": [], "errors": []}
    for definition in PLAYBOOK_TEMPLATES if definitions is None else definitions:
        label = definition.get("id") if isinstance(definition, dict) else repr(definition)
        try:
            with transaction.atomic():
                if PlaybookTemplate.objects.filter(pk=label).exists():
                    result["skipped"].append(label)
                    continue
                data = template_validate(definition)
                PlaybookTemplate.objects.create(**data)
            result["seeded"].append(data["id"])
        except ValidationError as exc:
            result["errors"].append(f"{label}: {'; '.join(exc.messages)}")
        except Exception as exc:
            logger.exception("seeding playbook template %s failed", label)
            result["errors"].append(f"{label}: {exc.__class__.__name__}: {exc}")
    result["success"] = not result["errors"]
    return result


# --- installing and editing --------------------------------------------------------------------


def playbook_steps(playbook: Playbook) -> list[dict]:
    """The template's steps with the playbook's parameter overrides merged in, step by step."""
    steps = []
    for position, step in enumerate(playbook.template.steps):
        # A template edited by hand may lack an id or params; the run still gets a row per step
        # and the step's own validation names what is wrong.
        step_id = str(step.get("id") or f"step-{position + 1}")
        params = step.get("params")
        if isinstance(params, dict):
            params = {**params, **playbook.param_overrides.get(step_id, {})}
        steps.append({"id": step_id, "type": step.get("type"), "params": params})
    return steps


def _next_run_at(playbook: Playbook, organisation: Organisation):
    if not (playbook.enabled and playbook.schedule):
        return None
    return next_slot(playbook.schedule, organisation.tz, clock.now())


def install_playbook_template(template_id: str, org_id: str, *, user=None) -> InstallResult:
    """Install a global template for an organisation (idempotent: installing it again answers
    the existing playbook)."""
    template = PlaybookTemplate.objects.filter(pk=template_id).first()
    if template is None:
        return {
            "success": False,
            "playbook_id": None,
            "error": f"Template “{template_id}” does not exist. Fix: {SEED_FIX}.",
        }
    organisation = Organisation.objects.filter(pk=org_id).first()
    if organisation is None:
        return {
            "success": False,
            "playbook_id": None,
            "error": f"Organisation “{org_id}” does not exist",
        }
    existing = Playbook.objects.filter(organisation=organisation, template=template).first()
    if existing is not None:
        return {"success": True, "playbook_id": existing.pk, "error": None}
    playbook = Playbook(
        organisation=organisation,
        template=template,
        name=template.name,
        enabled=True,
        schedule=template.schedule,
        installed_by=user,
    )
    playbook.next_run_at = _next_run_at(playbook, organisation)
    try:
        with transaction.atomic():
            playbook.save()
    except IntegrityError:
        # Installed by a concurrent request between the check and the insert.
        existing = Playbook.objects.get(organisation=organisation, template=template)
        return {"success": True, "playbook_id": existing.pk, "error": None}
    return {"success": True, "playbook_id": playbook.pk, "error": None}


def playbook_update(
    playbook: Playbook,
    *,
    enabled: bool,
    schedule: str,
    param_overrides: dict[str, dict],
) -> Playbook:
    """Save settings after checking all of them; ``ValidationError`` keyed by field (``schedule``,
    or ``<step id>.<param>``), nothing saved on error."""
    errors: dict[str, list[str]] = {}
    schedule = schedule.strip()
    if schedule:
        try:
            schedule = validate_cron(schedule)
        except ValidationError as exc:
            errors["schedule"] = exc.messages
    elif enabled:
        errors["schedule"] = ["An enabled playbook needs a schedule (or disable it)."]
    step_ids = {step["id"] for step in playbook_steps(playbook)}
    unknown = sorted(set(param_overrides) - step_ids)
    if unknown:
        errors["param_overrides"] = [f"No step “{unknown[0]}” in this playbook."]
    candidate = Playbook(template=playbook.template, param_overrides=param_overrides)
    for position, step in enumerate(playbook_steps(candidate)):
        try:
            validate_step(step, position)
        except StepError as exc:
            errors[step["id"]] = [exc.message]
    if errors:
        raise ValidationError(errors)
    playbook.enabled = enabled
    playbook.schedule = schedule
    playbook.param_overrides = param_overrides
    playbook.next_run_at = _next_run_at(playbook, playbook.organisation)
    playbook.save()
    return playbook


def playbook_set_enabled(playbook: Playbook, *, enabled: bool) -> Playbook:
    """Enable (the next slot from now; slots missed while disabled don't run) or disable."""
    if enabled and not playbook.schedule:
        raise ValidationError({"schedule": ["Set a schedule before enabling the playbook."]})
    playbook.enabled = enabled
    playbook.next_run_at = _next_run_at(playbook, playbook.organisation)
    playbook.save(update_fields=["enabled", "next_run_at", "updated_at"])
    return playbook


# --- starting runs -----------------------------------------------------------------------------


def _enqueue(run_id: str) -> None:
    from django_q.tasks import async_task

    async_task("playbooks.tasks.run_playbook", run_id, task_name=f"playbook run {run_id}")


def start_playbook_run(
    playbook: Playbook,
    *,
    triggered_by: str,
    user=None,
    dry_run: bool = False,
    run_key: str | None = None,
    scheduled_for=None,
    missed_slots: int = 0,
    variables: dict | None = None,
    reuse: dict[str, PlaybookStepResult] | None = None,
    rerun_of: PlaybookRun | None = None,
    rerun_from_step: str = "",
) -> PlaybookRun:
    """Create a queued run with a pending row per step, and hand it to a worker once the
    transaction commits. ``IntegrityError`` when ``run_key`` was already used."""
    steps = playbook_steps(playbook)
    with transaction.atomic():
        run = PlaybookRun(
            playbook=playbook,
            organisation_id=playbook.organisation_id,
            triggered_by=triggered_by,
            user=user,
            dry_run=dry_run,
            scheduled_for=scheduled_for,
            missed_slots=missed_slots,
            steps=steps,
            variables=variables or {},
            rerun_of=rerun_of,
            rerun_from_step=rerun_from_step,
        )
        run.run_key = run_key or f"{triggered_by}:{run.id}"
        run.save()
        rows = []
        for position, step in enumerate(steps):
            earlier = (reuse or {}).get(step["id"])
            rows.append(
                PlaybookStepResult(
                    run=run,
                    position=position,
                    step_id=step["id"],
                    step_type=str(step["type"]),
                    status=(
                        PlaybookStepResult.Status.REUSED
                        if earlier
                        else PlaybookStepResult.Status.PENDING
                    ),
                    result=earlier.result if earlier else {},
                )
            )
        PlaybookStepResult.objects.bulk_create(rows)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


class PlaybookDisabled(Exception):
    """A webhook asked to run a playbook that is switched off."""


WEBHOOK_VARIABLES_MAX_CHARS = 10_000


def webhook_variables_validate(variables: dict) -> dict:
    """A webhook's ``variables`` checked, or ``ValidationError`` keyed by field: JSON of at
    most ``WEBHOOK_VARIABLES_MAX_CHARS`` characters; ``guidance`` (which reaches the caption and
    media prompts) a string of at most 1,000 characters."""
    errors: dict[str, list[str]] = {}
    if len(json.dumps(variables)) > WEBHOOK_VARIABLES_MAX_CHARS:
        errors["variables"] = [f"At most {WEBHOOK_VARIABLES_MAX_CHARS:,} characters of JSON."]
    guidance = variables.get("guidance")
    if guidance is not None and not isinstance(guidance, str):
        errors["variables.guidance"] = ["Must be a string."]
    elif guidance is not None and len(guidance) > 1000:
        errors["variables.guidance"] = ["Keep the guidance under 1,000 characters."]
    if errors:
        raise ValidationError(errors)
    return variables


def start_webhook_run(
    playbook: Playbook,
    *,
    idempotency_key: str | None = None,
    variables: dict | None = None,
    dry_run: bool = False,
) -> tuple[PlaybookRun, bool]:
    """Start a run triggered by a webhook, executed by the worker like Run now. With an
    ``idempotency_key`` (the sender's delivery id) a repeated delivery answers the first run
    (``created`` False) whatever its body says, even if the playbook was disabled since.
    ``PlaybookDisabled`` for a disabled playbook; ``ValidationError`` for bad variables."""
    run_key = f"webhook:{playbook.pk}:{idempotency_key}" if idempotency_key else None
    if run_key:
        existing = PlaybookRun.objects.filter(run_key=run_key).first()
        if existing is not None:
            return existing, False
    if not playbook.enabled:
        raise PlaybookDisabled(
            f"Playbook “{playbook.name}” is disabled: enable it on its Playbooks page to run it "
            "from a webhook."
        )
    variables = webhook_variables_validate(variables or {})
    try:
        run = start_playbook_run(
            playbook,
            triggered_by=PlaybookRun.Trigger.WEBHOOK,
            dry_run=dry_run,
            run_key=run_key,
            variables=variables,
        )
    except IntegrityError:
        if run_key is None:
            raise
        # The same delivery arrived twice at once: the other request started it.
        return PlaybookRun.objects.get(run_key=run_key), False
    return run, True


def run_playbook_template(
    template_id: str, org_id: str, *, user=None, dry_run: bool = False
) -> RunStartResult:
    """Run an organisation's installed template now; the missing-template error (with its fix)
    when it isn't installed."""
    organisation = Organisation.objects.filter(pk=org_id).first()
    if organisation is None:
        return {"success": False, "run_id": None, "error": f"Organisation “{org_id}” not found"}
    playbook = (
        Playbook.objects.select_related("template", "organisation")
        .filter(organisation=organisation, template_id=template_id)
        .first()
    )
    if playbook is None:
        return {
            "success": False,
            "run_id": None,
            "error": missing_template_error(template_id, organisation),
        }
    run = start_playbook_run(
        playbook, triggered_by=PlaybookRun.Trigger.MANUAL, user=user, dry_run=dry_run
    )
    return {"success": True, "run_id": run.pk, "error": None}


def rerun_playbook_run(
    run: PlaybookRun, *, from_step: str, guidance: str = "", user=None
) -> PlaybookRun:
    """Run again from ``from_step`` (with the reviewer's comment as guidance for the caption),
    reusing the earlier steps' results instead of paying for them again."""
    playbook = run.playbook
    steps = playbook_steps(playbook)
    ids = [step["id"] for step in steps]
    if from_step not in ids:
        raise ValidationError({"from_step": [f"No step “{from_step}” in this playbook."]})
    earlier_ids = ids[: ids.index(from_step)]
    done = {
        row.step_id: row
        for row in run.step_results.filter(
            status__in=[PlaybookStepResult.Status.SUCCEEDED, PlaybookStepResult.Status.REUSED]
        )
    }
    missing = [step_id for step_id in earlier_ids if step_id not in done]
    if missing:
        raise ValidationError(
            {
                "from_step": [
                    f"Step “{missing[0]}” did not complete in run {run.pk}, so its result can't "
                    f"be reused: re-run from “{missing[0]}” or earlier."
                ]
            }
        )
    guidance = guidance.strip()
    if len(guidance) > 1000:
        raise ValidationError({"guidance": ["Keep the guidance under 1,000 characters."]})
    variables = {**run.variables}
    if guidance:
        variables["guidance"] = guidance
    return start_playbook_run(
        playbook,
        triggered_by=PlaybookRun.Trigger.MANUAL,
        user=user,
        dry_run=run.dry_run,
        variables=variables,
        reuse={step_id: done[step_id] for step_id in earlier_ids},
        rerun_of=run,
        rerun_from_step=from_step,
    )


def notification_mark_read(notification, *, now) -> None:
    if notification.read_at is None:
        notification.read_at = now
        notification.save(update_fields=["read_at"])
