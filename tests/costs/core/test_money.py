from datetime import date
from decimal import Decimal

import pytest
from django.template import Context, Template

from costs.money import decimal_to_micros, format_micros, format_usd, micros_to_decimal
from costs.ranges import DateRange, parse_date_range, resolve_period


def test_micros_round_trip_exactly():
    assert micros_to_decimal(625_000) == Decimal("0.625")
    assert decimal_to_micros(Decimal("0.625")) == 625_000
    assert decimal_to_micros("1.5") == 1_500_000
    assert decimal_to_micros(3) == 3_000_000
    assert decimal_to_micros(Decimal("0.000001")) == 1


def test_money_refuses_floats_and_sub_micro_amounts():
    with pytest.raises(TypeError):
        decimal_to_micros(0.1)
    with pytest.raises(TypeError):
        micros_to_decimal(1.0)
    with pytest.raises(ValueError, match="six decimal places"):
        decimal_to_micros(Decimal("0.0000001"))
    with pytest.raises(ValueError, match="not an amount"):
        decimal_to_micros("ten dollars")
    with pytest.raises(ValueError, match="finite"):
        decimal_to_micros(Decimal("NaN"))


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("0"), "$0.00"),
        (Decimal("0.5"), "$0.50"),
        (Decimal("0.625"), "$0.625"),
        (Decimal("0.0125"), "$0.0125"),
        (Decimal("0.00004"), "$0.00"),
        (Decimal("0.00005"), "$0.0001"),
        (Decimal("1234.5"), "$1,234.50"),
        (Decimal("-2.75"), "-$2.75"),
        ("12", "$12.00"),
    ],
)
def test_format_usd_shows_two_to_four_decimals(amount, text):
    assert format_usd(amount) == text


def test_format_micros():
    assert format_micros(1_125_000) == "$1.125"


def test_template_filters():
    template = Template(
        "{% load costs_money %}{{ a|dollars }} {{ m|micros_dollars }} [{{ n|dollars }}]"
    )
    assert template.render(Context({"a": Decimal("2.5"), "m": 625_000, "n": None})) == (
        "$2.50 $0.625 []"
    )


def test_periods_resolve_to_inclusive_local_dates():
    today = date(2026, 11, 24)  # a Tuesday
    assert resolve_period("7d", today=today) == DateRange(date(2026, 11, 18), today)
    assert resolve_period("90d", today=today).days == 90
    assert resolve_period("week", today=today) == DateRange(date(2026, 11, 23), today)
    assert resolve_period("month", today=today) == DateRange(date(2026, 11, 1), today)
    assert resolve_period("all", today=today, first_date=date(2026, 3, 2)).start == date(2026, 3, 2)
    assert resolve_period("all", today=today) == DateRange(today, today)
    assert DateRange(date(2026, 11, 1), date(2026, 11, 7)).previous() == DateRange(
        date(2026, 10, 25), date(2026, 10, 31)
    )
    with pytest.raises(ValueError, match="period must be one of"):
        resolve_period("1y", today=today)


def test_custom_ranges_name_the_bad_field():
    assert parse_date_range("2026-11-01", "2026-11-30").days == 30
    with pytest.raises(ValueError, match="start must be a date"):
        parse_date_range("yesterday", "2026-11-30")
    with pytest.raises(ValueError, match="end must be a date"):
        parse_date_range("2026-11-01", "")
    with pytest.raises(ValueError, match="end must not be before start"):
        parse_date_range("2026-11-02", "2026-11-01")
    with pytest.raises(ValueError, match="shorter than"):
        parse_date_range("2000-01-01", "2026-11-01")
