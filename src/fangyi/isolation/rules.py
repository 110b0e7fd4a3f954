"""The isolation rules as pure functions: terms from a policy, planned ends, release readiness
and the next stage. No database here: times are aware datetimes, tests and fevers plain tuples,
so that the rules are tested exhaustively and run over 100,000 orders in one pass.

Days of a term are counted from its start: day N is the half-open window
[start + (N - 1) days, start + N days), and a term of D days ends at start + D days exactly.
"""

import datetime
from collections.abc import Iterable
from typing import Any, NamedTuple

DAY = datetime.timedelta(days=1)
# No fever in the last 24 hours before release (issue 15).
FEVER_WINDOW = datetime.timedelta(hours=24)

CENTRALISED = "centralised"
HOME = "home"
HOME_MONITORING = "home_monitoring"
KINDS = (CENTRALISED, HOME, HOME_MONITORING)

CLOSE_CONTACT = "close_contact"
SECONDARY_CONTACT = "secondary_contact"
ARRIVAL = "arrival"
RECOVERED = "recovered"
REASONS = (CLOSE_CONTACT, SECONDARY_CONTACT, ARRIVAL, RECOVERED)

NEGATIVE = "negative"
POSITIVE = "positive"
INVALID = "invalid"

# Why an order past its planned end is not ready: the codes the due list shows.
MISSING_TEST = "missing_test"
POSITIVE_TEST = "positive_test"
INVALID_TEST = "invalid_test"
FEVER = "fever"


class Term(NamedTuple):
    """What a plan prescribes for one reason: where, how long, which days are tested."""

    kind: str
    days: int
    test_days: tuple[int, ...]


class LabResult(NamedTuple):
    at: datetime.datetime
    outcome: str


class Problem(NamedTuple):
    """One reason an order is not ready: a code, the test day it concerns, and when."""

    code: str
    day: int | None = None
    at: datetime.datetime | None = None


class Readiness(NamedTuple):
    ready: bool
    problems: tuple[Problem, ...]


def _days(value: Any) -> int:
    days = int(value or 0)
    return days if days > 0 else 0


def _test_days(value: Any, days: int) -> tuple[int, ...]:
    """Test days inside the term, once each, in order: a plan's typo cannot schedule day 0."""
    return tuple(sorted({int(day) for day in value or () if 1 <= int(day) <= days}))


def term_for(parameters: dict[str, Any], reason: str) -> Term | None:
    """The term a plan prescribes for a reason; None when the plan does not isolate for it
    (e.g. secondary contacts under the 20 measures)."""
    section = parameters.get(reason)
    if not section:
        return None
    days = _days(section.get("quarantine_days"))
    kind = section.get("quarantine_kind") or ""
    if not days or kind not in KINDS:
        return None
    return Term(kind, days, _test_days(section.get("quarantine_test_days"), days))


def next_stage(parameters: dict[str, Any], reason: str, kind: str) -> Term | None:
    """The term that follows an order of `kind` for `reason` once released, when the plan says
    one does: home monitoring after a close contact's quarantine. An order that is itself
    the monitoring stage has none."""
    section = parameters.get(reason) or {}
    if not section.get("next_stage") or kind != section.get("quarantine_kind"):
        return None
    days = _days(section.get("monitoring_days"))
    if not days:
        return None
    return Term(HOME_MONITORING, days, _test_days(section.get("monitoring_test_days"), days))


def planned_end(start: datetime.datetime, days: int) -> datetime.datetime:
    return start + days * DAY


def day_window(start: datetime.datetime, day: int) -> tuple[datetime.datetime, datetime.datetime]:
    return start + (day - 1) * DAY, start + day * DAY


def day_of(start: datetime.datetime, moment: datetime.datetime) -> int:
    """The day of the term `moment` falls on (1 for the first day)."""
    return (moment - start) // DAY + 1


def readiness(
    *,
    start: datetime.datetime,
    test_days: Iterable[int],
    tests: Iterable[LabResult],
    fevers: Iterable[datetime.datetime],
    now: datetime.datetime,
) -> Readiness:
    """Whether an order may be released at `now`.

    Ready when every scheduled test day whose window has begun has a test, the last of that
    day negative, no test since the start was positive, and no fever was reported in the last
    24 hours. Otherwise every problem is named: a missing test on day N, a positive or invalid
    test (day and time), a fever at time T.
    """
    by_day: dict[int, LabResult] = {}
    problems: list[Problem] = []
    for test in sorted(tests):
        if test.at < start or test.at > now:
            continue
        day = day_of(start, test.at)
        by_day[day] = test
        if test.outcome == POSITIVE:
            problems.append(Problem(POSITIVE_TEST, day, test.at))
    for day in sorted(set(test_days)):
        if day_window(start, day)[0] > now:
            break
        last = by_day.get(day)
        if last is None:
            problems.append(Problem(MISSING_TEST, day))
        elif last.outcome == INVALID:
            problems.append(Problem(INVALID_TEST, day, last.at))
    recent = [at for at in fevers if now - FEVER_WINDOW < at <= now]
    if recent:
        problems.append(Problem(FEVER, None, max(recent)))
    problems.sort(key=lambda problem: (problem.day or 0, problem.code))
    return Readiness(not problems, tuple(problems))
