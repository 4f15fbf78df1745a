"""Reconciliation with the providers' bills: what Google and OpenAI billed, per UTC day, against
what we recorded for the calls they served.

Two imports, each all-or-nothing (every row is checked before anything is written; one
transaction writes them) and idempotent (the same file twice is recognised by its digest; a line
already imported from another file is recognised by its key, so overlapping files add nothing
twice):

- ``import_gcp_billing_csv``: Google Cloud billing export rows (the BigQuery standard usage cost
  export, flattened to CSV with dotted column names); rows of the Gemini API service are the bill
  for our Google provider keys, other services' rows are skipped;
- ``import_openai_costs``: the OpenAI organisation costs API's pages (``GET
  /v1/organization/costs``: ``{"object": "page", "data": [buckets], "has_more", "next_page"}``,
  each bucket's ``results`` carrying ``amount: {value, currency}``), as fetched by
  ``fetch_openai_costs`` or saved to a file.

``reconcile`` compares per day and provider: recorded = the cost of real (not simulated) events
created that UTC day by the provider keys the account bills; billed = the imported lines; a day
is flagged when they differ by more than 2% of the billed amount (or one of them is zero).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import requests
from django.db import transaction

from bakedbot.errors import InvalidInput
from costs.models import BilledCost, BillingImport
from costs.money import micros_to_decimal
from costs.stores import get_repository

GOOGLE = "google"
OPENAI = "openai"
# Which provider keys each bill covers.
BILLED_PROVIDERS = {
    GOOGLE: ("gemini-flash", "gemini-pro", "imagen", "veo", "gemini-text"),
    OPENAI: ("sora", "openai-text"),
}
ACCOUNT_OF = {key: account for account, keys in BILLED_PROVIDERS.items() for key in keys}
GEMINI_SERVICES = ("Gemini API", "Generative Language API")
GCP_COLUMNS = (
    "billing_account_id",
    "service.id",
    "service.description",
    "sku.id",
    "sku.description",
    "usage_start_time",
    "usage_end_time",
    "project.id",
    "project.name",
    "project.number",
    "location.location",
    "location.region",
    "cost",
    "cost_type",
    "currency",
    "currency_conversion_rate",
    "usage.amount",
    "usage.unit",
    "usage.amount_in_pricing_units",
    "usage.pricing_unit",
    "invoice.month",
    "export_time",
)
GCP_REQUIRED = ("service.description", "usage_start_time", "cost", "currency")
FLAG_FRACTION = Decimal("0.02")
MAX_IMPORT_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = (10, 30)  # connect, read (seconds): every provider call has a deadline
MAX_PAGES = 1000


@dataclass(frozen=True)
class BillLine:
    key: str
    provider: str
    day: date
    amount_micros: int
    description: str


@dataclass(frozen=True)
class ImportResult:
    name: str
    source: str
    rows: int  # lines of the bill for our providers
    added: int  # lines new to us
    skipped: int  # rows of other services
    already_imported: bool

    @property
    def summary(self) -> str:
        if self.already_imported:
            return f"{self.name} was imported before: nothing changed."
        return (
            f"{self.name}: {self.rows} lines, {self.added} new, "
            f"{self.rows - self.added} already imported, {self.skipped} of other services skipped."
        )


def _micros(value: Any, where: str) -> int:
    text = str(value).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(file=f"{where}: cost {text!r} is not a decimal amount") from None
    if not amount.is_finite() or "e" in text.lower():
        raise InvalidInput(file=f"{where}: cost {text!r} is not a decimal amount")
    return int((amount * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _day(value: str, where: str, column: str) -> date:
    text = value.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(file=f"{where}: {column} {value!r} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).date()


def _keyed(source: str, lines: list[tuple[str, BillLine]]) -> list[BillLine]:
    """Each line keyed by its content and how many identical lines came before it."""
    seen: Counter[str] = Counter()
    keyed = []
    for identity, line in lines:
        seen[identity] += 1
        key = hashlib.sha256(f"{source}|{identity}|{seen[identity]}".encode()).hexdigest()
        keyed.append(BillLine(key, line.provider, line.day, line.amount_micros, line.description))
    return keyed


def parse_gcp_billing_csv(content: bytes) -> tuple[list[BillLine], int]:
    """The Gemini API lines of a billing export and how many other rows were skipped; refused
    (``InvalidInput`` on ``file``) naming the row for unknown columns, bad dates or amounts and
    currencies other than USD."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(file="The file is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in GCP_COLUMNS]
    if unknown:
        raise InvalidInput(file=f"Row 1 (the header): unknown columns: {', '.join(unknown)}")
    missing = [name for name in GCP_REQUIRED if name not in header]
    if missing:
        raise InvalidInput(file=f"Row 1 (the header): missing columns: {', '.join(missing)}")
    lines: list[tuple[str, BillLine]] = []
    skipped = 0
    for number, row in enumerate(reader, start=2):
        where = f"Row {number}"
        if None in row or any(value is None for value in row.values()):
            raise InvalidInput(file=f"{where}: it does not have one value per column")
        if row["service.description"].strip() not in GEMINI_SERVICES:
            skipped += 1
            continue
        if row["currency"].strip().upper() != "USD":
            raise InvalidInput(
                file=f"{where}: currency {row['currency']!r}; only USD bills are imported"
            )
        day = _day(row["usage_start_time"], where, "usage_start_time")
        amount = _micros(row["cost"], where)
        identity = json.dumps([row.get(name, "") for name in GCP_COLUMNS])
        description = (row.get("sku.description") or row["service.description"]).strip()
        lines.append((identity, BillLine("", GOOGLE, day, amount, description[:300])))
    return _keyed("gcp_csv", lines), skipped


