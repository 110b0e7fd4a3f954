"""Release readiness as a pure function: boundaries, and properties on all three plans."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from fangyi.health.presets import PRESETS
from fangyi.isolation import rules
from fangyi.isolation.rules import LabResult, Problem

START = datetime.datetime(2022, 7, 1, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)
DAY = rules.DAY
PLANS = {preset["code"]: preset["parameters"] for preset in PRESETS}


def on_day(day: int, hours: float = 2) -> datetime.datetime:
    return START + (day - 1) * DAY + hours * HOUR


def negatives(days):
    return [LabResult(on_day(day), "negative") for day in days]


def test_ready_when_every_test_day_is_negative_and_no_fever():
    end = rules.planned_end(START, 7)
    verdict = rules.readiness(
        start=START, test_days=[1, 2, 3, 5, 7], tests=negatives([1, 2, 3, 5, 7]), fevers=[], now=end
    )
    assert verdict == rules.Readiness(True, ())


def test_a_missing_test_day_is_named():
    end = rules.planned_end(START, 7)
    verdict = rules.readiness(
        start=START, test_days=[1, 2, 3, 5, 7], tests=negatives([1, 2, 5, 7]), fevers=[], now=end
    )
    assert verdict.problems == (Problem(rules.MISSING_TEST, 3),)


def test_a_test_just_before_its_day_counts_for_the_day_before():
    tests = [LabResult(START + DAY - datetime.timedelta(seconds=1), "negative")]
    verdict = rules.readiness(
        start=START, test_days=[2], tests=tests, fevers=[], now=START + 2 * DAY
    )
    assert verdict.problems == (Problem(rules.MISSING_TEST, 2),)
    tests = [LabResult(START + DAY, "negative")]
    assert rules.readiness(
        start=START, test_days=[2], tests=tests, fevers=[], now=START + 2 * DAY
    ).ready


def test_a_test_day_not_yet_begun_is_not_missing():
    now = START + DAY - datetime.timedelta(seconds=1)
    verdict = rules.readiness(
        start=START, test_days=[1, 2], tests=negatives([1]), fevers=[], now=now
    )
    assert verdict.ready
    verdict = rules.readiness(
        start=START, test_days=[1, 2], tests=negatives([1]), fevers=[], now=START + DAY
    )
    assert verdict.problems == (Problem(rules.MISSING_TEST, 2),)


def test_positive_and_invalid_tests_are_named_with_their_time():
    tests = [*negatives([1]), LabResult(on_day(2), "invalid"), LabResult(on_day(3, 5), "positive")]
    verdict = rules.readiness(
        start=START, test_days=[1, 2, 3], tests=tests, fevers=[], now=START + 3 * DAY
    )
    assert verdict.problems == (
        Problem(rules.INVALID_TEST, 2, on_day(2)),
        Problem(rules.POSITIVE_TEST, 3, on_day(3, 5)),
    )


def test_an_invalid_test_redone_negative_the_same_day_is_fine():
    tests = [LabResult(on_day(1, 1), "invalid"), LabResult(on_day(1, 3), "negative")]
    assert rules.readiness(
        start=START, test_days=[1], tests=tests, fevers=[], now=START + DAY
    ).ready


def test_a_positive_on_any_day_stops_the_release():
    tests = [*negatives([1, 3]), LabResult(on_day(2), "positive")]
    verdict = rules.readiness(
        start=START, test_days=[1, 3], tests=tests, fevers=[], now=START + 3 * DAY
    )
    assert verdict.problems == (Problem(rules.POSITIVE_TEST, 2, on_day(2)),)


def test_tests_before_the_start_or_after_now_do_not_count():
    tests = [LabResult(START - HOUR, "negative"), LabResult(START + 3 * DAY, "negative")]
    verdict = rules.readiness(start=START, test_days=[1], tests=tests, fevers=[], now=START + DAY)
    assert verdict.problems == (Problem(rules.MISSING_TEST, 1),)


def test_a_fever_in_the_last_24_hours_is_named_with_its_latest_time():
    now = START + 7 * DAY
    inside = now - 24 * HOUR + datetime.timedelta(seconds=1)
    verdict = rules.readiness(
        start=START, test_days=[], tests=[], fevers=[inside, now - 2 * HOUR], now=now
    )
    assert verdict.problems == (Problem(rules.FEVER, None, now - 2 * HOUR),)


def test_a_fever_exactly_24_hours_ago_no_longer_counts():
    now = START + 7 * DAY
    verdict = rules.readiness(
        start=START, test_days=[], tests=[], fevers=[now - 24 * HOUR], now=now
    )
    assert verdict.ready


@given(
    plan=st.sampled_from(sorted(PLANS)),
    reason=st.sampled_from(rules.REASONS),
    missing=st.sets(st.integers(min_value=1, max_value=14)),
    fever_hours_ago=st.one_of(st.none(), st.floats(min_value=0, max_value=72)),
    late_hours=st.floats(min_value=0, max_value=96),
)
def test_readiness_names_exactly_the_missing_days_and_a_recent_fever(
    plan, reason, missing, fever_hours_ago, late_hours
):
    term = rules.term_for(PLANS[plan], reason)
    if term is None:
        return
    now = rules.planned_end(START, term.days) + late_hours * HOUR
    taken = [day for day in term.test_days if day not in missing]
    fevers = [] if fever_hours_ago is None else [now - fever_hours_ago * HOUR]
    verdict = rules.readiness(
        start=START, test_days=term.test_days, tests=negatives(taken), fevers=fevers, now=now
    )
    expected_missing = sorted(set(term.test_days) & missing)
    assert [p.day for p in verdict.problems if p.code == rules.MISSING_TEST] == expected_missing
    has_fever = fever_hours_ago is not None and fever_hours_ago < 24
    assert any(p.code == rules.FEVER for p in verdict.problems) == has_fever
    assert verdict.ready == (not expected_missing and not has_fever)
