"""``manage.py costs_import_bill``: import what a provider billed, for reconciliation.

    costs_import_bill --gcp-csv FILE          Google Cloud billing export rows (Gemini API)
    costs_import_bill --openai-json FILE      saved OpenAI organisation costs page(s)
    costs_import_bill --openai-fetch --from DATE [--to DATE]
                                              fetch them from OPENAI_BASE_URL with the admin key
                                              in $OPENAI_ADMIN_KEY

The same file twice changes nothing; a refused file writes nothing (the message names the row).
"""

import json
import os
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bakedbot.errors import InvalidInput
from costs.reconciliation import (
    fetch_openai_costs,
    import_gcp_billing_csv,
    import_openai_costs,
)


def _date(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name} must be a date (YYYY-MM-DD), not {text!r}") from None


class Command(BaseCommand):
    help = "Import a provider's bill (Google Cloud billing CSV or OpenAI organisation costs)."

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--gcp-csv", help="a Google Cloud billing export CSV file")
        source.add_argument("--openai-json", help="saved OpenAI organisation costs JSON")
        source.add_argument("--openai-fetch", action="store_true", help="fetch from OpenAI")
        parser.add_argument("--from", dest="since", help="first UTC date (with --openai-fetch)")
        parser.add_argument("--to", dest="until", help="day after the last (with --openai-fetch)")

    def handle(self, *args, gcp_csv=None, openai_json=None, openai_fetch=False, **options):
        try:
            if gcp_csv:
                result = import_gcp_billing_csv(
                    content=Path(gcp_csv).read_bytes(), name=Path(gcp_csv).name
                )
            elif openai_json:
                result = import_openai_costs(
                    content=Path(openai_json).read_bytes(), name=Path(openai_json).name
                )
            else:
                result = self._fetch(options.get("since"), options.get("until"))
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary)

    def _fetch(self, since, until):
        start = _date(since, "--from")
        if start is None:
            raise CommandError("--openai-fetch needs --from DATE")
        key = os.environ.get("OPENAI_ADMIN_KEY", "")
        if not key:
            raise CommandError("Set OPENAI_ADMIN_KEY to an OpenAI admin key to fetch costs")
        pages = fetch_openai_costs(
            base_url=settings.OPENAI_BASE_URL, api_key=key, start=start, end=_date(until, "--to")
        )
        content = json.dumps(pages, default=str, sort_keys=True).encode()
        return import_openai_costs(content=content, name=f"openai costs from {start}")
