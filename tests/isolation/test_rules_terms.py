"""The isolation terms of the three shipped plans, read by the pure rules."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangyi.health.presets import PRESETS
from fangyi.isolation import rules

PLANS = {preset["code"]: preset["parameters"] for preset in PRESETS}


@pytest.mark.parametrize(
    ("plan", "reason", "term"),
    [
        ("2022-03", "close_contact", rules.Term("centralised", 14, (1, 4, 7, 14))),
        ("2022-03", "secondary_contact", rules.Term("centralised", 7, (1, 4, 7))),
        ("2022-03", "arrival", rules.Term("home", 14, (1, 4, 7, 14))),
        ("2022-03", "recovered", rules.Term("home", 14, (7, 14))),
        ("2022-06-9th", "close_contact", rules.Term("centralised", 7, (1, 2, 3, 5, 7))),
        ("2022-06-9th", "secondary_contact", rules.Term("home", 7, (1, 4, 7))),
        ("2022-06-9th", "arrival", rules.Term("home", 7, (1, 4, 7))),
        ("2022-06-9th", "recovered", rules.Term("home_monitoring", 7, (3, 7))),
        ("2022-11-20m", "close_contact", rules.Term("centralised", 5, (1, 2, 3, 5))),
        ("2022-11-20m", "secondary_contact", None),
        ("2022-11-20m", "arrival", rules.Term("home", 5, (1, 3, 5))),
        ("2022-11-20m", "recovered", rules.Term("home_monitoring", 5, (3, 5))),
    ],
)
def test_each_plan_gives_each_reason_its_term(plan, reason, term):
    assert rules.term_for(PLANS[plan], reason) == term


@pytest.mark.parametrize(
    ("plan", "stage"),
    [
        ("2022-03", rules.Term("home_monitoring", 7, (2, 7))),
        ("2022-06-9th", rules.Term("home_monitoring", 3, (3,))),
        ("2022-11-20m", rules.Term("home_monitoring", 3, (1, 3))),
    ],
)
def test_home_monitoring_follows_a_close_contacts_centralised_quarantine(plan, stage):
    assert rules.next_stage(PLANS[plan], "close_contact", "centralised") == stage
    # The monitoring stage itself has no further stage, nor do the other reasons.
    assert rules.next_stage(PLANS[plan], "close_contact", "home_monitoring") is None
    assert rules.next_stage(PLANS[plan], "arrival", "home") is None


def test_a_plan_without_terms_or_with_nonsense_proposes_nothing():
    assert rules.term_for({}, "close_contact") is None
    assert (
        rules.term_for({"arrival": {"quarantine_days": 0, "quarantine_kind": "home"}}, "arrival")
        is None
    )
    assert (
        rules.term_for({"arrival": {"quarantine_days": 3, "quarantine_kind": "hotel"}}, "arrival")
        is None
    )


def test_test_days_outside_the_term_are_dropped():
    parameters = {
        "arrival": {
            "quarantine_days": 3,
            "quarantine_kind": "home",
            "quarantine_test_days": [0, 3, 3, 9, 1],
        }
    }
    assert rules.term_for(parameters, "arrival") == rules.Term("home", 3, (1, 3))


START = datetime.datetime(2022, 7, 1, 8, 30, tzinfo=datetime.UTC)


def test_the_planned_end_is_the_start_plus_the_term_exactly():
    assert rules.planned_end(START, 7) == datetime.datetime(2022, 7, 8, 8, 30, tzinfo=datetime.UTC)
    assert rules.day_of(START, START) == 1
    assert rules.day_of(START, START + rules.DAY - datetime.timedelta(microseconds=1)) == 1
    assert rules.day_of(START, START + rules.DAY) == 2


@given(
    plan=st.sampled_from(sorted(PLANS)),
    reason=st.sampled_from(rules.REASONS),
    start=st.datetimes(
        min_value=datetime.datetime(2020, 1, 1),
        max_value=datetime.datetime(2030, 1, 1),
        timezones=st.just(datetime.UTC),
    ),
)
def test_every_term_of_every_plan_is_coherent(plan, reason, start):
    term = rules.term_for(PLANS[plan], reason)
    if term is None:
        return
    assert term.kind in rules.KINDS
    assert all(1 <= day <= term.days for day in term.test_days)
    assert list(term.test_days) == sorted(set(term.test_days))
    end = rules.planned_end(start, term.days)
    assert rules.day_of(start, end - datetime.timedelta(microseconds=1)) == term.days
    stage = rules.next_stage(PLANS[plan], reason, term.kind)
    if stage is not None:
        assert stage.kind == rules.HOME_MONITORING
        assert rules.next_stage(PLANS[plan], reason, stage.kind) is None
