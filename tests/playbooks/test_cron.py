"""Cron on the tenant's wall clock: zones, daylight-saving changes, validation."""

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from playbooks.cron import count_slots, iter_slots, next_slot, upcoming, validate_cron

DENVER = ZoneInfo("America/Denver")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_monday_nine_in_denver_is_not_monday_nine_in_new_york():
    after = utc(2026, 11, 20, 12)  # a Friday
    denver = next_slot("0 9 * * 1", DENVER, after)
    new_york = next_slot("0 9 * * 1", NEW_YORK, after)
    assert denver == utc(2026, 11, 23, 16)  # 09:00 MST = 16:00 UTC
    assert new_york == utc(2026, 11, 23, 14)  # 09:00 EST = 14:00 UTC
    assert denver.astimezone(DENVER).strftime("%a %H:%M") == "Mon 09:00"


def test_a_zone_ahead_of_utc_gets_its_own_monday():
    # Sunday 23:30 UTC is already Monday 08:30 in Tokyo: its 09:00 is half an hour away.
    assert next_slot("0 9 * * 1", TOKYO, utc(2026, 11, 22, 23, 30)) == utc(2026, 11, 23, 0)


def test_monday_nine_keeps_its_wall_clock_time_across_both_dst_changes():
    slots = upcoming("0 9 * * 1", DENVER, utc(2026, 2, 25), 40)
    assert {slot.astimezone(DENVER).strftime("%a %H:%M") for slot in slots} == {"Mon 09:00"}
    offsets = {slot.astimezone(DENVER).utcoffset() for slot in slots}
    assert offsets == {timedelta(hours=-7), timedelta(hours=-6)}
    gaps = {b - a for a, b in itertools.pairwise(slots)}
    # 7 days, except the weeks holding a change: one hour less (March) and more (November).
    assert gaps == {timedelta(days=7), timedelta(days=7, hours=-1), timedelta(days=7, hours=1)}


def test_a_time_skipped_by_spring_forward_runs_right_after_the_jump():
    # 2026-03-08: Denver goes 02:00 MST -> 03:00 MDT; 02:30 does not exist that night.
    slots = upcoming("30 2 * * *", DENVER, utc(2026, 3, 7, 12), 3)
    local = [slot.astimezone(DENVER) for slot in slots]
    assert [s.strftime("%d %H:%M %Z") for s in local] == [
        "08 03:30 MDT",
        "09 02:30 MDT",
        "10 02:30 MDT",
    ]


def test_the_skipped_slot_is_still_found_when_asked_just_after_the_jump():
    # Asked at 03:10 MDT: the 02:30 slot (run at 03:30 MDT) is still ahead.
    after = datetime(2026, 3, 8, 3, 10, tzinfo=DENVER)
    assert next_slot("30 2 * * *", DENVER, after) == datetime(2026, 3, 8, 3, 30, tzinfo=DENVER)


def test_a_time_in_the_repeated_hour_runs_once_on_its_first_occurrence():
    # 2026-11-01: Denver repeats 01:00-02:00 (MDT, then MST).
    slots = upcoming("30 1 * * *", DENVER, utc(2026, 10, 31, 12), 2)
    first = slots[0].astimezone(DENVER)
    assert (first.day, first.hour, first.minute, first.tzname()) == (1, 1, 30, "MDT")
    assert slots[1].astimezone(DENVER).day == 2


def test_an_every_15_minutes_schedule_skips_the_repeated_hour_s_second_pass():
    start = datetime(2026, 11, 1, 0, 50, tzinfo=DENVER)
    slots = list(
        s for s, _ in zip(iter_slots("*/15 * * * *", DENVER, start), range(8), strict=False)
    )
    names = [s.astimezone(DENVER).strftime("%H:%M %Z") for s in slots]
    assert names == [
        "01:00 MDT",
        "01:15 MDT",
        "01:30 MDT",
        "01:45 MDT",
        "02:00 MST",
        "02:15 MST",
        "02:30 MST",
        "02:45 MST",
    ]
    assert slots == sorted(set(slots))


def test_asked_during_the_second_pass_the_next_slot_is_after_it():
    after = datetime(2026, 11, 1, 1, 10, tzinfo=DENVER, fold=1)  # 01:10 MST, second pass
    assert (
        next_slot("*/15 * * * *", DENVER, after).astimezone(DENVER).strftime("%H:%M %Z")
        == "02:00 MST"
    )


def test_spring_forward_hourly_schedule_never_repeats_an_instant():
    start = datetime(2026, 3, 8, 0, 30, tzinfo=DENVER)
    slots = [s for s, _ in zip(iter_slots("0 * * * *", DENVER, start), range(4), strict=False)]
    assert [s.astimezone(DENVER).strftime("%H:%M %Z") for s in slots] == [
        "01:00 MST",
        "03:00 MDT",
        "04:00 MDT",
        "05:00 MDT",
    ]


def test_count_slots_counts_the_missed_slots_up_to_a_cap():
    start = utc(2026, 11, 23, 16)
    assert count_slots("0 * * * *", DENVER, start, start + timedelta(hours=5), 100) == 6
    assert count_slots("* * * * *", DENVER, start, start + timedelta(days=30), 1000) == 1000


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "5 fields"),
        ("0 9 * *", "5 fields"),
        ("0 9 * * 1 2026", "5 fields"),
        ("0 24 * * 1", "not a valid cron"),
        ("61 9 * * *", "not a valid cron"),
        ("0 9 * * funday", "not a valid cron"),
        ("every monday", "5 fields"),
    ],
)
def test_invalid_cron_is_refused_with_a_clear_message(expression, message):
    with pytest.raises(ValueError) as error:
        validate_cron(expression)
    assert message in str(error.value)


def test_valid_cron_is_normalised():
    assert validate_cron("  0   9 * *  1 ") == "0 9 * * 1"


def test_an_aware_after_is_required():
    with pytest.raises(ValueError):
        next_slot("0 9 * * 1", DENVER, datetime(2026, 1, 1))  # noqa: DTZ001
