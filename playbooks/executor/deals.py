"""``fetch_deals`` and ``select_product``: what the content is about."""

from django.conf import settings
from django.db import transaction
from django.db.models import F

from costs.money import dollars
from playbooks.executor.base import (
    Param,
    PlaybookExecutionContext,
    StepError,
    StepOutcome,
    StepRuntime,
)
from playbooks.http import get_json, json_price
from playbooks.models import Deal, Product

FETCH_DEALS_PARAMS = {
    "source": Param(
        "choice",
        choices=("firestore", "pos"),
        required=True,
        help="firestore: the deals stored for this organisation; pos: the point-of-sale system",
    ),
}


def _store_deal(deal: Deal) -> dict:
    return {
        "id": f"deal_{deal.pk}",
        "title": deal.title,
        "description": deal.description,
        "discount_percent": deal.discount_percent,
        "deal_price": dollars(deal.deal_price_micros) if deal.deal_price_micros else None,
        "product": deal.product.name if deal.product else None,
        "sku": deal.product.sku if deal.product else None,
        "starts_on": deal.starts_on.isoformat(),
        "ends_on": deal.ends_on.isoformat(),
        "source": "firestore",
    }


def _pos_deal(index: int, raw: object) -> dict:
    where = f"POS deal #{index + 1}"
    if not isinstance(raw, dict) or not str(raw.get("title") or "").strip():
        raise StepError(f"{where} has no title")
    price = raw.get("price")
    if price is not None:
        try:
            price = json_price(price)
        except ValueError:
            raise StepError(f"{where} has a price that is not an amount: {price!r}") from None
    discount = raw.get("discount_percent")
    if discount is not None and (
        isinstance(discount, bool) or not isinstance(discount, int) or not 0 <= discount <= 100
    ):
        raise StepError(f"{where} has a discount_percent that is not 0-100: {discount!r}")
    product = raw.get("product") if isinstance(raw.get("product"), dict) else {}
    return {
        "id": f"pos_{raw.get('id', index + 1)}",
        "title": str(raw["title"]).strip(),
        "description": str(raw.get("description") or "").strip(),
        "discount_percent": discount,
        "deal_price": price,
        "product": product.get("name"),
        "sku": product.get("sku"),
        "starts_on": raw.get("starts_on"),
        "ends_on": raw.get("ends_on"),
        "source": "pos",
    }


def fetch_deals(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    today = runtime.now.astimezone(runtime.organisation.tz).date()
    if params["source"] == "pos":
        if not settings.POS_BASE_URL:
            raise StepError(
                "fetch_deals source “pos” needs a POS connection: set POS_BASE_URL and "
                "POS_API_KEY, or use source “firestore” (this organisation's stored deals)"
            )
        payload = get_json(
            settings.POS_BASE_URL.rstrip("/") + "/v1/deals",
            api_key=settings.POS_API_KEY,
            params={"location": context.tenant_id, "date": today.isoformat()},
            what="The POS system",
        )
        if not isinstance(payload, dict) or not isinstance(payload.get("deals"), list):
            raise StepError("The POS system answered without a “deals” list")
        deals = [_pos_deal(index, raw) for index, raw in enumerate(payload["deals"])]
    else:
        query = Deal.objects.filter(
            organisation_id=context.tenant_id, active=True, starts_on__lte=today, ends_on__gte=today
        ).select_related("product")
        deals = [_store_deal(deal) for deal in query]
    if not deals:
        raise StepError(
            f"No current deals for {runtime.organisation.name} on {today:%a %d %b %Y} "
            f"(source {params['source']}): add this week's deals, then run again"
        )
    return StepOutcome({"deals": deals, "source": params["source"], "date": today.isoformat()})


SELECT_PRODUCT_PARAMS = {
    "category": Param("text", max_length=60, help="only products of this category (optional)"),
}


def product_summary(product: Product) -> dict:
    return {
        "id": product.pk,
        "sku": product.sku,
        "name": product.name,
        "category": product.category,
        "description": product.description,
        "price": dollars(product.price_micros),
    }


def select_product(
    params: dict, context: PlaybookExecutionContext, runtime: StepRuntime
) -> StepOutcome:
    """The in-stock product spotlighted longest ago (never-spotlighted first): a rotation, so no
    product repeats before every other one has had its turn. A dry run doesn't move the rotation."""
    with transaction.atomic():
        products = Product.objects.select_for_update().filter(
            organisation_id=context.tenant_id, in_stock=True
        )
        if params["category"]:
            products = products.filter(category__iexact=params["category"])
        product = products.order_by(
            F("last_spotlighted_at").asc(nulls_first=True), "name", "pk"
        ).first()
        if product is None:
            which = f" in category “{params['category']}”" if params["category"] else ""
            raise StepError(f"No products in stock{which} to spotlight")
        if not runtime.dry_run:
            product.last_spotlighted_at = runtime.now
            product.save(update_fields=["last_spotlighted_at"])
    return StepOutcome({"product": product_summary(product)})
