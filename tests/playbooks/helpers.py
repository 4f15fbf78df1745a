from django.utils import timezone

from playbooks.executor import PlaybookExecutionContext, StepRuntime, validate_step


def context_for(org, **changes) -> PlaybookExecutionContext:
    values = {
        "playbook_id": "pb_test",
        "run_id": "run_test",
        "tenant_id": org.pk,
        "user_id": "7",
        "triggered_by": "manual",
        "variables": {},
        "step_results": {},
        "start_time": timezone.now(),
    }
    values.update(changes)
    return PlaybookExecutionContext(**values)


def runtime_for(org, steps=(), *, media=None, text=None, dry_run=False, now=None):
    return StepRuntime(
        organisation=org,
        playbook_name="Test playbook",
        steps=[{"id": s["id"], "type": s["type"]} for s in steps],
        dry_run=dry_run,
        media=media,
        text=text,
        now=now or timezone.now(),
    )


def execute(step: dict, context, runtime):
    """Validate and execute one step the way the runner does."""
    from playbooks.executor import STEP_TYPES

    checked = validate_step(step, 0)
    return STEP_TYPES.get(checked["type"]).execute(checked["params"], context, runtime)
