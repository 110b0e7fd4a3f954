"""The due lists read each order's test results as the database summarises them (the last
result of each day, positives and invalid last results); the verdicts must be the ones the
rules give over every result, at the edges of the days too."""

import datetime

import pytest
from django.utils import timezone

from fangyi.health import services as health
from fangyi.health.models import Fact
from fangyi.isolation import readiness, rules
from fangyi.isolation.models import Order
from tests.isolation.support_orders import members, site_with_rooms, started

pytestmark = pytest.mark.django_db

DAY = rules.DAY
MICRO = datetime.timedelta(microseconds=1)

# Each case: results as (offset from the start, outcome), and fever-clinic visits as hours
# before now. The orders started 7.5 days ago with test days 1, 3 and 7 (set below).
CASES = {
    "every day covered": (
        [(DAY * 0, "negative"), (DAY * 2, "negative"), (DAY * 6, "negative")],
        [],
    ),
    "a result on the last microsecond of a day counts for it": (
        [(DAY - MICRO, "negative"), (DAY * 3 - MICRO, "negative"), (DAY * 7 - MICRO, "negative")],
        [],
    ),
    "a result on the first microsecond of the next day does not": (
        [(DAY, "negative"), (DAY * 3, "negative"), (DAY * 6, "negative")],
        [],
    ),
    "an invalid result mended later the same day": (
        [
            (DAY * 0, "invalid"),
            (DAY * 0 + MICRO, "negative"),
            (DAY * 2, "negative"),
            (DAY * 6, "negative"),
        ],
        [],
    ),
    "a negative result spoiled later the same day": (
        [
            (DAY * 0, "negative"),
            (DAY * 1 - MICRO, "invalid"),
            (DAY * 2, "negative"),
            (DAY * 6, "negative"),
        ],
        [],
    ),
    "a positive on a day between test days": (
        [
            (DAY * 0, "negative"),
            (DAY * 1, "positive"),
            (DAY * 2, "negative"),
            (DAY * 6, "negative"),
        ],
        [],
    ),
    "a positive and a negative at the same moment": (
        [
            (DAY * 0, "negative"),
            (DAY * 2, "positive"),
            (DAY * 2, "negative"),
            (DAY * 6, "negative"),
        ],
        [],
    ),
    "results before the start do not count": (
        [(-MICRO, "negative"), (DAY * 2, "negative"), (DAY * 6, "negative")],
        [],
    ),
    "a positive before the start does not count": (
        [(-DAY, "positive"), (DAY * 0, "negative"), (DAY * 2, "negative"), (DAY * 6, "negative")],
        [],
    ),
    "a fever-clinic visit of the last day": (
        [(DAY * 0, "negative"), (DAY * 2, "negative"), (DAY * 6, "negative")],
        [23],
    ),
    "a fever-clinic visit of the day before": (
        [(DAY * 0, "negative"), (DAY * 2, "negative"), (DAY * 6, "negative")],
        [25],
    ),
    "no result at all": ([], []),
}


@pytest.fixture
def ordered(city, officer):
    site = site_with_rooms(officer, city.community, "101-120", capacity=1)
    people = members(city.household_a, len(CASES))
    made = {}
    for person, (name, (results, visits)) in zip(people, CASES.items(), strict=True):
        order = started(officer, person, site, days_ago=7.5)
        Order.objects.filter(pk=order.pk).update(test_days=[1, 3, 7])
        order.refresh_from_db()
        for offset, outcome in results:
            health.record_fact(
                actor=officer,
                source="lab",
                person=person,
                kind="test_result",
                outcome=outcome,
                variant="single",
                occurred_at=order.started_at + offset,
            )
        for hours in visits:
            health.record_fact(
                actor=officer,
                source="clinic",
                person=person,
                kind="fever_clinic_visit",
                occurred_at=timezone.now() - datetime.timedelta(hours=hours),
            )
        made[name] = order
    return made


def by_the_rules(order: Order, now) -> rules.Readiness:
    facts = Fact.objects.filter(person_id=order.person_id)
    return rules.readiness(
        start=order.started_at,
        test_days=order.test_days,
        tests=[
            rules.LabResult(fact.occurred_at, fact.outcome)
            for fact in facts.filter(kind="test_result")
        ],
        fevers=[fact.occurred_at for fact in facts.filter(kind="fever_clinic_visit")],
        now=now,
    )


def test_the_summaries_give_the_verdicts_of_the_rules(ordered):
    now = timezone.now()
    verdicts = readiness.assess(Order.objects.all(), now)
    for name, order in ordered.items():
        expected = by_the_rules(order, now)
        assert (verdicts[order.pk].ready, verdicts[order.pk].problems) == expected, name


def test_the_cases_are_not_all_alike(ordered):
    verdicts = readiness.assess(Order.objects.all())
    codes = {problem.code for item in verdicts.values() for problem in item.problems}
    assert codes == {rules.MISSING_TEST, rules.INVALID_TEST, rules.POSITIVE_TEST, rules.FEVER}
    assert verdicts[ordered["every day covered"].pk].ready
    assert not verdicts[
        ordered["a result on the first microsecond of the next day does not"].pk
    ].ready


def test_a_retracted_result_does_not_count(ordered, officer):
    order = ordered["every day covered"]
    last = Fact.objects.filter(person_id=order.person_id, kind="test_result").latest("occurred_at")
    health.retract_fact(actor=officer, fact=last, reason="样本编号错误")
    verdict = readiness.assess(Order.objects.filter(pk=order.pk))[order.pk]
    assert [(problem.code, problem.day) for problem in verdict.problems] == [
        (rules.MISSING_TEST, 7)
    ]