def parse_openai_costs(pages: list[Any]) -> list[BillLine]:
    """The lines of the organisation costs API's pages; refused naming the page, bucket and
    result for a bad shape, time, amount or a currency other than USD."""
    lines: list[tuple[str, BillLine]] = []
    for p, page in enumerate(pages, start=1):
        if not isinstance(page, dict) or not isinstance(page.get("data"), list):
            raise InvalidInput(file=f"Page {p}: not an organisation costs page (no data list)")
        for b, bucket in enumerate(page["data"], start=1):
            where = f"Page {p}, bucket {b}"
            start = bucket.get("start_time") if isinstance(bucket, dict) else None
            if isinstance(start, bool) or not isinstance(start, int) or start < 0:
                raise InvalidInput(file=f"{where}: start_time {start!r} is not a Unix time")
            day = datetime.fromtimestamp(start, tz=UTC).date()
            results = bucket.get("results")
            if not isinstance(results, list):
                raise InvalidInput(file=f"{where}: results is not a list")
            for r, result in enumerate(results, start=1):
                at = f"{where}, result {r}"
                amount = result.get("amount") if isinstance(result, dict) else None
                if not isinstance(amount, dict) or "value" not in amount:
                    raise InvalidInput(file=f"{at}: no amount")
                currency = str(amount.get("currency", "")).upper()
                if currency != "USD":
                    raise InvalidInput(
                        file=f"{at}: currency {amount.get('currency')!r}; only USD is imported"
                    )
                value = amount["value"]
                if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
                    raise InvalidInput(file=f"{at}: amount {value!r} is not a decimal amount")
                micros = _micros(value, at)
                identity = json.dumps(
                    [start, result.get("line_item"), result.get("project_id"), str(value)]
                )
                description = str(result.get("line_item") or "OpenAI organisation costs")
                lines.append((identity, BillLine("", OPENAI, day, micros, description[:300])))
    return _keyed("openai_costs", lines)


def load_openai_costs_json(content: bytes) -> list[Any]:
    """A saved page, or a list of pages, with amounts read as decimals (never floats)."""
    try:
        data = json.loads(content.decode("utf-8"), parse_float=Decimal)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(file=f"The file is not JSON: {exc}") from None
    return data if isinstance(data, list) else [data]


def fetch_openai_costs(
    *, base_url: str, api_key: str, start: date, end: date | None = None
) -> list[Any]:
    """Every page of ``GET {base_url}/organization/costs`` from ``start`` (UTC midnight) to
    ``end`` (exclusive), one-day buckets, following ``next_page`` while ``has_more``."""
    params: dict[str, Any] = {
        "start_time": int(datetime.combine(start, time(), tzinfo=UTC).timestamp()),
        "bucket_width": "1d",
        "limit": 31,
    }
    if end is not None:
        params["end_time"] = int(datetime.combine(end, time(), tzinfo=UTC).timestamp())
    pages = []
    with requests.Session() as session:
        for _ in range(MAX_PAGES):
            response = session.get(
                f"{base_url.rstrip('/')}/organization/costs",
                params=params,
                headers={"authorization": f"Bearer {api_key}"},
                timeout=FETCH_TIMEOUT,
            )
            response.raise_for_status()
            page = json.loads(response.text, parse_float=Decimal)
            pages.append(page)
            if not page.get("has_more") or not page.get("next_page"):
                return pages
            params["page"] = page["next_page"]
    raise InvalidInput(file=f"More than {MAX_PAGES} pages of costs: narrow the dates")


