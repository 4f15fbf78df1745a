"""``fetch_competitor_prices`` and ``analyze_pricing``: where our prices sit against the
competitors'.

The price source is an HTTP service (``COMPETITOR_PRICES_URL`` + ``COMPETITOR_PRICES_API_KEY``):
``GET {base}/v1/prices?tenant=<id>[&competitor=..][&category=..]`` answering
``{"prices": [{"competitor", "sku", "product", "price", "observed_at"}]}``. Without a configured
source the step simulates prices around our own (deterministic, marked ``simulated``), like the
media providers do without a key, so a fresh install works offline.
"""

import hashlib
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from costs.money import dollars, micros_to_decimal
from playbooks.executor.base import (
    Param,
    PlaybookExecutionContext,
    StepError,
    StepOutcome,
    StepRuntime,
)
from playbooks.http import CENT, get_json, json_price
from playbooks.models import Product

FETCH_COMPETITOR_PRICES_PARAMS = {
    "competitors": Param("list", default=[], help="only these competitors (optional)"),
    "category": Param("text", max_length=60, default=""),
}
ANALYZE_PRICING_PARAMS = {
    "thresholdPercent": Param(
        "number",
        default="5",
        minimum=Decimal(0),
        maximum=Decimal(100),
        help="a difference within this percentage counts as in line",
    ),
}
SIMULATED_COMPETITORS = ("Simulated competitor A", "Simulated competitor B")


def _simulated_prices(context: PlaybookExecutionContext, params: dict) -> list[dict]:
    products = Product.objects.filter(organisation_id=context.tenant_id, in_stock=True)
    if params["category"]:
        products = products.filter(category__iexact=params["category"])
    competitors = params["competitors"] or list(SIMULATED_COMPETITORS)
    prices = []
    for product in products.order_by("sku"):
        for competitor in competitors:
            digest = hashlib.sha256(f"{product.sku}|{competitor}".encode()).digest()
            # -15 % .. +15 %, the same every time for the same product and competitor.
            change = Decimal(digest[0] % 31 - 15) / 100
            price = micros_to_decimal(product.price_micros) * (1 + change)
            prices.append(
                {
                    "competitor": competitor,
                    "sku": product.sku,
                    "product": product.name,
                    "price": str(price.quantize(CENT, rounding=ROUND_HALF_UP)),
                }
            )
    return prices


def _checked_price(index: int, raw: object) -> dict:
    where = f"Competitor price #{index + 1}"
    if not isinstance(raw, dict):
        raise StepError(f"{where} is not an object")
    competitor = str(raw.get("competitor") or "").strip()
    if not competitor:
        raise StepError(f"{where} has no competitor")
    if not (raw.get("sku") or raw.get("product")):
        raise StepError(f"{where} names no product (sku or product)")
    try:
        price = json_price(raw.get("price"))
    except ValueError:
        raise StepError(
            f"{where} has a price that is not an amount: {raw.get('price')!r}"
        ) from None
    return {
        "competitor": competitor,
        "sku": str(raw.get("sku") or ""),
        "product": str(raw.get("product") or ""),
        "price": price,
        "observed_at": raw.get("observed_at"),
    }


def fetch_competitor_prices(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    if not settings.COMPETITOR_PRICES_URL:
        prices = _simulated_prices(context, params)
        simulated = True
    else:
        query: list[tuple[str, str]] = [("tenant", context.tenant_id)]
        query += [("competitor", name) for name in params["competitors"]]
        if params["category"]:
            query.append(("category", params["category"]))
        payload = get_json(
            settings.COMPETITOR_PRICES_URL.rstrip("/") + "/v1/prices",
            api_key=settings.COMPETITOR_PRICES_API_KEY,
            params=query,
            what="The competitor price source",
        )
        if not isinstance(payload, dict) or not isinstance(payload.get("prices"), list):
            raise StepError("The competitor price source answered without a “prices” list")
        prices = [_checked_price(index, raw) for index, raw in enumerate(payload["prices"])]
        simulated = False
    if not prices:
        raise StepError("No competitor prices found: nothing to compare")
    competitors = sorted({price["competitor"] for price in prices})
    return StepOutcome({"prices": prices, "competitors": competitors, "simulated": simulated})


def _percent(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def analyze_pricing(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    fetched = runtime.result_of(context, "fetch_competitor_prices")
    if not fetched:
        raise StepError("analyze_pricing needs an earlier fetch_competitor_prices step")
    threshold = Decimal(params["thresholdPercent"])
    products = list(Product.objects.filter(organisation_id=context.tenant_id))
    by_sku = {product.sku.lower(): product for product in products}
    by_name = {product.name.lower(): product for product in products}
    observed: dict[int, list[Decimal]] = {}
    unmatched = 0
    for price in fetched["prices"]:
        product = by_sku.get(price["sku"].lower()) or by_name.get(price["product"].lower())
        if product is None:
            unmatched += 1
            continue
        observed.setdefault(product.pk, []).append(Decimal(price["price"]))
    comparisons = []
    for product in products:
        theirs = observed.get(product.pk)
        if not theirs:
            continue
        ours = micros_to_decimal(product.price_micros)
        average = sum(theirs) / len(theirs)
        difference = (ours - average) / average * 100 if average else Decimal(0)
        position = "in_line"
        if difference > threshold:
            position = "above"
        elif difference < -threshold:
            position = "below"
        comparisons.append(
            {
                "sku": product.sku,
                "product": product.name,
                "our_price": dollars(product.price_micros),
                "competitor_min": str(min(theirs).quantize(CENT)),
                "competitor_avg": str(average.quantize(CENT, rounding=ROUND_HALF_UP)),
                "difference_percent": _percent(difference),
                "position": position,
            }
        )
    if not comparisons:
        raise StepError("None of the competitor prices matched one of our products (sku or name)")
    counts = {
        key: sum(1 for c in comparisons if c["position"] == key)
        for key in ("above", "below", "in_line")
    }
    above = sorted(
        (c for c in comparisons if c["position"] == "above"),
        key=lambda c: -Decimal(c["difference_percent"]),
    )
    summary = (
        f"{counts['above']} product(s) priced more than {threshold}% above competitors, "
        f"{counts['below']} below, {counts['in_line']} in line."
    )
    if above:
        top = above[0]
        summary += (
            f" Largest gap: {top['product']} at ${top['our_price']} vs ${top['competitor_avg']} "
            f"average (+{top['difference_percent']}%)."
        )
    return StepOutcome(
        {
            "comparisons": comparisons,
            **counts,
            "unmatched": unmatched,
            "threshold_percent": str(threshold),
            "summary": summary,
        }
    )
