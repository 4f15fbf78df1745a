"""Budget input rules: each bad input gets an error naming its field; good input comes out clean."""

from decimal import Decimal

import pytest

from bakedbot.errors import InvalidInput
from costs.budget_validation import BudgetSettings, clean_budget_updates

EMPTY = BudgetSettings()


def _errors(updates, current=EMPTY) -> dict[str, str]:
    """The field errors ``clean_budget_updates`` refuses ``updates`` with."""
    with pytest.raises(InvalidInput) as refused:
        clean_budget_updates(updates, current)
    return refused.value.errors


@pytest.mark.parametrize(
    ("value", "micros"),
    [
        ("25", 25_000_000),
        (" 25.50 ", 25_500_000),
        ("0", 0),
        ("0.01", 10_000),
        (".5", 500_000),
        ("7.", 7_000_000),
        ("10.500", 10_500_000),
        ("1000000", 1_000_000_000_000),
        ("1000000.00", 1_000_000_000_000),
        (12, 12_000_000),
        (Decimal("3.25"), 3_250_000),
        ("", None),
        (None, None),
    ],
)
def test_it_accepts_plain_amounts(value, micros):
    cleaned = clean_budget_updates({"daily_limit": value}, EMPTY)
    assert cleaned.daily_limit_micros == micros


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "0 or more"),
        ("-0.01", "0 or more"),
        (-5, "0 or more"),
        ("1000000.01", "at most $1,000,000"),
        ("5000000", "at most $1,000,000"),
        ("10.125", "2 decimal places"),
        ("0.001", "2 decimal places"),
        (Decimal("1.999"), "2 decimal places"),
        ("NaN", "plain number"),
        ("nan", "plain number"),
        ("inf", "plain number"),
        ("Infinity", "plain number"),
        ("-Infinity", "plain number"),
        (Decimal("NaN"), "plain number"),
        (Decimal("Infinity"), "plain number"),
        ("1e3", "plain number"),
        ("1E-2", "plain number"),
        ("1_000", "plain number"),
        ("1,000", "plain number"),
        ("$25", "plain number"),
        ("25 dollars", "plain number"),
        ("0x10", "plain number"),
        ("١٢", "plain number"),  # Arabic-Indic digits
        ("1" * 30, "at most $1,000,000"),  # a plain number, only too large: says so
        ("9" * 23, "at most $1,000,000"),
        ("-" + "9" * 23, "0 or more"),
        ("1" * 31, "plain number"),  # longer than any number field takes
        (".", "plain number"),
        (12.5, "as text or a Decimal"),
        (True, "as text or a Decimal"),
        (["10"], "plain number"),
    ],
)
@pytest.mark.parametrize("field", ["daily_limit", "weekly_limit", "monthly_limit"])
def test_it_refuses_bad_amounts_naming_the_field(field, value, message):
    current = BudgetSettings(daily_limit_micros=1_000_000)
    errors = _errors({field: value}, current)
    assert list(errors) == [field]
    assert message.lower() in errors[field].lower()


@pytest.mark.parametrize("value", ["1", "80", "100", 1, 100, " 55 "])
def test_it_accepts_whole_percentages_from_1_to_100(value):
    cleaned = clean_budget_updates({"soft_threshold_percent": value}, EMPTY)
    assert cleaned.soft_threshold_percent == int(str(value).strip())


@pytest.mark.parametrize(
    "value", ["0", "101", "-5", "80.5", "", "eighty", 0, 101, 80.0, None, True]
)
def test_it_refuses_other_percentages(value):
    assert _errors({"soft_threshold_percent": value}) == {
        "soft_threshold_percent": "Enter a whole number from 1 to 100."
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("on", True), ("true", True), ("", False), ("off", False)],
)
def test_it_reads_the_hard_limit_switch(value, expected):
    cleaned = clean_budget_updates({"hard_limit_enabled": value}, EMPTY)
    assert cleaned.hard_limit_enabled is expected