def _store(
    *, source: str, name: str, content: bytes, lines: list[BillLine], skipped: int, created_by: Any
) -> ImportResult:
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        if BillingImport.objects.filter(sha256=digest).exists():
            return ImportResult(name, source, len(lines), 0, skipped, True)
        known = set(
            BilledCost.objects.filter(key__in=[line.key for line in lines]).values_list(
                "key", flat=True
            )
        )
        fresh = [line for line in lines if line.key not in known]
        record = BillingImport.objects.create(
            source=source,
            name=name[:200],
            sha256=digest,
            rows=len(fresh),
            created_by=created_by if getattr(created_by, "pk", None) else None,
        )
        BilledCost.objects.bulk_create(
            BilledCost(
                key=line.key,
                billing_import=record,
                provider=line.provider,
                day=line.day,
                amount_micros=line.amount_micros,
                description=line.description,
            )
            for line in fresh
        )
    return ImportResult(name, source, len(lines), len(fresh), skipped, False)


def _check_size(content: bytes) -> None:
    if len(content) > MAX_IMPORT_BYTES:
        raise InvalidInput(file=f"The file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB.")


def import_gcp_billing_csv(*, content: bytes, name: str, created_by: Any = None) -> ImportResult:
    _check_size(content)
    lines, skipped = parse_gcp_billing_csv(content)
    return _store(
        source="gcp_csv",
        name=name,
        content=content,
        lines=lines,
        skipped=skipped,
        created_by=created_by,
    )


def import_openai_costs(*, content: bytes, name: str, created_by: Any = None) -> ImportResult:
    _check_size(content)
    lines = parse_openai_costs(load_openai_costs_json(content))
    return _store(
        source="openai_costs",
        name=name,
        content=content,
        lines=lines,
        skipped=0,
        created_by=created_by,
    )


@dataclass(frozen=True)
class ReconciliationDay:
    day: date
    provider: str  # the billing account: "google" or "openai"
    recorded_micros: int
    billed_micros: int

    @property
    def difference_micros(self) -> int:
        return self.recorded_micros - self.billed_micros

    @property
    def difference_percent(self) -> Decimal | None:
        if not self.billed_micros:
            return None
        return (Decimal(self.difference_micros) * 100 / self.billed_micros).quantize(Decimal("0.1"))

    @property
    def flagged(self) -> bool:
        """Off by more than 2% of the bill (any difference when one side is zero)."""
        if not self.billed_micros:
            return self.recorded_micros != 0
        return abs(self.difference_micros) > FLAG_FRACTION * abs(self.billed_micros)

    @property
    def recorded(self) -> Decimal:
        return micros_to_decimal(self.recorded_micros)

    @property
    def billed(self) -> Decimal:
        return micros_to_decimal(self.billed_micros)

    @property
    def difference(self) -> Decimal:
        return micros_to_decimal(self.difference_micros)


def recorded_by_day(start: date, end: date) -> dict[tuple[date, str], int]:
    """Real (not simulated) spend per UTC day and billing account, from the events: a scan of
    the range's events (``iter_events``, from the end of ``end`` back to ``start``: nothing
    newer is read), whose cost grows with their number; the bills cover days, so ranges are
    short."""
    since = datetime.combine(start, time(), tzinfo=UTC)
    # Newest first from just before midnight after ``end``: "" sorts before every event id.
    until = (datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC), "")
    totals: dict[tuple[date, str], int] = defaultdict(int)
    for event in get_repository().iter_events(since=since, before=until):
        if event.simulated:
            continue
        account = ACCOUNT_OF.get(event.provider)
        if account is not None:
            totals[(event.created_at.date(), account)] += event.cost_micros or 0
    return totals


def reconcile(*, start: date, end: date, billed_only: bool = False) -> list[ReconciliationDay]:
    """Per UTC day and billing account with a bill imported or spend recorded, oldest first.
    ``billed_only``: only days with a bill, reading events only from the first billed day to
    the last (nothing at all without a bill: the CEO tab's section costs no store reads then)."""
    if end < start:
        raise InvalidInput(end_date="end_date must not be before start_date.")
    billed: dict[tuple[date, str], int] = defaultdict(int)
    for day, provider, amount in BilledCost.objects.filter(day__range=(start, end)).values_list(
        "day", "provider", "amount_micros"
    ):
        billed[(day, provider)] += amount
    if billed_only:
        if not billed:
            return []
        start, end = min(day for day, _ in billed), max(day for day, _ in billed)
    recorded = recorded_by_day(start, end)
    if billed_only:
        recorded = {key: value for key, value in recorded.items() if key in billed}
    return [
        ReconciliationDay(
            day, provider, recorded.get((day, provider), 0), billed.get((day, provider), 0)
        )
        for day, provider in sorted(billed.keys() | recorded.keys())
    ]
