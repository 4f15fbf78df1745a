from django.core.management.base import BaseCommand, CommandError

from bakedbot.errors import InvalidInput
from playbooks.services import install_playbook_template


class Command(BaseCommand):
    help = "Install a global playbook template for an organisation."

    def add_arguments(self, parser):
        parser.add_argument("template_id")
        parser.add_argument("org_id")

    def handle(self, *args, template_id, org_id, **options):
        try:
            installed = install_playbook_template(template_id=template_id, org_id=org_id)
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"installed: {installed.playbook_id}")
