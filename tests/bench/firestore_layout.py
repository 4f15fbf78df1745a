"""Simulation: the Firestore cost store's documents at 1x, 10x and 100x the design load, without an
emulator — a pure model driven by the backend's own layout code (``costs.firestore_layout``: the
round-robin shard cycle, the routing of each increment, the paths; ``counter_fields``/``encode_key``
of ``costs.repository_firestore`` for field names).

    .venv/bin/python tests/bench/firestore_layout.py [--seconds 60] [--seed 7]

For each scale, events arrive as a Poisson stream at the scale's rate for ``--seconds`` seconds;
each is handled by one of P worker processes (each with its own ``ShardCycle``, as in production)
for a tenant drawn from a Zipf(1.1) popularity over the organisations (so the biggest tenant has
about a tenth of the traffic), or all from one tenant for the "one tenant" rows. Every write is
counted per document and per second. Prints JSON per scenario:

- writes: the most writes any document took in one second, the worst document's sustained rate
  over the window (what Firestore's ~1 write/s per document is about), how many documents
  sustained more than 1/s, and the events collection's write rate (new ids of a monotonically
  increasing indexed ``created_at``: Firestore's "500/50/5" ramp starts at 500 writes/s);
- reads: documents read by the 90-day CEO tab and by the biggest tenant's 90 days, worst case
  (three open dates, each shard written), by the arithmetic of costs/README.md;
- sizes: fields, bytes (Firestore's storage-size rules) and index entries of a global shard and a
  global day document after a full day at that rate, against the 1 MiB and 40,000 limits.

Scales: 1x = 50 generations/s over 200 organisations, 10x = 500/s and 100x = 5,000/s over 20,000.
10x and 100x run with the default shard counts and with the counts they need (the settings
``FIRESTORE_TENANT_SHARDS`` and ``FIRESTORE_GLOBAL_SHARDS``, from ``shards_needed``).
"""

import argparse
import bisect
import itertools
import json
import math
import random
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from costs.domain import UsageTotals  # noqa: E402
from costs.firestore_layout import (  # noqa: E402
    DEFAULT_GLOBAL_SHARDS,
    DEFAULT_TENANT_SHARDS,
    Layout,
    ShardCycle,
)
from costs.pricing import IMAGE, IMAGE_EDIT, PROVIDERS, VIDEO  # noqa: E402
from costs.repository_firestore import counter_fields  # noqa: E402

DAY = date(2026, 11, 20)
NOW = datetime.combine(DAY, time(18), tzinfo=UTC)  # the date is open: increments go to shards
MIB = 1024 * 1024
INDEX_ENTRIES_MAX = 40_000
# The events page: 50, the 51st (another page?) and the 52nd (does the 51st share its timestamp?).
EVENTS_PAGE = 52
FIRST_USAGE = 2  # at most one day and one shard document before the earliest usage read

SCALES = {
    "1x": {"rate": 50, "organisations": 200, "processes": 6},
    "10x": {"rate": 500, "organisations": 20_000, "processes": 60},
    "100x": {"rate": 5_000, "organisations": 20_000, "processes": 600},
}


def shards_needed(rate: float) -> int:
    """Shards for ``rate`` increments/s at 0.6 writes/s per document on average: writes from
    many processes arrive like a Poisson stream, so over a minute the busiest of hundreds of
    shards takes about 1.5 times the mean (one process alone puts exactly the mean on each)."""
    return max(1, math.ceil(rate / 0.6))


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    weights = [1 / (k**s) for k in range(1, n + 1)]
    total = sum(weights)
    return [w / total for w in weights]


def simulate_writes(
    layout: Layout,
    *,
    rate: int,
    tenants: list[str],
    weights: list[float] | None,
    processes: int,
    seconds: int,
    rng: random.Random,
) -> dict:
    cycles = [ShardCycle(random.Random(rng.random())) for _ in range(processes)]
    cumulative = list(itertools.accumulate(weights)) if weights else None
    per_second: dict[tuple[str, int], int] = defaultdict(int)
    totals: Counter = Counter()
    events = 0
    t = 0.0
    while True:
        t += rng.expovariate(rate)
        if t >= seconds:
            break
        second = int(t)
        if cumulative is None:
            tenant = tenants[0]
        else:
            tenant = tenants[min(bisect.bisect(cumulative, rng.random()), len(tenants) - 1)]
        cycle = cycles[rng.randrange(processes)]
        events += 1
        for path, _, _ in layout.event_targets(tenant, DAY, now=NOW, cycle=cycle):
            per_second[(path, second)] += 1
            totals[path] += 1
    worst_path, worst_total = totals.most_common(1)[0]
    sustained = {path: n / seconds for path, n in totals.items()}
    tenant_docs = {p: r for p, r in sustained.items() if p.startswith("tenants/")}
    global_docs = {p: r for p, r in sustained.items() if not p.startswith("tenants/")}
    return {
        "events": events,
        "max_writes_in_one_second_on_a_document": max(per_second.values()),
        "worst_document_sustained_writes_per_s": round(worst_total / seconds, 2),
        "worst_tenant_document_writes_per_s": round(max(tenant_docs.values()), 2),
        "worst_global_document_writes_per_s": round(max(global_docs.values()), 2),
        "documents_over_1_write_per_s": sum(1 for r in sustained.values() if r > 1.0),
        "events_collection_writes_per_s": round(events / seconds, 1),
        "events_collection_over_500_per_s_ramp": events / seconds > 500,
        "_worst_path": worst_path,
    }


