"""The working-time clock: when a ticket is due, and when 80 % of its limit has gone.

Pure functions of their arguments (no database, no settings): the services pass the working
hours from settings and the days an administrator entered (`CalendarDay`).

- A category may set a wall-clock limit in minutes (the red/yellow-code hospital line: 30).
- Emergencies, medical help and urgent tickets are due the same day: by midnight Beijing time
  of the day they were received, and never in less than `same_day_minimum` (a call at 23:30
  is not due at midnight).
- Requests for help are due within 3 working days, complaints within 13, or the category's
  own number: working hours (e.g. 09:00–18:00) of the official calendar's working days,
  counted from the moment the call was received (a call on Saturday starts on Monday
  morning).

Working days are China's official calendar, with the weekend days that are worked to make
up for a holiday (调休), from the `chinesecalendar` package. The package knows the years its
release was published for (to 2026 in 1.11) and raises for a later year; a day of such a year
is a working day from Monday to Friday, unless an administrator entered it otherwise
(`CalendarDay`: the holidays and adjusted days the State Council announces each autumn).
A day entered by an administrator wins in any year.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar

from . import presets

BEIJING = ZoneInfo("Asia/Shanghai")

MINUTES, SAME_DAY, WORKING_DAYS = "minutes", "same_day", "working_days"

DEFAULT_WORKING_DAYS = {presets.HELP: 3, presets.COMPLAINT: 13}

# What 80 % means: the point of a limit at which the unit's supervisors are told.
WARN_AT = 0.8

# A holiday season is at most a few weeks; a year without one working day is a mistake in
# the entered days, not a reason to loop for ever.
_SEARCH_DAYS = 366


@dataclass(frozen=True)
class WorkingHours:
    start: datetime.time
    end: datetime.time

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("working hours must end after they start")

    @property
    def length(self) -> datetime.timedelta:
        day = datetime.date(2000, 1, 1)
        return datetime.datetime.combine(day, self.end) - datetime.datetime.combine(day, self.start)

    @classmethod
    def parse(cls, start: str, end: str) -> "WorkingHours":
        return cls(datetime.time.fromisoformat(start), datetime.time.fromisoformat(end))


class Limit(NamedTuple):
    measure: str
    amount: int


class Deadlines(NamedTuple):
    warn_at: datetime.datetime
    due_at: datetime.datetime


def limit_for(
    *,
    kind: str,
    urgent: bool,
    limit_minutes: int | None = None,
    limit_working_days: int | None = None,
) -> Limit:
    """The limit of a ticket of a category of `kind` (with the category's own numbers)."""
    if limit_minutes:
        return Limit(MINUTES, limit_minutes)
    if kind == presets.EMERGENCY or urgent:
        return Limit(SAME_DAY, 0)
    return Limit(WORKING_DAYS, limit_working_days or DEFAULT_WORKING_DAYS[kind])


def officially_known(day: datetime.date) -> bool:
    """Whether the calendar package knows the day's year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: datetime.date, entered: Mapping[datetime.date, bool]) -> bool:
    if day in entered:
        return entered[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=BEIJING)


def add_working_time(
    start: datetime.datetime,
    amount: datetime.timedelta,
    *,
    hours: WorkingHours,
    entered: Mapping[datetime.date, bool],
) -> datetime.datetime:
    """The moment `amount` of working time after `start` (an aware datetime)."""
    if amount <= datetime.timedelta(0):
        return start
    cursor = start.astimezone(BEIJING)
    day = cursor.date()
    remaining = amount
    for _ in range(_SEARCH_DAYS * 2):
        if is_workday(day, entered):
            begin = max(cursor, _at(day, hours.start))
            close = _at(day, hours.end)
            if begin < close:
                if remaining <= close - begin:
                    return begin + remaining
                remaining -= close - begin
        day += datetime.timedelta(days=1)
        cursor = _at(day, datetime.time(0))
    raise ValueError("no working day within two years: check the calendar's entered days")


def deadlines(
    received: datetime.datetime,
    limit: Limit,
    *,
    hours: WorkingHours,
    entered: Mapping[datetime.date, bool],
    same_day_minimum: datetime.timedelta,
) -> Deadlines:
    """When 80 % of the limit has gone, and when the ticket is due."""
    if limit.measure == MINUTES:
        span = datetime.timedelta(minutes=limit.amount)
        return Deadlines(received + span * WARN_AT, received + span)
    if limit.measure == SAME_DAY:
        local = received.astimezone(BEIJING)
        midnight = _at(local.date() + datetime.timedelta(days=1), datetime.time(0))
        due = max(midnight, received + same_day_minimum)
        return Deadlines(received + (due - received) * WARN_AT, due)
    total = hours.length * limit.amount
    return Deadlines(
        add_working_time(received, total * WARN_AT, hours=hours, entered=entered),
        add_working_time(received, total, hours=hours, entered=entered),
    )


def calendar_span(received: datetime.datetime, limit: Limit) -> tuple[datetime.date, datetime.date]:
    """The days whose entered calendar a deadline may read: enough for the limit's working
    days over the longest holidays (Spring Festival's nine days) and weekends between."""
    first = received.astimezone(BEIJING).date()
    days = limit.amount * 2 + 21 if limit.measure == WORKING_DAYS else 1
    return first, first + datetime.timedelta(days=days)