def test_it_refuses_a_switch_that_is_neither_on_nor_off():
    assert list(_errors({"hard_limit_enabled": "maybe"})) == ["hard_limit_enabled"]


def test_it_parses_recipients_from_text_and_drops_duplicates():
    cleaned = clean_budget_updates(
        {"alert_recipients": "a@example.com, b@example.com\nA@example.com;  c@example.org "},
        EMPTY,
    )
    assert cleaned.alert_recipients == ("a@example.com", "b@example.com", "c@example.org")


def test_it_accepts_a_list_of_recipients_and_an_empty_one():
    cleaned = clean_budget_updates({"alert_recipients": ["ops@example.com"]}, EMPTY)
    assert cleaned.alert_recipients == ("ops@example.com",)
    cleaned = clean_budget_updates({"alert_recipients": ""}, cleaned)
    assert cleaned.alert_recipients == ()


@pytest.mark.parametrize(
    "value", ["not-an-email", "a@example.com, bob@", "@example.com", "a@b@c.com", ["x"], 42]
)
def test_it_refuses_invalid_recipients(value):
    assert list(_errors({"alert_recipients": value})) == ["alert_recipients"]


def test_it_names_the_bad_addresses():
    errors = _errors({"alert_recipients": "ok@example.com, nope, bad@"})
    assert errors["alert_recipients"] == "Not a valid e-mail address: nope, bad@"


def test_it_caps_the_number_of_recipients():
    many = [f"user{i}@example.com" for i in range(21)]
    assert _errors({"alert_recipients": many}) == {"alert_recipients": "At most 20 recipients."}


@pytest.mark.parametrize(
    ("updates", "field"),
    [
        ({"daily_limit": "50", "weekly_limit": "40"}, "daily_limit"),
        ({"weekly_limit": "500", "monthly_limit": "400"}, "weekly_limit"),
        ({"daily_limit": "50", "monthly_limit": "40"}, "daily_limit"),
    ],
)
def test_it_keeps_daily_at_most_weekly_at_most_monthly(updates, field):
    errors = _errors(updates)
    assert list(errors) == [field]
    assert "can't be more than" in errors[field]


def test_it_puts_the_order_error_on_the_field_that_changed():
    current = BudgetSettings(daily_limit_micros=50_000_000)
    assert _errors({"weekly_limit": "40"}, current) == {
        "weekly_limit": "Daily limit ($50.00) can't be more than the weekly limit ($40.00)."
    }


def test_it_puts_the_order_error_on_the_field_whose_value_changed():
    current = BudgetSettings(daily_limit_micros=5_000_000, weekly_limit_micros=50_000_000)
    form = {"daily_limit": "5", "weekly_limit": "4", "monthly_limit": ""}
    assert list(_errors(form, current)) == ["weekly_limit"]


def test_it_allows_equal_limits_and_gaps():
    cleaned = clean_budget_updates(
        {"daily_limit": "100", "weekly_limit": "", "monthly_limit": "100"}, EMPTY
    )
    assert (cleaned.daily_limit_micros, cleaned.weekly_limit_micros) == (100_000_000, None)


def test_it_refuses_unknown_settings():
    assert list(_errors({"yearly_limit": "10"})) == ["yearly_limit"]


def test_it_reports_every_bad_field_at_once():
    errors = _errors(
        {
            "daily_limit": "abc",
            "weekly_limit": "-1",
            "monthly_limit": "1.234",
            "soft_threshold_percent": "0",
            "alert_recipients": "x",
        }
    )
    assert set(errors) == {
        "daily_limit",
        "weekly_limit",
        "monthly_limit",
        "soft_threshold_percent",
        "alert_recipients",
    }


def test_it_leaves_unmentioned_settings_alone():
    current = BudgetSettings(monthly_limit_micros=9_000_000, alert_recipients=("a@example.com",))
    cleaned = clean_budget_updates({"daily_limit": "1"}, current)
    assert cleaned.monthly_limit_micros == 9_000_000
    assert cleaned.alert_recipients == ("a@example.com",)