def organisation_id(rng: random.Random) -> str:
    """An id shaped like ``bakedbot.ids.new_id("org")``."""
    return f"org_{rng.getrandbits(48):012x}"


def expected_distinct(weights: list[float], draws: float) -> float:
    return sum(1 - math.exp(-w * draws) for w in weights)


def document_size(path: str, fields: dict[str, int]) -> int:
    """Firestore's storage size: name + 32, each field name + 1 and an 8-byte integer."""
    fixed = {"date": 11, "shard": 8}
    name = len(path.encode()) + 1 + 16
    body = sum(len(f.encode()) + 1 + 8 for f in fields) + sum(
        len(k) + 1 + v for k, v in fixed.items()
    )
    return name + body + 32


def global_fields(tenants_present: int) -> dict[str, int]:
    one = UsageTotals(1, 1, 1, 1, 1, 1)
    fields = counter_fields(one, "total")
    for provider in PROVIDERS:
        fields.update(counter_fields(one, "provider", provider))
    for kind in (IMAGE, VIDEO, IMAGE_EDIT):
        fields.update(counter_fields(one, "type", kind))
    ids = random.Random(tenants_present)
    for _ in range(tenants_present):
        fields.update(counter_fields(one, "tenant", organisation_id(ids)))
    return fields


def sizes(layout: Layout, *, rate: int, weights: list[float]) -> dict:
    per_day = rate * 86_400
    shard_events = per_day / layout.global_shards
    in_shard = round(expected_distinct(weights, shard_events))
    in_day = round(expected_distinct(weights, per_day))
    result = {}
    for label, present in (("global_shard_after_a_day", in_shard), ("global_day", in_day)):
        fields = global_fields(present)
        size = document_size(f"media_usage_global_shards/{DAY}_0000", fields)
        result[label] = {
            "tenants_counted": present,
            "fields": len(fields) + 2,
            "bytes": size,
            "index_entries": 2 * (len(fields) + 2),
            "within_1_mib": size <= MIB,
            "within_40000_index_entries": 2 * (len(fields) + 2) <= INDEX_ENTRIES_MAX,
        }
    return result


def reads(layout: Layout, *, top_tenant_rate: float) -> dict:
    # Worst case: yesterday, today and tomorrow open (12:00-13:00 UTC), every shard written.
    ceo = 90 + 90 + 3 * layout.global_shards + EVENTS_PAGE + FIRST_USAGE
    # A tenant's own dates with shards: three at worst (far east, around noon UTC).
    per_day = top_tenant_rate * 86_400
    tenant_open = 3 * min(layout.tenant_shards, math.ceil(per_day))
    return {
        "ceo_90_day_documents": ceo,
        "ceo_within_400": ceo <= 400,
        "biggest_tenant_90_day_documents": 90 + tenant_open,
    }


def scenario(name, layout, *, rate, organisations, processes, seconds, rng, one_tenant=False):
    tenants = [organisation_id(rng) for _ in range(organisations)]
    weights = None if one_tenant else zipf_weights(organisations)
    top_rate = rate if one_tenant else rate * weights[0]
    writes = simulate_writes(
        layout,
        rate=rate,
        tenants=tenants,
        weights=weights,
        processes=processes,
        seconds=seconds,
        rng=rng,
    )
    writes.pop("_worst_path")
    return {
        "scenario": name,
        "rate_per_s": rate,
        "organisations": 1 if one_tenant else organisations,
        "biggest_tenant_per_s": round(top_rate, 1),
        "processes": processes,
        "tenant_shards": layout.tenant_shards,
        "global_shards": layout.global_shards,
        "writes": writes,
        "reads": reads(layout, top_tenant_rate=top_rate),
        "sizes": sizes(layout, rate=rate, weights=weights or [1.0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    defaults = Layout(DEFAULT_TENANT_SHARDS, DEFAULT_GLOBAL_SHARDS)
    results = []
    for rate in (20, 50):
        results.append(
            scenario(
                f"1x, one tenant at {rate}/s",
                defaults,
                rate=rate,
                organisations=1,
                processes=6,
                seconds=args.seconds,
                rng=rng,
                one_tenant=True,
            )
        )
    for name, scale in SCALES.items():
        layouts = [("default shard counts", defaults)]
        if name != "1x":
            top = scale["rate"] * zipf_weights(scale["organisations"])[0]
            sized = Layout(
                tenant_shards=max(DEFAULT_TENANT_SHARDS, shards_needed(top)),
                global_shards=max(DEFAULT_GLOBAL_SHARDS, shards_needed(scale["rate"])),
            )
            layouts.append(("shard counts for the scale", sized))
        for label, layout in layouts:
            results.append(
                scenario(f"{name}, {label}", layout, seconds=args.seconds, rng=rng, **scale)
            )
    print(json.dumps({"benchmark": "Firestore layout simulation", "scenarios": results}, indent=2))


if __name__ == "__main__":
    main()
