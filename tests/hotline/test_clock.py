"""The working-time clock across weekends, holidays and adjusted working days."""

import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangyi.hotline import clock, presets

HOURS = clock.WorkingHours.parse("09:00", "18:00")
MINIMUM = datetime.timedelta(hours=2)
HELP = clock.limit_for(kind=presets.HELP, urgent=False)
COMPLAINT = clock.limit_for(kind=presets.COMPLAINT, urgent=False)


def at(text: str) -> datetime.datetime:
    """A Beijing wall-clock time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=clock.BEIJING)


def due(received: str, limit: clock.Limit, entered=None) -> datetime.datetime:
    return clock.deadlines(
        at(received), limit, hours=HOURS, entered=entered or {}, same_day_minimum=MINIMUM
    ).due_at


def test_the_limits_by_kind_urgency_and_category():
    assert clock.Limit(clock.WORKING_DAYS, 3) == HELP
    assert clock.Limit(clock.WORKING_DAYS, 13) == COMPLAINT
    assert clock.limit_for(kind=presets.EMERGENCY, urgent=False).measure == clock.SAME_DAY
    assert clock.limit_for(kind=presets.HELP, urgent=True).measure == clock.SAME_DAY
    assert clock.limit_for(kind=presets.EMERGENCY, urgent=True, limit_minutes=30) == (
        clock.Limit(clock.MINUTES, 30)
    )
    assert clock.limit_for(kind=presets.HELP, urgent=False, limit_working_days=5).amount == 5


def test_a_request_over_an_ordinary_weekend():
    # Friday 17:00: one hour on Friday, nine on Monday and Tuesday, eight on Wednesday.
    assert due("2026-03-06 17:00", HELP) == at("2026-03-11 17:00")
    # Received on Saturday, the clock starts on Monday morning.
    assert due("2026-03-07 10:00", HELP) == at("2026-03-11 18:00")
    # Before the office opens it starts at opening; after it closes, the next morning.
    assert due("2026-03-09 07:00", HELP) == at("2026-03-11 18:00")
    assert due("2026-03-09 20:00", HELP) == at("2026-03-12 18:00")


def test_spring_festival_2026_with_its_two_saturdays_worked():
    # 15–23 February are off; Saturday 14 and Saturday 28 February are worked.
    assert due("2026-02-13 10:00", HELP) == at("2026-02-25 10:00")
    assert due("2026-02-14 10:00", HELP) == at("2026-02-26 10:00")
    assert due("2026-02-16 10:00", HELP) == at("2026-02-26 18:00")
    # From Wednesday 25th: 25, 26, 27 … and Saturday 28th is a working day.
    assert due("2026-02-26 09:00", HELP) == at("2026-02-28 18:00")


def test_national_day_2026_and_the_sunday_worked_before_it():
    # Sunday 20 September is worked; Friday 25th (Mid-Autumn) and 1–7 October are off.
    assert due("2026-09-19 10:00", HELP) == at("2026-09-22 18:00")
    assert due("2026-09-24 09:00", HELP) == at("2026-09-29 18:00")
    assert due("2026-09-29 15:00", HELP) == at("2026-10-09 15:00")
    assert due("2026-09-30 09:00", HELP) == at("2026-10-09 18:00")
    # Thirteen working days from 28 September include Saturday 10 October.
    assert due("2026-09-28 09:00", COMPLAINT) == at("2026-10-20 18:00")


def test_eighty_percent_of_a_working_time_limit():
    # 3 × 9 h = 27 h; 80 % = 21 h 36 min of working time.
    deadlines = clock.deadlines(
        at("2026-03-09 09:00"), HELP, hours=HOURS, entered={}, same_day_minimum=MINIMUM
    )
    assert deadlines.warn_at == at("2026-03-11 12:36")
    assert deadlines.due_at == at("2026-03-11 18:00")


def test_same_day_and_the_hospital_line_are_wall_clock():
    same_day = clock.limit_for(kind=presets.EMERGENCY, urgent=False)
    # Saturday, a holiday: emergencies do not wait for a working day.
    assert due("2026-10-03 10:00", same_day) == at("2026-10-04 00:00")
    # Late at night: never less than the minimum.
    assert due("2026-10-03 23:30", same_day) == at("2026-10-04 01:30")
    line = clock.Limit(clock.MINUTES, 30)
    deadlines = clock.deadlines(
        at("2026-02-17 03:10"), line, hours=HOURS, entered={}, same_day_minimum=MINIMUM
    )
    assert deadlines == (at("2026-02-17 03:34"), at("2026-02-17 03:40"))


def test_a_year_the_package_does_not_know_falls_back_to_weekdays_and_entered_days():
    assert clock.officially_known(datetime.date(2026, 12, 31))
    assert not clock.officially_known(datetime.date(2027, 1, 4))
    # Monday 4 January 2027: Monday to Wednesday.
    assert due("2027-01-04 09:00", HELP) == at("2027-01-06 18:00")
    # An administrator enters Tuesday as a holiday and Saturday as worked.
    entered = {datetime.date(2027, 1, 5): False, datetime.date(2027, 1, 9): True}
    assert due("2027-01-04 09:00", HELP, entered) == at("2027-01-07 18:00")
    assert due("2027-01-08 09:00", HELP, entered) == at("2027-01-11 18:00")


def test_an_entered_day_wins_in_a_known_year_too():
    entered = {datetime.date(2026, 3, 10): False}
    assert due("2026-03-09 09:00", HELP, entered) == at("2026-03-12 18:00")


def test_working_hours_must_end_after_they_start():
    with pytest.raises(ValueError):
        clock.WorkingHours.parse("18:00", "09:00")


# A shared machine may stall the generator; the property, not its speed, is tested here.
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    received=st.datetimes(
        min_value=datetime.datetime(2025, 1, 1), max_value=datetime.datetime(2027, 12, 31)
    ),
    days=st.integers(min_value=1, max_value=15),
)
def test_a_working_time_deadline_falls_in_working_hours_of_a_working_day(received, days):
    received = received.replace(tzinfo=clock.BEIJING)
    limit = clock.Limit(clock.WORKING_DAYS, days)
    warn, due_at = clock.deadlines(
        received, limit, hours=HOURS, entered={}, same_day_minimum=MINIMUM
    )
    assert received < warn < due_at
    assert clock.is_workday(due_at.date(), {})
    assert HOURS.start < due_at.time() <= HOURS.end
    # At most the limit's days plus the longest holiday and its weekends, in calendar days.
    assert due_at - received < datetime.timedelta(days=days * 7 // 5 + 12)
