"""Demo data: the template library, products and this week's deals for each demo organisation,
a few installed playbooks, and the scheduler's django-q2 Schedule."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from bakedbot.demo import DEMO_ORGS
from costs.money import decimal_to_micros
from playbooks.models import Deal, Product
from playbooks.scheduler import ensure_scheduler_schedule
from playbooks.services import install_playbook_template, seed_playbook_templates

PRODUCTS = [
    ("BD-35", "Blue Dream 3.5g", "flower", "Sweet berry aroma, balanced and bright.", "38.00"),
    ("GSC-1", "Girl Scout Cookies 1g pre-roll", "pre-roll", "Classic dessert strain.", "12.00"),
    ("SOUR-G", "Sour Gummies 10-pack", "edible", "Tart fruit gummies, 5 mg each.", "22.00"),
    ("LR-VAPE", "Live Resin Vape 0.5g", "vape", "Full-spectrum live resin.", "45.00"),
    ("CBD-TIN", "CBD Tincture 30ml", "tincture", "1:20 THC:CBD, citrus flavour.", "55.00"),
]
DEALS = [
    ("20% off all flower", "Every eighth and quarter, all week.", "BD-35", 20, None),
    ("Gummies 2 for $35", "Mix and match any two 10-packs.", "SOUR-G", None, "35.00"),
    ("Vape Friday", "$10 off live resin carts.", "LR-VAPE", None, "35.00"),
]
INSTALLS = {
    "org_greenleaf": ["weekly-deals-video", "daily-product-spotlight"],
    "org_summit": ["weekly-deals-video"],
    "org_evergreen": ["competitor-price-alert", "weekly-deals-video"],
}


def load_demo_data(write) -> None:
    result = seed_playbook_templates()
    write(f"Playbook templates: seeded {len(result.seeded)}, skipped {len(result.skipped)}")
    for demo in DEMO_ORGS:
        # bakedbot.demo has just created these organisations from the same list.
        today = timezone.now().astimezone(ZoneInfo(demo.time_zone)).date()
        monday = today - timedelta(days=today.weekday())
        products = {}
        for sku, name, category, description, price in PRODUCTS:
            products[sku], _ = Product.objects.update_or_create(
                organisation_id=demo.id,
                sku=sku,
                defaults={
                    "name": name,
                    "category": category,
                    "description": description,
                    "price_micros": decimal_to_micros(price),
                    "in_stock": True,
                },
            )
        for title, description, sku, discount, price in DEALS:
            Deal.objects.update_or_create(
                organisation_id=demo.id,
                title=title,
                defaults={
                    "description": description,
                    "product": products[sku],
                    "discount_percent": discount,
                    "deal_price_micros": decimal_to_micros(price) if price else None,
                    "starts_on": monday,
                    "ends_on": monday + timedelta(days=6),
                    "active": True,
                },
            )
        for template_id in INSTALLS.get(demo.id, []):
            install_playbook_template(template_id=template_id, org_id=demo.id)
    ensure_scheduler_schedule()
    write("Playbooks: products, this week's deals and installed playbooks for the demo orgs")
