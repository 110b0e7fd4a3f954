"""Assigning: a leader in scope gives a pending task to a grid leader, worker or volunteer whose
role covers the task's region; anyone else is refused with a message naming the field."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from tests.factories import UserFactory, staff


def test_a_leader_assigns_to_a_worker_of_the_grid(task_a, leader_a, worker_a):
    task = services.assign(actor=leader_a, task=task_a, assignee=worker_a)
    task.refresh_from_db()
    assert task.status == "assigned" and task.assignee == worker_a
    change = ObjectChange.objects.filter(object_id=str(task.pk)).latest("time")
    assert change.before == {"assignee": None, "status": "open", "started_at": None}
    assert change.after["assignee"] == str(worker_a.pk) and change.after["status"] == "assigned"


def test_volunteers_and_leaders_may_take_tasks(task_a, leader_a, volunteer_a):
    services.assign(actor=leader_a, task=task_a, assignee=volunteer_a)
    assert task_a.assignee == volunteer_a
    services.assign(actor=leader_a, task=task_a, assignee=leader_a)
    assert task_a.assignee == leader_a


def test_a_community_volunteer_covers_its_grids(city, task_a, leader_a):
    helper = staff("volunteer", city.community, username="helper")
    services.assign(actor=leader_a, task=task_a, assignee=helper)
    assert task_a.assignee == helper


@pytest.mark.parametrize("who", ["worker_b", "officer", "nobody", "inactive"])
def test_others_are_refused_on_the_assignee_field(city, task_a, leader_a, who, request):
    if who == "nobody":
        assignee = UserFactory(username="nobody")
    elif who == "inactive":
        assignee = staff("grid_worker", city.grid_a, username="gone", is_active=False)
    else:
        assignee = request.getfixturevalue(who)
    with pytest.raises(ValidationError) as caught:
        services.assign(actor=leader_a, task=task_a, assignee=assignee)
    assert "网格员" in caught.value.message_dict["assignee"][0]
    task_a.refresh_from_db()
    assert task_a.status == "open" and task_a.assignee is None


@pytest.mark.parametrize("who", ["worker_a", "volunteer_a", "leader_b"])
def test_only_a_leader_in_scope_assigns(task_a, worker_a, who, request):
    with pytest.raises(PermissionDenied):
        services.assign(actor=request.getfixturevalue(who), task=task_a, assignee=worker_a)


def test_an_officer_above_assigns(task_b, officer, worker_b):
    services.assign(actor=officer, task=task_b, assignee=worker_b)
    assert task_b.assignee == worker_b


def test_reassigning_moves_the_task(assigned_a, leader_a, worker_a2):
    services.assign(actor=leader_a, task=assigned_a, assignee=worker_a2)
    assigned_a.refresh_from_db()
    assert assigned_a.assignee == worker_a2 and assigned_a.status == "assigned"


def test_a_finished_task_is_not_assigned(assigned_a, leader_a, worker_a, worker_a2):
    services.complete(actor=worker_a, task=assigned_a, note="已采样")
    with pytest.raises(ValidationError) as caught:
        services.assign(actor=leader_a, task=assigned_a, assignee=worker_a2)
    assert "status" in caught.value.message_dict


def test_takers_are_the_grid_team(city, task_a, leader_a, worker_a, volunteer_a, worker_b):
    staff("officer", city.street, username="street_officer")
    names = [user.username for user in services.takers(task_a.region_path)]
    assert names == ["leader_a", "volunteer_a", "worker_a"]
