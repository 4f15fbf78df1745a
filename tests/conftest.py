"""Shared fixtures: organisation A with an owner and a member, organisation B with a user, and a
super admin — so every view can be tested for who may and may not see it."""

import pytest
from django.test import Client

from bakedbot.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, SuperAdminFactory

# Cost-store fixtures: cost_store (each backend), sql_store, firestore_store, firestore_emulator;
# the stack tier's printed figures (tests/stack).
pytest_plugins = ["tests.costs_store", "tests.stack.figures"]


@pytest.fixture(autouse=True)
def stored_price_versions(request):
    """Price versions super admins add live in the database (costs.price_versions): a test
    without database access prices by the shipped files only, and no test sees the versions
    another test added (the price book's short cache is emptied around each test)."""
    from costs import pricing

    uses_db = bool(
        {"db", "transactional_db"} & set(request.fixturenames)
        or request.node.get_closest_marker("django_db")
    )
    loader = pricing.stored_versions_loader
    if not uses_db:
        pricing.stored_versions_loader = None
    pricing.clear_price_cache()
    yield
    pricing.stored_versions_loader = loader
    pricing.clear_price_cache()


@pytest.fixture
def first_price_book(monkeypatch, tmp_path_factory):
    """Price by the first price book only (2026-02-01: one flat price per provider key), for
    suites about how generations are made, queued, cached and recorded whose figures were
    written against it. Pricing by model and billed dimension (the 2026-12-01 version) is tested
    in tests/costs/services/test_pricing_dimensions.py and the suites that name it; text (caption)
    calls have no price in the first version, so caption steps need the current one."""
    from costs import pricing

    folder = tmp_path_factory.mktemp("first_price_book")
    first = pricing.PRICEBOOK_DIR / "2026-02-01.json"
    (folder / first.name).write_text(first.read_text())
    monkeypatch.setattr(pricing, "PRICEBOOK_DIR", folder)
    pricing.file_versions.cache_clear()
    yield
    pricing.file_versions.cache_clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every test stores generated media in its own temporary folder, never under var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Alpha Brands", slug="alpha", kind="brand")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(
        name="Beta Dispensary", slug="beta", kind="dispensary", time_zone="America/New_York"
    )


@pytest.fixture
def super_admin(db):
    return SuperAdminFactory(username="root@bakedbot.test", first_name="Root")


@pytest.fixture
def owner_a(org_a):
    return MembershipFactory(organisation=org_a, role=Membership.Role.OWNER).user


@pytest.fixture
def member_a(org_a):
    return MembershipFactory(organisation=org_a, role=Membership.Role.MEMBER).user


@pytest.fixture
def user_b(org_b):
    return MembershipFactory(organisation=org_b, role=Membership.Role.OWNER).user


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def super_admin_client(super_admin):
    return _client_for(super_admin)


@pytest.fixture
def owner_a_client(owner_a):
    return _client_for(owner_a)


@pytest.fixture
def member_a_client(member_a):
    return _client_for(member_a)


@pytest.fixture
def user_b_client(user_b):
    return _client_for(user_b)
