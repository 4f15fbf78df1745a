"""Writes: seeding the template library, installing and editing playbooks, starting runs
(manual, scheduled, dry runs, re-runs from a step). Execution itself is in ``playbooks.runner``;
the scheduler in ``playbooks.scheduler``."""

import copy
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from bakedbot.errors import FieldErrors, InvalidInput
from bakedbot.idempotency import claim_idempotency_key, request_fingerprint
from bakedbot.selectors import OrganisationInfo, get_organisation
from bakedbot.validation import clean_text
from playbooks import clock
from playbooks.cron import next_slot, validate_cron
from playbooks.executor import StepError, validate_step
from playbooks.library import PLAYBOOK_TEMPLATES
from playbooks.models import (
    Agent,
    Playbook,
    PlaybookRun,
    PlaybookStepResult,
    PlaybookTemplate,
)

logger = logging.getLogger(__name__)

SEED_FIX = "seed the global templates at /dashboard/ceo/playbooks → “Seed Templates”"


# A re-run's or a webhook's guidance reaches the caption and media prompts.
GUIDANCE_MAX_CHARS = 1000


@dataclass(frozen=True)
class SeedResult:
    """What ``seed_playbook_templates`` did: a template that failed is reported in ``errors``
    (``"<id>: <why>"``) and the others are still seeded."""

    seeded: tuple[str, ...]
    skipped: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def success(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class InstallResult:
    playbook_id: str


@dataclass(frozen=True)
class RunStartResult:
    run_id: str


@dataclass(frozen=True)
class WebhookRunResult:
    """The webhook's run; ``created`` False when the Idempotency-Key had started it already."""

    run: PlaybookRun
    created: bool


def missing_template_error(template_id: str, organisation: OrganisationInfo) -> str:
    """The original “Missing Template Error”, with its fix."""
    return (
        f"Playbook “{template_id}” is not installed for {organisation.name}. Fix: 1. {SEED_FIX} "
        f"(super admins); 2. install it for the organisation — “Install” on the Playbooks page, "
        f"or install_playbook_template('{template_id}', '{organisation.pk}')."
    )


# --- templates ---------------------------------------------------------------------------------


def template_validate(definition: Any) -> dict:
    """A template definition checked and normalised, or ``InvalidInput`` naming the problem."""
    if not isinstance(definition, dict):
        raise InvalidInput(template=f"A template must be an object, not {definition!r}")
    template_id = definition.get("id")
    if not isinstance(template_id, str) or not template_id.strip():
        raise InvalidInput(id="A template needs an id")
    for field in ("name", "agent", "steps"):
        if not definition.get(field):
            raise InvalidInput({field: f"Template “{template_id}”: {field} is required"})
    if definition["agent"] not in Agent.values:
        raise InvalidInput(
            agent=f"Template “{template_id}”: agent must be one of {', '.join(Agent.values)}"
        )
    schedule = definition.get("schedule") or ""
    if schedule:
        try:
            schedule = validate_cron(schedule)
        except ValueError as exc:
            raise InvalidInput(schedule=f"Template “{template_id}”: schedule {exc}") from None
    steps = definition["steps"]
    if not isinstance(steps, list):
        raise InvalidInput(steps=f"Template “{template_id}”: steps must be a list")
    ids = [step.get("id") for step in steps if isinstance(step, dict)]
    if len(set(ids)) != len(ids):
        raise InvalidInput(steps=f"Template “{template_id}”: step ids must be unique")
    for position, step in enumerate(steps):
        try:
            validate_step(step, position)
        except StepError as exc:
            raise InvalidInput(steps=f"Template “{template_id}”: {exc.message}") from None
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


def seed_playbook_templates(*, definitions: list[dict] | None = None) -> SeedResult:
    """Write the library's templates that are missing (``definitions``: another library, for
    tests); skip existing ones (never overwrite an edited template); carry on past a template
    that fails, reporting it in ``errors``."""
    seeded: list[str] = []
    skipped: list[str] = []
    errors: list[str] = []
    for definition in PLAYBOOK_TEMPLATES if definitions is None else definitions:
        label = definition.get("id") if isinstance(definition, dict) else repr(definition)
        try:
            with transaction.atomic():
                if PlaybookTemplate.objects.filter(pk=label).exists():
                    skipped.append(label)
                    continue
                data = template_validate(definition)
                PlaybookTemplate.objects.create(**data)
            seeded.append(data["id"])
        except InvalidInput as exc:
            errors.append(f"{label}: {'; '.join(exc.errors.values())}")
        except Exception as exc:
            logger.exception("seeding playbook template %s failed", label)
            errors.append(f"{label}: {exc.__class__.__name__}: {exc}")
    return SeedResult(seeded=tuple(seeded), skipped=tuple(skipped), errors=tuple(errors))


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


def _next_run_at(playbook: Playbook, time_zone: str) -> datetime | None:
    if not (playbook.enabled and playbook.schedule):
        return None
    return next_slot(playbook.schedule, ZoneInfo(time_zone), clock.now())


def install_playbook_template(template_id: str, org_id: str, *, user=None) -> InstallResult:
    """Install a global template for an organisation (idempotent: installing it again answers
    the existing playbook). The original ``installPlaybookTemplate(templateId, orgId)``, so its
    two ids stay positional (the missing-template error tells people to call it that way).
    ``InvalidInput`` for an unknown template (with the fix) or organisation."""
    template = PlaybookTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise InvalidInput(template_id=f"Template “{template_id}” does not exist. Fix: {SEED_FIX}.")
    organisation = get_organisation(org_id)
    if organisation is None:
        raise InvalidInput(org_id=f"Organisation “{org_id}” does not exist")
    existing = Playbook.objects.filter(organisation_id=org_id, template=template).first()
    if existing is not None:
        return InstallResult(playbook_id=existing.pk)
    playbook = Playbook(
        organisation_id=org_id,
        template=template,
        name=template.name,
        enabled=True,
        schedule=template.schedule,
        installed_by=user,
    )
    playbook.next_run_at = _next_run_at(playbook, organisation.time_zone)
    try:
        with transaction.atomic():
            playbook.save()
    except IntegrityError:
        # Installed by a concurrent request between the check and the insert.
        existing = Playbook.objects.get(organisation_id=org_id, template=template)
        return InstallResult(playbook_id=existing.pk)
    return InstallResult(playbook_id=playbook.pk)


def playbook_update(
    *,
    playbook: Playbook,
    enabled: bool,
    schedule: str,
    param_overrides: dict[str, dict],
) -> Playbook:
    """Save settings after checking all of them; ``InvalidInput`` keyed by field (``schedule``,
    ``param_overrides``, or a step id for that step's parameters), nothing saved on error."""
    errors = FieldErrors()
    schedule = schedule.strip()
    if schedule:
        schedule = errors.clean("schedule", validate_cron, schedule) or schedule
    elif enabled:
        errors.add("schedule", "An enabled playbook needs a schedule (or disable it).")
    step_ids = {step["id"] for step in playbook_steps(playbook)}
    unknown = sorted(set(param_overrides) - step_ids)
    if unknown:
        errors.add("param_overrides", f"No step “{unknown[0]}” in this playbook.")
    candidate = Playbook(template=playbook.template, param_overrides=param_overrides)
    for position, step in enumerate(playbook_steps(candidate)):
        try:
            validate_step(step, position)
        except StepError as exc:
            errors.add(step["id"], exc.message)
    errors.raise_if_any()
    playbook.enabled = enabled
    playbook.schedule = schedule
    playbook.param_overrides = param_overrides
    playbook.next_run_at = _next_run_at(playbook, playbook.organisation.time_zone)
    playbook.save()
    return playbook


def playbook_set_enabled(*, playbook: Playbook, enabled: bool) -> Playbook:
    """Enable (the next slot from now; slots missed while disabled don't run) or disable."""
    if enabled and not playbook.schedule:
        raise InvalidInput(schedule="Set a schedule before enabling the playbook.")
    playbook.enabled = enabled
    playbook.next_run_at = _next_run_at(playbook, playbook.organisation.time_zone)
    playbook.save(update_fields=["enabled", "next_run_at", "updated_at"])
    return playbook


# --- starting runs -----------------------------------------------------------------------------


def _enqueue(run_id: str) -> None:
    from django_q.tasks import async_task

    async_task("playbooks.tasks.run_playbook", run_id, task_name=f"playbook run {run_id}")


def start_playbook_run(
    *,
    playbook: Playbook,
    triggered_by: str,
    user=None,
    dry_run: bool = False,
    run_key: str | None = None,
    scheduled_for: datetime | None = None,
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
    """A webhook asked to run a playbook that is switched off (not bad input: a conflict)."""


WEBHOOK_VARIABLES_MAX_CHARS = 10_000


def webhook_variables_validate(variables: dict) -> dict:
    """A webhook's ``variables`` checked, or ``InvalidInput`` keyed by field: JSON of at most
    ``WEBHOOK_VARIABLES_MAX_CHARS`` characters; ``guidance`` (which reaches the caption and media
    prompts) text of at most ``GUIDANCE_MAX_CHARS`` characters."""
    errors = FieldErrors()
    if len(json.dumps(variables)) > WEBHOOK_VARIABLES_MAX_CHARS:
        errors.add("variables", f"At most {WEBHOOK_VARIABLES_MAX_CHARS:,} characters of JSON.")
    if "guidance" in variables:
        errors.clean(
            "variables.guidance",
            clean_text,
            variables["guidance"],
            max_length=GUIDANCE_MAX_CHARS,
            strip=False,
        )
    errors.raise_if_any()
    return variables


def start_webhook_run(
    *,
    playbook: Playbook,
    idempotency_key: str | None = None,
    variables: dict | None = None,
    dry_run: bool = False,
) -> WebhookRunResult:
    """Start a run triggered by a webhook, executed by the worker like Run now. With an
    ``idempotency_key`` (the sender's delivery id) a repeated delivery with the same body answers
    the first run (``created`` False), even if the playbook was disabled since; the same key with
    another body raises ``bakedbot.idempotency.IdempotencyKeyReused`` and starts nothing.
    ``PlaybookDisabled`` for a disabled playbook; ``InvalidInput`` for bad variables."""
    variables = variables or {}
    run_key = f"webhook:{playbook.pk}:{idempotency_key}" if idempotency_key else None
    with transaction.atomic():
        # The key and its body's fingerprint are kept in this transaction: a refusal below
        # (disabled, bad variables) leaves no key behind.
        if idempotency_key:
            claim_idempotency_key(
                tenant_id=playbook.organisation_id,
                scope=f"playbook:{playbook.pk}",
                key=idempotency_key,
                fingerprint=request_fingerprint({"variables": variables, "dry_run": dry_run}),
            )
        if run_key:
            # A run of this key started before the fingerprints were kept answers as it did.
            existing = PlaybookRun.objects.filter(run_key=run_key).first()
            if existing is not None:
                return WebhookRunResult(run=existing, created=False)
        if not playbook.enabled:
            raise PlaybookDisabled(
                f"Playbook “{playbook.name}” is disabled: enable it on its Playbooks page to run "
                "it from a webhook."
            )
        variables = webhook_variables_validate(variables)
        run = start_playbook_run(
            playbook=playbook,
            triggered_by=PlaybookRun.Trigger.WEBHOOK,
            dry_run=dry_run,
            run_key=run_key,
            variables=variables,
        )
    return WebhookRunResult(run=run, created=True)


def run_playbook_template(
    template_id: str, org_id: str, *, user=None, dry_run: bool = False
) -> RunStartResult:
    """Run an organisation's installed template now. ``InvalidInput``: the missing-template
    error (with its fix) when it isn't installed, or an unknown organisation."""
    organisation = get_organisation(org_id)
    if organisation is None:
        raise InvalidInput(org_id=f"Organisation “{org_id}” not found")
    playbook = (
        Playbook.objects.select_related("template", "organisation")
        .filter(organisation_id=org_id, template_id=template_id)
        .first()
    )
    if playbook is None:
        raise InvalidInput(template_id=missing_template_error(template_id, organisation))
    run = start_playbook_run(
        playbook=playbook, triggered_by=PlaybookRun.Trigger.MANUAL, user=user, dry_run=dry_run
    )
    return RunStartResult(run_id=run.pk)


def rerun_playbook_run(
    *, run: PlaybookRun, from_step: str, guidance: str = "", user=None
) -> PlaybookRun:
    """Run again from ``from_step`` (with the reviewer's comment as guidance for the caption),
    reusing the earlier steps' results instead of paying for them again. ``InvalidInput``
    (``from_step``, ``guidance``) when that can't be done; nothing is started then."""
    playbook = run.playbook
    steps = playbook_steps(playbook)
    ids = [step["id"] for step in steps]
    if from_step not in ids:
        raise InvalidInput(from_step=f"No step “{from_step}” in this playbook.")
    earlier_ids = ids[: ids.index(from_step)]
    done = {
        row.step_id: row
        for row in run.step_results.filter(
            status__in=[PlaybookStepResult.Status.SUCCEEDED, PlaybookStepResult.Status.REUSED]
        )
    }
    missing = [step_id for step_id in earlier_ids if step_id not in done]
    if missing:
        raise InvalidInput(
            from_step=f"Step “{missing[0]}” did not complete in run {run.pk}, so its result "
            f"can't be reused: re-run from “{missing[0]}” or earlier."
        )
    errors = FieldErrors()
    guidance = errors.clean("guidance", clean_text, guidance, max_length=GUIDANCE_MAX_CHARS)
    errors.raise_if_any()
    variables = {**run.variables}
    if guidance:
        variables["guidance"] = guidance
    return start_playbook_run(
        playbook=playbook,
        triggered_by=PlaybookRun.Trigger.MANUAL,
        user=user,
        dry_run=run.dry_run,
        variables=variables,
        reuse={step_id: done[step_id] for step_id in earlier_ids},
        rerun_of=run,
        rerun_from_step=from_step,
    )
