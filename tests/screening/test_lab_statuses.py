"""Statuses follow results: a pooled positive turns its members yellow, a later negative
single-tube retest turns them green again, a positive single tube turns its person red; a
negative matters to those it clears."""

import pytest

from fangyi.health import services as health
from fangyi.health.models import FactKind
from fangyi.screening.lab import services as lab

from .lab_support import ago, filled_tube, lab_user, residents, result

pytestmark = pytest.mark.django_db


def _colours(persons) -> list[str]:
    return [health.current_status(person).colour for person in persons]


def test_a_pooled_positive_then_single_retests(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    members = residents(city, 10)
    filled_tube(sampler, site, "P0001", members, minutes_ago=50)
    assert _colours(members) == ["green"] * 10
    lab.record_results(
        actor=lab_staff, items=[result("P0001", "positive", tested_at=ago(minutes=40))]
    )
    assert _colours(members) == ["yellow"] * 10
    reasons = health.current_status(members[0]).reasons
    assert [reason["code"] for reason in reasons] == ["pooled_positive"]

    # Each member is sampled again alone; one comes back positive.
    for number, person in enumerate(members):
        filled_tube(sampler, site, f"R{number:04d}", [person], minutes_ago=20)
    lab.record_results(
        actor=lab_staff,
        items=[result("R0000", "positive")]
        + [result(f"R{number:04d}", "negative") for number in range(1, 10)],
    )
    assert _colours(members) == ["red"] + ["green"] * 9


def test_a_pooled_negative_does_not_clear_a_pooled_positive(city, sampler, site, round_now):
    lab_staff = lab_user(city)
    members = residents(city, 5)
    filled_tube(sampler, site, "P0001", members, minutes_ago=50)
    lab.record_results(actor=lab_staff, items=[result("P0001", "positive")])
    filled_tube(sampler, site, "N0001", members, minutes_ago=20)
    counts = lab.record_results(actor=lab_staff, items=[result("N0001", "negative")])
    # They have a fact that colours them, so their statuses were looked at again.
    assert counts.recomputed == 5
    assert _colours(members) == ["yellow"] * 5


def test_a_negative_clears_what_it_clears_and_leaves_others_alone(
    city, sampler, site, round_now, officer
):
    febrile, others = residents(city, 1)[0], residents(city, 4)
    health.record_fact(
        actor=officer,
        source="manual",
        person=febrile,
        kind=FactKind.FEVER_CLINIC_VISIT,
        occurred_at=ago(hours=3),
    )
    assert _colours([febrile]) == ["yellow"]
    filled_tube(sampler, site, "N0001", [febrile, *others])
    counts = lab.record_results(actor=lab_user(city), items=[result("N0001", "negative")])
    # Only the febrile person's status can change with a negative test.
    assert counts.recomputed == 1
    assert _colours([febrile, *others]) == ["green"] * 5
