from django.core.management.base import BaseCommand

from playbooks.scheduler import ensure_scheduler_schedule, schedule_due_playbooks


class Command(BaseCommand):
    help = (
        "Start the runs of due playbooks once (the worker does this every minute), or with "
        "--install create the django-q2 Schedule that does it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--install", action="store_true")

    def handle(self, *args, install, **options):
        if install:
            ensure_scheduler_schedule()
            self.stdout.write("django-q2 schedule in place (every minute)")
            return
        started = schedule_due_playbooks()
        self.stdout.write(f"started: {', '.join(started) or '-'}")
