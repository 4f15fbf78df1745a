"""Reporting periods (``7d``, ``30d``, ``90d``, ``all``, a month, a custom range) as inclusive
ranges of local dates — the keys daily aggregates are stored under."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bakedbot.errors import InvalidInput

ROLLING_PERIODS = {"7d": 7, "30d": 30, "90d": 90}
CALENDAR_PERIODS = ("day", "week", "month")
PERIODS = (*ROLLING_PERIODS, "all", *CALENDAR_PERIODS)
MAX_RANGE_DAYS = 3660


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"end date {self.end} is before start date {self.start}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def previous(self) -> DateRange:
        """The range of the same length just before this one."""
        return DateRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


def resolve_period(period: str, *, today: date, first_date: date | None = None) -> DateRange:
    """The dates of ``period`` ending ``today`` (``all`` starts at ``first_date``)."""
    if period in ROLLING_PERIODS:
        return DateRange(today - timedelta(days=ROLLING_PERIODS[period] - 1), today)
    if period == "all":
        return DateRange(min(first_date or today, today), today)
    if period == "day":
        return DateRange(today, today)
    if period == "week":
        return DateRange(today - timedelta(days=today.weekday()), today)
    if period == "month":
        return DateRange(today.replace(day=1), today)
    if period == "last_month":
        last_day = today.replace(day=1) - timedelta(days=1)
        return DateRange(last_day.replace(day=1), last_day)
    raise InvalidInput(period=f"period must be one of {', '.join(PERIODS)}; got {period!r}")


def parse_date_range(start: str, end: str) -> DateRange:
    """A custom range from two ISO dates, with errors naming the field."""
    parsed = {}
    for name, raw in (("start", start), ("end", end)):
        try:
            parsed[name] = date.fromisoformat((raw or "").strip())
        except ValueError:
            raise InvalidInput(
                {name: f"{name} must be a date like 2026-11-01; got {raw!r}"}
            ) from None
    if parsed["end"] < parsed["start"]:
        raise InvalidInput(end="end must not be before start")
    if (parsed["end"] - parsed["start"]).days >= MAX_RANGE_DAYS:
        raise InvalidInput(end=f"the range must be shorter than {MAX_RANGE_DAYS} days")
    return DateRange(parsed["start"], parsed["end"])


DASHBOARD_PERIODS = {
    "7d": "Last 7 days",
    "30d": "Last 30 days",
    "90d": "Last 90 days",
    "month": "Month to date",
    "last_month": "Last month",
    "all": "All time",
}
# What the period picker shows for each key (the label says it in words).
DASHBOARD_PERIOD_BUTTONS = {
    "7d": "7D",
    "30d": "30D",
    "90d": "90D",
    "month": "MTD",
    "last_month": "Last month",
    "all": "All",
}
CUSTOM = "custom"


@dataclass(frozen=True)
class PeriodChoice:
    """A dashboard period: its key (a ``DASHBOARD_PERIODS`` key or ``custom``) and dates."""

    key: str
    range: DateRange

    @property
    def label(self) -> str:
        if self.key == CUSTOM:
            return "Custom range"
        return DASHBOARD_PERIODS[self.key]


def parse_dashboard_period(
    period: str | None,
    start: str | None = None,
    end: str | None = None,
    *,
    today: date,
    first_date: date | None = None,
) -> PeriodChoice:
    """The period a dashboard URL asks for; ``InvalidInput`` naming the field when it is bad.

    No period and no dates: the last 30 days. Dates without a period: a custom range.
    """
    period = (period or "").strip()
    if start or end:
        if period not in ("", CUSTOM):
            raise InvalidInput(period="period must be custom when start and end dates are given")
        return PeriodChoice(CUSTOM, parse_date_range(start or "", end or ""))
    if period == CUSTOM:
        raise InvalidInput(start="start and end dates are required for a custom period")
    if not period:
        period = "30d"
    if period not in DASHBOARD_PERIODS:
        choices = ", ".join([*DASHBOARD_PERIODS, CUSTOM])
        raise InvalidInput(period=f"period must be one of {choices}; got {period!r}")
    return PeriodChoice(period, resolve_period(period, today=today, first_date=first_date))
