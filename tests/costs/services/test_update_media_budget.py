"""update_media_budget and get_media_budget: settings saved whole or not at all, as decimals."""

from decimal import Decimal

import pytest

from bakedbot.errors import InvalidInput
from costs.budget_selectors import (
    get_media_budget,
)
from costs.budgets import update_media_budget
from costs.models import MediaBudget

pytestmark = pytest.mark.django_db


def test_it_gives_defaults_for_a_tenant_without_settings(org_a):
    config = get_media_budget(org_a.pk)
    assert not config.is_configured
    assert not config.has_limits
    assert (config.daily_limit, config.weekly_limit, config.monthly_limit) == (None, None, None)
    assert (config.soft_threshold_percent, config.hard_limit_enabled) == (80, True)
    assert config.alert_recipients == ()


def test_it_saves_settings_and_returns_them_as_decimals(org_a, owner_a):
    saved = update_media_budget(
        org_a.pk,
        {
            "daily_limit": "12.5",
            "weekly_limit": "50",
            "monthly_limit": "",
            "soft_threshold_percent": "75",
            "hard_limit_enabled": False,
            "alert_recipients": "ops@example.com",
        },
        updated_by=owner_a,
    )
    config = get_media_budget(org_a.pk)
    assert saved == config
    assert (config.daily_limit, config.weekly_limit, config.monthly_limit) == (
        Decimal("12.5"),
        Decimal(50),
        None,
    )
    assert (config.soft_threshold_percent, config.hard_limit_enabled) == (75, False)
    assert config.alert_recipients == ("ops@example.com",)
    assert MediaBudget.objects.get(pk=org_a.pk).updated_by == owner_a


def test_it_saves_nothing_when_any_field_is_bad(org_a, set_budget):
    set_budget(org_a.pk, daily_limit="5", alert_recipients="a@example.com")
    before = get_media_budget(org_a.pk)
    with pytest.raises(InvalidInput) as refused:
        update_media_budget(
            org_a.pk,
            {"daily_limit": "7", "weekly_limit": "1e3", "alert_recipients": "b@example.com"},
        )
    assert list(refused.value.errors) == ["weekly_limit"]
    assert get_media_budget(org_a.pk) == before


def test_it_saves_no_row_for_a_first_update_that_fails(org_a):
    with pytest.raises(InvalidInput) as refused:
        update_media_budget(org_a.pk, {"daily_limit": "NaN"})
    assert "daily_limit" in refused.value.errors
    assert not MediaBudget.objects.filter(pk=org_a.pk).exists()


def test_it_refuses_an_unknown_tenant(db):
    with pytest.raises(InvalidInput) as refused:
        update_media_budget("org_missing", {"daily_limit": "1"})
    assert refused.value.errors == {"tenant": "No organisation 'org_missing'."}
