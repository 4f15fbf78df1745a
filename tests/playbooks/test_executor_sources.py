"""fetch_deals (store and POS over HTTP), select_product (rotation), fetch_competitor_prices
(HTTP source, simulated without one) and analyze_pricing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from playbooks.executor import StepError
from playbooks.models import Product
from tests.media.providers.fakes import Reply
from tests.playbooks.helpers import context_for, execute, runtime_for

pytestmark = pytest.mark.django_db

FETCH_STORE = {"id": "step-1", "type": "fetch_deals", "params": {"source": "firestore"}}
FETCH_POS = {"id": "step-1", "type": "fetch_deals", "params": {"source": "pos"}}


def test_fetch_deals_reads_the_tenants_current_deals_from_the_store(org_a, org_b, shop):
    outcome = execute(FETCH_STORE, context_for(org_a), runtime_for(org_a))
    titles = [deal["title"] for deal in outcome.result["deals"]]
    assert titles == ["20% off all flower", "Gummies 2 for $35"]  # not the expired one
    first, second = outcome.result["deals"]
    assert first["discount_percent"] == 20 and first["product"] == "Blue Dream 3.5g"
    assert second["deal_price"] == "35.00" and second["source"] == "firestore"
    assert outcome.cost_micros == 0
    # Another tenant's store is another tenant's.
    with pytest.raises(StepError, match="No current deals for Beta Dispensary"):
        execute(FETCH_STORE, context_for(org_b), runtime_for(org_b))


def test_fetch_deals_uses_the_tenants_local_date(org_a, shop):
    late = timezone.now() + timedelta(days=90)
    with pytest.raises(StepError, match="No current deals"):
        execute(FETCH_STORE, context_for(org_a), runtime_for(org_a, now=late))


def _pos_path(org, now=None):
    today = (now or timezone.now()).astimezone(org.tz).date()
    return f"/v1/deals?location={org.pk}&date={today.isoformat()}"


def test_fetch_deals_from_the_pos_over_http(org_a, settings, fake_server):
    settings.POS_BASE_URL = fake_server.url + "/"
    settings.POS_API_KEY = "pos-secret"
    fake_server.on(
        "GET",
        _pos_path(org_a),
        Reply(
            json={
                "deals": [
                    {
                        "id": 17,
                        "title": "Happy hour",
                        "price": 9.5,
                        "product": {"sku": "PR-1", "name": "Pre-roll"},
                        "starts_on": "2026-11-23",
                        "ends_on": "2026-11-29",
                    },
                    {"id": 18, "title": "  Edibles BOGO ", "discount_percent": 50},
                ]
            }
        ),
    )
    outcome = execute(FETCH_POS, context_for(org_a), runtime_for(org_a))
    assert outcome.result["source"] == "pos"
    assert outcome.result["deals"][0] == {
        "id": "pos_17",
        "title": "Happy hour",
        "description": "",
        "discount_percent": None,
        "deal_price": "9.50",
        "product": "Pre-roll",
        "sku": "PR-1",
        "starts_on": "2026-11-23",
        "ends_on": "2026-11-29",
        "source": "pos",
    }
    assert outcome.result["deals"][1]["title"] == "Edibles BOGO"
    (request,) = fake_server.requests
    assert request.headers["authorization"] == "Bearer pos-secret"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(503, json={"error": "maintenance"}), "The POS system answered HTTP 503"),
        (Reply(401, json={}), "refused the API key"),
        (Reply(200, body=b"<html>", content_type="text/html"), "not JSON"),
        (Reply(200, json={"items": []}), "without a “deals” list"),
        (Reply(200, json={"deals": [{"title": "x", "price": "ten"}]}), "POS deal #1 has a price"),
        (Reply(200, json={"deals": [{"price": "1"}]}), "POS deal #1 has no title"),
        (Reply(200, json={"deals": []}), "No current deals"),
    ],
)
def test_fetch_deals_from_the_pos_fails_clearly(org_a, settings, fake_server, reply, message):
    settings.POS_BASE_URL = fake_server.url
    fake_server.on("GET", _pos_path(org_a), reply)
    with pytest.raises(StepError, match=message):
        execute(FETCH_POS, context_for(org_a), runtime_for(org_a))


def test_fetch_deals_from_an_unreachable_pos(org_a, settings, fake_server):
    settings.POS_BASE_URL = fake_server.url
    fake_server.close()
    with pytest.raises(StepError, match="The POS system is unreachable"):
        execute(FETCH_POS, context_for(org_a), runtime_for(org_a))


def test_fetch_deals_from_a_slow_pos(org_a, settings, fake_server):
    settings.POS_BASE_URL = fake_server.url
    settings.PLAYBOOKS_HTTP_TIMEOUT = 1
    fake_server.on("GET", _pos_path(org_a), Reply(json={"deals": []}, delay=3))
    with pytest.raises(StepError, match="did not answer within 1 s"):
        execute(FETCH_POS, context_for(org_a), runtime_for(org_a))


def test_fetch_deals_from_an_unconfigured_pos_says_what_to_set(org_a, settings):
    settings.POS_BASE_URL = ""
    with pytest.raises(StepError, match="set POS_BASE_URL and POS_API_KEY"):
        execute(FETCH_POS, context_for(org_a), runtime_for(org_a))


SELECT = {"id": "step-1", "type": "select_product", "params": {}}


def test_select_product_rotates_without_repeats(org_a, shop):
    picked = []
    start = timezone.now()
    for day in range(6):
        runtime = runtime_for(org_a, now=start + timedelta(days=day))
        picked.append(execute(SELECT, context_for(org_a), runtime).result["product"]["sku"])
    assert sorted(picked[:3]) == ["BD-35", "LR-VAPE", "SOUR-G"]
    assert picked[3:] == picked[:3]


def test_select_product_in_a_dry_run_does_not_move_the_rotation(org_a, shop):
    first = execute(SELECT, context_for(org_a), runtime_for(org_a, dry_run=True))
    again = execute(SELECT, context_for(org_a), runtime_for(org_a))
    assert first.result == again.result
    assert Product.objects.filter(last_spotlighted_at__isnull=False).count() == 1


def test_select_product_skips_out_of_stock_and_filters_by_category(org_a, shop):
    Product.objects.filter(sku="BD-35").update(in_stock=False)
    step = {"id": "s", "type": "select_product", "params": {"category": "Flower"}}
    with pytest.raises(StepError, match="No products in stock in category “Flower”"):
        execute(step, context_for(org_a), runtime_for(org_a))
    step["params"]["category"] = "edible"
    outcome = execute(step, context_for(org_a), runtime_for(org_a))
    assert outcome.result["product"]["name"] == "Sour Gummies"
    assert outcome.result["product"]["price"] == "22.00"


FETCH_PRICES = {"id": "step-1", "type": "fetch_competitor_prices", "params": {}}
ANALYZE = {"id": "step-2", "type": "analyze_pricing", "params": {"thresholdPercent": "5"}}
PRICE_STEPS = [FETCH_PRICES, ANALYZE]


def test_competitor_prices_come_from_the_configured_http_source(org_a, shop, settings, fake_server):
    settings.COMPETITOR_PRICES_URL = fake_server.url
    settings.COMPETITOR_PRICES_API_KEY = "intel-key"
    fake_server.on(
        "GET",
        f"/v1/prices?tenant={org_a.pk}&competitor=Green+Cross&category=flower",
        Reply(
            json={
                "prices": [
                    {"competitor": "Green Cross", "sku": "BD-35", "price": "30.00"},
                    {"competitor": "Green Cross", "product": "blue dream 3.5g", "price": "34"},
                ]
            }
        ),
    )
    step = {
        "id": "step-1",
        "type": "fetch_competitor_prices",
        "params": {"competitors": ["Green Cross"], "category": "flower"},
    }
    outcome = execute(step, context_for(org_a), runtime_for(org_a))
    assert outcome.result["simulated"] is False
    assert outcome.result["competitors"] == ["Green Cross"]
    assert [p["price"] for p in outcome.result["prices"]] == ["30.00", "34.00"]
    assert fake_server.requests[0].headers["authorization"] == "Bearer intel-key"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(500, json={}), "answered HTTP 500"),
        (Reply(200, json={"prices": [{"sku": "BD-35", "price": "1"}]}), "has no competitor"),
        (Reply(200, json={"prices": [{"competitor": "A", "sku": "X", "price": "-1"}]}), "price"),
        (Reply(200, json={"prices": []}), "No competitor prices found"),
    ],
)
def test_competitor_prices_fail_clearly(org_a, settings, fake_server, reply, message):
    settings.COMPETITOR_PRICES_URL = fake_server.url
    fake_server.on("GET", f"/v1/prices?tenant={org_a.pk}", reply)
    with pytest.raises(StepError, match=message):
        execute(FETCH_PRICES, context_for(org_a), runtime_for(org_a))


def test_competitor_prices_are_simulated_without_a_source(org_a, shop, settings):
    settings.COMPETITOR_PRICES_URL = ""
    first = execute(FETCH_PRICES, context_for(org_a), runtime_for(org_a)).result
    again = execute(FETCH_PRICES, context_for(org_a), runtime_for(org_a)).result
    assert first == again and first["simulated"] is True
    assert len(first["prices"]) == 6  # three products, two simulated competitors


def test_analyze_pricing_finds_where_we_are_above_and_below(org_a, shop):
    context = context_for(
        org_a,
        step_results={
            "step-1": {
                "prices": [
                    {"competitor": "A", "sku": "BD-35", "product": "", "price": "30.00"},
                    {"competitor": "B", "sku": "bd-35", "product": "", "price": "32.00"},
                    {"competitor": "A", "sku": "", "product": "Sour Gummies", "price": "30.00"},
                    {"competitor": "A", "sku": "LR-VAPE", "product": "", "price": "44.00"},
                    {"competitor": "A", "sku": "UNKNOWN", "product": "Nope", "price": "1.00"},
                ]
            }
        },
    )
    result = execute(ANALYZE, context, runtime_for(org_a, PRICE_STEPS)).result
    rows = {row["sku"]: row for row in result["comparisons"]}
    assert rows["BD-35"]["position"] == "above"  # 38 vs 31 average: +22.6 %
    assert rows["BD-35"]["competitor_avg"] == "31.00"
    assert rows["BD-35"]["competitor_min"] == "30.00"
    assert rows["BD-35"]["difference_percent"] == "22.6"
    assert rows["SOUR-G"]["position"] == "below"  # 22 vs 30: -26.7 %
    assert rows["LR-VAPE"]["position"] == "in_line"  # 45 vs 44: +2.3 %
    assert (result["above"], result["below"], result["in_line"], result["unmatched"]) == (
        1,
        1,
        1,
        1,
    )
    assert "Largest gap: Blue Dream 3.5g at $38.00 vs $31.00 average (+22.6%)" in result["summary"]


def test_analyze_pricing_needs_prices_first(org_a, shop):
    with pytest.raises(StepError, match="needs an earlier fetch_competitor_prices"):
        execute(ANALYZE, context_for(org_a), runtime_for(org_a, PRICE_STEPS))
