"""Budget periods in a tenant's own zone: the local day, the week from Monday, the calendar month.

A period is a range of local dates (the same dates the daily aggregates are keyed by) plus the two
instants that bound it. The instants come from local midnights, so a day is 23 or 25 hours long on
a DST change, and where a zone skips midnight itself the period starts at the first local instant
of that date.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class BudgetPeriod(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    @property
    def adjective(self) -> str:
        return {"day": "daily", "week": "weekly", "month": "monthly"}[self.value]


@dataclass(frozen=True)
class PeriodWindow:
    period: BudgetPeriod
    start_date: date
    end_date: date  # inclusive: the last local date of the period
    starts_at: datetime  # aware, in the tenant's zone
    resets_at: datetime  # aware, in the tenant's zone: the start of the next period

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.resets_at

    @property
    def length(self) -> timedelta:
        # Subtracting two datetimes that share a tzinfo gives wall-clock time; go through UTC.
        return self.resets_at.astimezone(UTC) - self.starts_at.astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``tz``.

    The round trip through UTC resolves a midnight that does not exist (the clocks jumped over it)
    to the instant the jump lands on, e.g. 01:00 on the day Chile starts summer time.
    """
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _first_and_next(period: BudgetPeriod, today: date) -> tuple[date, date]:
    if period is BudgetPeriod.DAY:
        return today, today + timedelta(days=1)
    if period is BudgetPeriod.WEEK:
        monday = today - timedelta(days=today.weekday())
        return monday, monday + timedelta(days=7)
    first = today.replace(day=1)
    following = (
        date(first.year + 1, 1, 1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    return first, following


def period_window(period: BudgetPeriod | str, *, tz: ZoneInfo, now: datetime) -> PeriodWindow:
    """The period of kind ``period`` that contains the aware instant ``now`` in zone ``tz``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    period = BudgetPeriod(period)
    first, following = _first_and_next(period, now.astimezone(tz).date())
    return PeriodWindow(
        period=period,
        start_date=first,
        end_date=following - timedelta(days=1),
        starts_at=local_midnight(first, tz),
        resets_at=local_midnight(following, tz),
    )


def current_periods(*, tz: ZoneInfo, now: datetime) -> list[PeriodWindow]:
    """Today's day, week and month windows, in that order."""
    return [period_window(period, tz=tz, now=now) for period in BudgetPeriod]
