from datetime import date, timedelta

import pytest

from costs.money import decimal_to_micros
from playbooks.models import Deal, Product
from playbooks.runner import execute_playbook_run
from playbooks.services import install_playbook_template, seed_playbook_templates
from tests.media.providers.fakes import FakeProvider
from tests.playbooks.fakes import FakeMediaService, FakeText


@pytest.fixture
def templates(db):
    result = seed_playbook_templates()
    assert result["success"], result
    return result


@pytest.fixture
def fake_media():
    return FakeMediaService()


@pytest.fixture
def fake_text():
    return FakeText()


@pytest.fixture
def run_now(fake_media, fake_text):
    """Execute a queued run in this process with the fakes."""

    def _run(run_or_id):
        run_id = getattr(run_or_id, "pk", run_or_id)
        return execute_playbook_run(run_id, media=fake_media, text=fake_text)

    return _run


@pytest.fixture
def install(templates):
    from playbooks.models import Playbook

    def _install(template_id, org, **changes):
        result = install_playbook_template(template_id, org.pk)
        assert result["success"], result
        playbook = Playbook.objects.select_related("template", "organisation").get(
            pk=result["playbook_id"]
        )
        for name, value in changes.items():
            setattr(playbook, name, value)
        if changes:
            playbook.save()
        return playbook

    return _install


def _week(today: date) -> tuple[date, date]:
    return today - timedelta(days=3), today + timedelta(days=3)


@pytest.fixture
def shop(org_a):
    """Products and current deals for organisation A."""
    products = {
        sku: Product.objects.create(
            organisation=org_a,
            sku=sku,
            name=name,
            category=category,
            price_micros=decimal_to_micros(price),
            description=f"{name} description",
        )
        for sku, name, category, price in [
            ("BD-35", "Blue Dream 3.5g", "flower", "38.00"),
            ("SOUR-G", "Sour Gummies", "edible", "22.00"),
            ("LR-VAPE", "Live Resin Vape", "vape", "45.00"),
        ]
    }
    from django.utils import timezone

    start, end = _week(timezone.now().astimezone(org_a.tz).date())
    Deal.objects.create(
        organisation=org_a,
        product=products["BD-35"],
        title="20% off all flower",
        discount_percent=20,
        starts_on=start,
        ends_on=end,
    )
    Deal.objects.create(
        organisation=org_a,
        product=products["SOUR-G"],
        title="Gummies 2 for $35",
        deal_price_micros=decimal_to_micros("35"),
        starts_on=start,
        ends_on=end,
    )
    Deal.objects.create(
        organisation=org_a,
        title="Expired deal",
        discount_percent=50,
        starts_on=start - timedelta(days=30),
        ends_on=start - timedelta(days=20),
    )
    return products


@pytest.fixture
def fake_server():
    server = FakeProvider()
    yield server
    server.close()
