"""Cron schedules evaluated on the tenant's wall clock.

croniter iterates naive local times; each candidate is then placed in the tenant's zone here, so
the rules across daylight-saving changes are ours and explicit:

- a local time skipped when clocks go forward runs at the same wall-clock offset after the jump
  (02:30 on a spring-forward night in Denver runs at 03:30 MDT);
- a local time that happens twice when clocks go back runs once, on its first occurrence
  (daylight time); the repeated hour does not run it again.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo

from croniter import croniter

DST_NOTE = (
    "Times follow the organisation's time zone. When clocks go back, a time in the repeated hour "
    "runs once, on its first occurrence (daylight time); when clocks go forward, a time in the "
    "skipped hour runs right after the jump (02:30 becomes 03:30)."
)


def validate_cron(expression: str) -> str:
    """The normalised expression, or ``ValueError`` saying what is wrong (a field cleaner, as in
    ``bakedbot.validation``)."""
    value = " ".join(expression.split())
    fields = value.split(" ") if value else []
    if len(fields) != 5:
        raise ValueError(
            f"“{expression}” is not a cron schedule: it needs 5 fields "
            "(minute hour day-of-month month day-of-week), for example “0 9 * * 1”."
        )
    if not croniter.is_valid(value):
        raise ValueError(
            f"“{expression}” is not a valid cron schedule (minute 0-59, hour 0-23, "
            "day of month 1-31, month 1-12, day of week 0-6)."
        )
    return value


def _local_candidates(expression: str, start_naive: datetime) -> Iterator[datetime]:
    iterator = croniter(expression, start_naive)
    while True:
        yield iterator.get_next(datetime)


def _to_utc(naive_local: datetime, zone: tzinfo) -> datetime:
    # fold=0: the first occurrence of a repeated time; for a skipped time the offset before the
    # jump, which lands the same distance after it.
    return naive_local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def iter_slots(expression: str, zone: tzinfo, after: datetime) -> Iterator[datetime]:
    """Scheduled instants (aware, UTC) strictly after ``after``, in order, without repeats."""
    if after.tzinfo is None:
        raise ValueError("after must be an aware datetime")
    start_naive = after.astimezone(zone).replace(tzinfo=None, fold=0, second=0, microsecond=0)
    # Start an hour early on the wall clock: a time skipped by a spring-forward jump lands after
    # the jump, so it can be due although its wall-clock time is earlier than `after`'s. Instants
    # at or before `after`, and repeats (a skipped time and a real one on the same instant), drop.
    previous = after
    for candidate in _local_candidates(expression, start_naive - timedelta(hours=1)):
        instant = _to_utc(candidate, zone)
        if instant <= previous:
            continue
        previous = instant
        yield instant


def next_slot(expression: str, zone: tzinfo, after: datetime) -> datetime:
    """The first scheduled instant (UTC) strictly after ``after``."""
    return next(iter_slots(expression, zone, after))


def count_slots(expression: str, zone: tzinfo, start: datetime, end: datetime, cap: int) -> int:
    """How many slots fall in ``[start, end]``, counting at most ``cap``."""
    count = 0
    for slot in iter_slots(expression, zone, start - timedelta(microseconds=1)):
        if slot > end or count >= cap:
            break
        count += 1
    return count


def upcoming(expression: str, zone: tzinfo, after: datetime, n: int) -> list[datetime]:
    slots = iter_slots(expression, zone, after)
    return [next(slots) for _ in range(n)]
