"""django-q2 entry points: fetch ids, call a service."""

from playbooks.runner import execute_playbook_run
from playbooks.scheduler import schedule_due_playbooks


def run_playbook(run_id: str) -> str:
    return execute_playbook_run(run_id).status


__all__ = ["run_playbook", "schedule_due_playbooks"]
