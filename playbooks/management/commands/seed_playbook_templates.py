from django.core.management.base import BaseCommand, CommandError

from playbooks.services import seed_playbook_templates


class Command(BaseCommand):
    help = "Seed the global playbook templates (skips existing ones)."

    def handle(self, *args, **options):
        result = seed_playbook_templates()
        self.stdout.write(f"seeded: {', '.join(result.seeded) or '-'}")
        self.stdout.write(f"skipped: {', '.join(result.skipped) or '-'}")
        for error in result.errors:
            self.stderr.write(f"error: {error}")
        if not result.success:
            raise CommandError(f"{len(result.errors)} template(s) failed")
