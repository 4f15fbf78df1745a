"""``manage.py costs_reprice --from DATE [--dry-run]``: re-price events recorded from DATE under
the price book as it stands now (after a correction), with their aggregates; prints what changed."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from costs.money import micros_to_decimal
from costs.reprice import reprice_events


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--from must be a date (YYYY-MM-DD), not {text!r}") from None


class Command(BaseCommand):
    help = "Re-price events recorded from a date under the current price book versions."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="since", required=True, help="YYYY-MM-DD (UTC)")
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing")

    def handle(self, *args, since: str, dry_run: bool, **options):
        report = reprice_events(since=_date(since), dry_run=dry_run)
        out = self.stdout
        out.write(
            f"{'Dry run: ' if dry_run else ''}{report.examined} events from {report.since} "
            f"examined, {len(report.changes)} to re-price, "
            f"{report.applied} re-priced; difference ${micros_to_decimal(report.delta_micros)}"
        )
        for (provider, old, new), (count, delta) in report.by_version().items():
            out.write(f"  {provider}: {count} events {old} -> {new}: ${micros_to_decimal(delta)}")
        for change in report.changes:
            out.write(
                f"  {change.event.id} ({change.event.tenant_id}, {change.event.provider} "
                f"{change.event.model}): ${micros_to_decimal(change.event.cost_micros or 0)} -> "
                f"${micros_to_decimal(change.cost_micros)}"
            )
        for reason, count in sorted(report.skipped.items()):
            out.write(f"  left alone: {count} ({reason})")
