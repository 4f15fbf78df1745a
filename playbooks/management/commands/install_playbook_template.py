from django.core.management.base import BaseCommand, CommandError

from playbooks.services import install_playbook_template


class Command(BaseCommand):
    help = "Install a global playbook template for an organisation."

    def add_arguments(self, parser):
        parser.add_argument("template_id")
        parser.add_argument("org_id")

    def handle(self, *args, template_id, org_id, **options):
        result = install_playbook_template(template_id, org_id)
        if not result["success"]:
            raise CommandError(result["error"])
        self.stdout.write(f"installed: {result['playbook_id']}")
