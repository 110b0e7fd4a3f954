"""A request's clock: how much of its time limit has gone, as a colour.

Pure: times in, a colour out. Green until three quarters of the limit have passed, amber from
there up to the limit itself, red once past it. An ended request has no clock.
"""

import datetime
from typing import Literal

Clock = Literal["green", "amber", "red"]

# The share of the limit after which the clock warns.
AMBER_FROM = 0.75


def clock(
    *, submitted_at: datetime.datetime, due_at: datetime.datetime, now: datetime.datetime
) -> Clock:
    if now > due_at:
        return "red"
    if now >= submitted_at + (due_at - submitted_at) * AMBER_FROM:
        return "amber"
    return "green"


def remaining(due_at: datetime.datetime, now: datetime.datetime) -> datetime.timedelta:
    """Time left before the limit; negative once it has passed."""
    return due_at - now
