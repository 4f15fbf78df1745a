"""Rebuild the cost aggregates from the generation events and report what was repaired."""

from django.core.management.base import BaseCommand

from costs.services import recompute_aggregates


class Command(BaseCommand):
    help = (
        "Rebuild daily aggregates and rollups from the generation events (on the configured "
        "COSTS_STORE) and list every aggregate that had to be repaired."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="only this tenant's aggregates (an organisation id)")

    def handle(self, *args, tenant=None, **options):
        report = recompute_aggregates(tenant_id=tenant)
        for line in report.repaired:
            self.stdout.write(f"repaired {line}")
        summary = (
            f"{report.events} events, {report.checked} aggregates checked, "
            f"{len(report.repaired)} repaired"
        )
        self.stdout.write(
            self.style.SUCCESS(summary) if report.clean else self.style.WARNING(summary)
        )
