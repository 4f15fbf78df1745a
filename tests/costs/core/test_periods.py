"""Budget periods in the tenant's zone: day, week from Monday, calendar month — across week and
month rollovers, DST change days and a zone whose clocks skip midnight."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from costs.periods import BudgetPeriod, current_periods, local_midnight, period_window

LA = ZoneInfo("America/Los_Angeles")
TOKYO = ZoneInfo("Asia/Tokyo")
LONDON = ZoneInfo("Europe/London")
SANTIAGO = ZoneInfo("America/Santiago")
KIRITIMATI = ZoneInfo("Pacific/Kiritimati")
HONOLULU = ZoneInfo("Pacific/Honolulu")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_it_puts_late_evening_in_los_angeles_on_that_local_day():
    window = period_window("day", tz=LA, now=utc(2026, 3, 4, 7, 30))  # 23:30 on 3 March in LA
    assert (window.start_date, window.end_date) == (date(2026, 3, 3), date(2026, 3, 3))
    assert window.starts_at == utc(2026, 3, 3, 8)
    assert window.resets_at == utc(2026, 3, 4, 8)


def test_it_puts_the_same_instant_on_the_next_day_in_tokyo():
    window = period_window(BudgetPeriod.DAY, tz=TOKYO, now=utc(2026, 3, 4, 7, 30))
    assert window.start_date == date(2026, 3, 4)
    assert window.starts_at == utc(2026, 3, 3, 15)
    assert window.resets_at == utc(2026, 3, 4, 15)


@pytest.mark.parametrize(
    ("tz", "now", "monday"),
    [
        (LA, utc(2026, 3, 9, 6, 59), date(2026, 3, 2)),  # Sunday 23:59 PDT: still last week
        (LA, utc(2026, 3, 9, 7, 0), date(2026, 3, 9)),  # Monday 00:00 PDT: the new week
        (TOKYO, utc(2026, 3, 8, 14, 59), date(2026, 3, 2)),
        (TOKYO, utc(2026, 3, 8, 15, 0), date(2026, 3, 9)),
        (KIRITIMATI, utc(2026, 3, 8, 10, 0), date(2026, 3, 9)),  # UTC+14: Monday already
        (HONOLULU, utc(2026, 3, 9, 9, 59), date(2026, 3, 2)),  # UTC-10: still Sunday
    ],
)
def test_it_starts_weeks_on_monday_at_local_midnight(tz, now, monday):
    window = period_window("week", tz=tz, now=now)
    assert window.start_date == monday
    assert window.start_date.weekday() == 0
    assert window.end_date == monday + timedelta(days=6)
    assert window.starts_at == local_midnight(monday, tz)
    assert window.resets_at == local_midnight(monday + timedelta(days=7), tz)
    assert window.contains(now)


def test_it_spans_a_week_across_a_month_and_year_boundary():
    window = period_window("week", tz=LONDON, now=utc(2026, 1, 1, 12))  # a Thursday
    assert (window.start_date, window.end_date) == (date(2025, 12, 29), date(2026, 1, 4))


@pytest.mark.parametrize(
    ("tz", "now", "first", "last"),
    [
        (LA, utc(2026, 2, 1, 7, 59), date(2026, 1, 1), date(2026, 1, 31)),  # 31 Jan 23:59 PST
        (LA, utc(2026, 2, 1, 8, 0), date(2026, 2, 1), date(2026, 2, 28)),
        (TOKYO, utc(2025, 12, 31, 15, 0), date(2026, 1, 1), date(2026, 1, 31)),  # new year
        (LONDON, utc(2028, 2, 29, 23, 59), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        (LONDON, utc(2026, 12, 15), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_it_uses_calendar_months(tz, now, first, last):
    window = period_window("month", tz=tz, now=now)
    assert (window.start_date, window.end_date) == (first, last)
    assert window.resets_at == local_midnight(last + timedelta(days=1), tz)


def test_it_resets_december_on_the_first_of_january():
    window = period_window("month", tz=LA, now=utc(2026, 12, 31, 20))
    assert window.resets_at == datetime(2027, 1, 1, tzinfo=LA)


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        (LA, date(2026, 3, 8), 23),  # spring forward
        (LA, date(2026, 11, 1), 25),  # fall back
        (LONDON, date(2026, 3, 29), 23),
        (LONDON, date(2026, 10, 25), 25),
        (TOKYO, date(2026, 3, 8), 24),
    ],
)
def test_it_makes_dst_change_days_as_long_as_the_clock_says(tz, day, hours):
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=tz)
    window = period_window("day", tz=tz, now=noon)
    assert window.start_date == day
    assert window.length == timedelta(hours=hours)
    assert window.starts_at.astimezone(tz).hour == 0
    assert window.resets_at.astimezone(tz).hour == 0


def test_it_gives_the_week_containing_a_dst_change_its_real_length():
    window = period_window("week", tz=LA, now=utc(2026, 3, 8, 20))  # Sunday of spring forward
    assert window.start_date == date(2026, 3, 2)
    assert window.length == timedelta(days=7, hours=-1)


def test_it_resets_the_day_at_local_midnight_right_after_the_dst_change():
    # 01:30 PDT on 8 March 2026 is after the jump; the day still began at 00:00 PST.
    window = period_window("day", tz=LA, now=utc(2026, 3, 8, 9, 30))
    assert window.starts_at == utc(2026, 3, 8, 8)
    assert window.resets_at == utc(2026, 3, 9, 7)


def test_it_counts_the_repeated_hour_of_a_fall_back_day_once():
    first_one_thirty = utc(2026, 11, 1, 8, 30)  # 01:30 PDT
    second_one_thirty = utc(2026, 11, 1, 9, 30)  # 01:30 PST
    assert period_window("day", tz=LA, now=first_one_thirty) == period_window(
        "day", tz=LA, now=second_one_thirty
    )


def test_it_starts_a_day_whose_midnight_does_not_exist_when_the_clocks_land():
    # Chile skips from 23:59:59 on 5 September 2026 to 01:00 on 6 September.
    window = period_window("day", tz=SANTIAGO, now=utc(2026, 9, 6, 12))
    assert window.start_date == date(2026, 9, 6)
    assert window.starts_at == utc(2026, 9, 6, 4)
    assert (window.starts_at.astimezone(SANTIAGO).hour, window.starts_at.utcoffset()) == (
        1,
        timedelta(hours=-3),
    )
    assert window.length == timedelta(hours=23)
    previous = period_window("day", tz=SANTIAGO, now=utc(2026, 9, 6, 3, 59))
    assert previous.start_date == date(2026, 9, 5)
    assert previous.resets_at == window.starts_at


def test_it_returns_day_week_month_that_all_contain_now():
    now = utc(2026, 5, 20, 18)
    windows = current_periods(tz=LA, now=now)
    assert [w.period for w in windows] == [BudgetPeriod.DAY, BudgetPeriod.WEEK, BudgetPeriod.MONTH]
    assert all(w.contains(now) for w in windows)


def test_it_refuses_a_naive_now():
    with pytest.raises(ValueError, match="aware"):
        period_window("day", tz=LA, now=datetime(2026, 5, 20, 18))  # noqa: DTZ001


def test_it_refuses_an_unknown_period():
    with pytest.raises(ValueError):
        period_window("fortnight", tz=LA, now=utc(2026, 5, 20))
