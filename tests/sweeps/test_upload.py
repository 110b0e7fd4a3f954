"""Uploading visits: idempotent by the phone's visit id; two answered visits of one household are
both kept and flagged; doors not answered twice are listed for the community."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.fieldwork.models import Task, TaskStatus
from fangyi.health.models import Fact
from fangyi.people.models import Person
from fangyi.sweeps import services
from fangyi.sweeps.models import Door, DoorState, Visit
from tests.factories import HouseholdFactory, resident_id
from tests.support import later
from tests.sweeps.support import start, upload, visit

pytestmark = pytest.mark.django_db


def newcomer(city):
    return {"newcomers": [{"name": "赵新来", "id_number": resident_id(), "phone": ""}]}


def test_the_same_visit_uploaded_twice_is_taken_once(city, officer, worker_a):
    sweep = start(officer, city.grid_a)
    same = visit(city.household_a, answers=newcomer(city), pk=uuid.uuid4())
    first = upload(worker_a, sweep, same)
    persons = Person.objects.count()
    again = upload(worker_a, sweep, same)
    assert first.accepted == [str(same.id)] and again.duplicates == [str(same.id)]
    assert again.accepted == []
    assert Visit.objects.filter(sweep=sweep).count() == 1
    assert Person.objects.count() == persons
    door = Door.objects.get(sweep=sweep, household=city.household_a)
    assert (door.visits, door.newcomers) == (1, 1)


def test_a_household_visited_twice_keeps_both_and_applies_the_first(city, officer, worker_a):
    sweep = start(officer, city.grid_a)
    persons = Person.objects.count()
    upload(worker_a, sweep, visit(city.household_a, answers=newcomer(city)))
    second = visit(city.household_a, answers=newcomer(city))
    result = upload(officer, sweep, second)
    assert result.conflicts == [str(second.id)]
    assert Visit.objects.filter(sweep=sweep).count() == 2
    assert Visit.objects.get(pk=second.id).conflict
    door = Door.objects.get(sweep=sweep, household=city.household_a)
    assert door.conflict and door.newcomers == 1
    assert Person.objects.count() == persons + 1


def test_two_doors_not_answered_list_the_household_for_the_community(city, officer, worker_a):
    sweep = start(officer, city.grid_a)
    upload(worker_a, sweep, visit(city.household_a, outcome="not_answered"))
    door = Door.objects.get(sweep=sweep, household=city.household_a)
    assert (door.state, door.misses) == (DoorState.NOT_ANSWERED, 1)
    task = Task.objects.get(source=sweep.source, household=city.household_a)
    assert task.status == TaskStatus.OPEN
    upload(worker_a, sweep, visit(city.household_a, outcome="not_answered"))
    door.refresh_from_db()
    task.refresh_from_db()
    assert (door.state, door.misses) == (DoorState.LISTED, 2)
    assert task.status == TaskStatus.FAILED


def test_an_answered_door_completes_its_task(city, officer, worker_a):
    sweep = start(officer, city.grid_a)
    upload(worker_a, sweep, visit(city.household_a))
    assert Task.objects.get(source=sweep.source, household=city.household_a).status == "done"


def test_a_malformed_visit_refuses_the_batch_naming_it(city, officer, worker_a):
    sweep = start(officer, city.grid_a)
    good = visit(city.household_a)
    bad = visit(
        city.household_a, answers={"members": [{"person": str(uuid.uuid4()), "status": "here"}]}
    )
    with pytest.raises(ValidationError) as raised:
        upload(worker_a, sweep, good, bad)
    assert "visits.1.answers.members.0.person" in raised.value.message_dict
    assert not Visit.objects.exists()


def test_a_risk_level_not_offered_is_refused(city, officer, worker_a):
    sweep = start(officer, city.grid_a)
    answers = {
        "arrivals": [
            {
                "who": str(city.person_a.pk),
                "from": "x",
                "risk": "sealed",
                "arrived_at": "2026-01-01T00:00:00+08:00",
            }
        ]
    }
    with pytest.raises(ValidationError) as raised:
        upload(worker_a, sweep, visit(city.household_a, answers=answers))
    assert "visits.0.answers.arrivals.0.risk" in raised.value.message_dict


def test_a_household_the_uploader_may_not_record_is_named_like_any_refusal(city, officer, worker_b):
    sweep = start(officer, city.community)
    with pytest.raises(ValidationError) as raised:
        upload(worker_b, sweep, visit(city.household_b), visit(city.household_a))
    assert list(raised.value.message_dict) == ["visits.1.household"]
    assert not Visit.objects.exists()


def test_someone_without_the_right_to_record_visits_cannot_upload(city, officer, nobody):
    sweep = start(officer, city.grid_a)
    with pytest.raises(PermissionDenied):
        upload(nobody, sweep, visit(city.household_a))


def test_every_visit_refused_is_named_and_the_others_go_through_without_it(
    city, officer, leader_a, worker_a
):
    """What a phone does with a 422: set aside the visits it names, send the rest again. A
    member moved out by another visit of the sweep, a phone clock running fast, and a visit
    id another sweep has taken are each named; nothing of the batch is written until the
    rest is sent without them."""
    elsewhere = HouseholdFactory(building=city.building_a, room="102")
    next_door = HouseholdFactory(building=city.building_a, room="103")
    sweep = start(officer, city.community)
    other = start(officer, city.grid_b, title="另一次排查")
    taken = upload(officer, other, visit(city.household_b, outcome="not_answered"))
    # Another visit of the sweep finds person A living elsewhere: they move there.
    moved = {
        "newcomers": [
            {"name": city.person_a.name, "id_number": city.person_a.id_number, "phone": ""}
        ]
    }
    upload(leader_a, sweep, visit(elsewhere, answers=moved))
    stale = visit(
        city.household_a, answers={"members": [{"person": str(city.person_a.pk), "status": "here"}]}
    )
    good = visit(next_door, outcome="not_answered")
    fast = visit(next_door, outcome="not_answered", at=later(minutes=11))
    reused = visit(next_door, outcome="not_answered", pk=uuid.UUID(taken.accepted[0]))
    with pytest.raises(ValidationError) as raised:
        upload(worker_a, sweep, stale, good, fast, reused)
    assert sorted(raised.value.message_dict) == [
        "visits.0.answers.members.0.person",
        "visits.2.visited_at",
        "visits.3.id",
    ]
    assert not Visit.objects.filter(sweep=sweep, pk=good.id).exists()
    result = upload(worker_a, sweep, good)
    assert result.accepted == [str(good.id)]
    door = Door.objects.get(sweep=sweep, household=next_door)
    assert (door.state, door.misses) == (DoorState.NOT_ANSWERED, 1)


def test_an_ended_sweep_takes_no_visits(city, officer, worker_a):
    sweep = services.end_sweep(actor=officer, sweep=start(officer, city.grid_a))
    with pytest.raises(ValidationError):
        upload(worker_a, sweep, visit(city.household_a))


def test_a_volunteer_records_the_visit_and_the_facts_wait_for_a_worker(city, officer, volunteer_a):
    sweep = start(officer, city.grid_a)
    result = upload(
        volunteer_a,
        sweep,
        visit(
            city.household_a,
            answers={"health": [{"who": str(city.person_a.pk), "temperature": 38.5}]},
        ),
    )
    assert Door.objects.get(sweep=sweep, household=city.household_a).state == DoorState.VISITED
    assert not Fact.objects.filter(source="sweep").exists()
    [problems] = result.problems.values()
    assert problems[0]["what"] == "facts"
