"""Creating one task by hand: its region is the person's or household's building, only a
leader of that region may create it, and the creation is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.support import later


def test_a_person_task_lives_in_their_building(city, leader_a):
    task = services.create_task(
        actor=leader_a, kind="home_sampling", person=city.person_a, due_at=later(hours=2)
    )
    assert task.region == city.building_a and task.region_path == city.building_a.path
    assert task.household == city.household_a
    assert task.status == "open" and task.assignee is None
    assert task.created_by == leader_a and task.source == "manual"
    change = ObjectChange.objects.get(object_id=str(task.pk))
    assert change.action == ObjectChange.CREATE and change.region_path == city.building_a.path
    assert change.after["kind"] == "home_sampling" and change.after["person"] == str(
        city.person_a.pk
    )


def test_a_household_task_needs_no_person(city, leader_a):
    task = services.create_task(
        actor=leader_a, kind="delivery", household=city.household_a, due_at=later(days=1)
    )
    assert task.person is None and task.region == city.building_a
    assert str(task) == "配送上门 1号楼1单元101"


def test_a_task_can_be_created_already_assigned(city, leader_a, worker_a):
    task = services.create_task(
        actor=leader_a,
        kind="follow_up_visit",
        person=city.person_a,
        due_at=later(days=1),
        assignee=worker_a,
    )
    assert task.status == "assigned" and task.assignee == worker_a


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "person"),
        ({"kind": "casino"}, "kind"),
        ({"title": "x" * 101}, "title"),
        ({"due_at": None}, "due_at"),
    ],
)
def test_invalid_tasks_are_refused_by_field(city, leader_a, fields, field):
    arguments = {"kind": "home_sampling", "due_at": later(hours=1)}
    if field != "person":
        arguments["person"] = city.person_a
    with pytest.raises(ValidationError) as caught:
        services.create_task(actor=leader_a, **(arguments | fields))
    assert field in caught.value.message_dict
    assert not Task.objects.exists()


def test_a_person_of_another_household_is_refused(city, leader_a):
    with pytest.raises(ValidationError) as caught:
        services.create_task(
            actor=leader_a,
            kind="home_sampling",
            person=city.person_a,
            household=city.household_b,
            due_at=later(hours=1),
        )
    assert "household" in caught.value.message_dict


@pytest.mark.parametrize("who", ["worker_a", "leader_b"])
def test_only_a_leader_of_the_region_creates(city, who, request):
    with pytest.raises(PermissionDenied):
        services.create_task(
            actor=request.getfixturevalue(who),
            kind="home_sampling",
            person=city.person_a,
            due_at=later(hours=1),
        )
    assert not Task.objects.exists()


def test_an_officer_above_creates_in_any_grid_below(city, officer):
    task = services.create_task(
        actor=officer, kind="home_sampling", person=city.person_b, due_at=later(hours=1)
    )
    assert task.region == city.building_b
