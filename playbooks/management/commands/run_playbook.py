from django.core.management.base import BaseCommand, CommandError

from bakedbot.errors import InvalidInput
from playbooks.runner import execute_playbook_run
from playbooks.services import run_playbook_template


class Command(BaseCommand):
    help = (
        "Run an organisation's installed playbook now: queued for the worker, or executed in this "
        "process with --here."
    )

    def add_arguments(self, parser):
        parser.add_argument("template_id")
        parser.add_argument("org_id")
        parser.add_argument("--dry-run", action="store_true", help="simulate; submit nothing")
        parser.add_argument("--here", action="store_true", help="run in this process")

    def handle(self, *args, template_id, org_id, dry_run, here, **options):
        try:
            started = run_playbook_template(template_id=template_id, org_id=org_id, dry_run=dry_run)
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        if here:
            run = execute_playbook_run(started.run_id)
            self.stdout.write(f"{run.pk}: {run.status} {run.error}".rstrip())
        else:
            self.stdout.write(f"queued: {started.run_id}")
