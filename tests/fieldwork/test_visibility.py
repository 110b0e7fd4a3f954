"""Who sees which tasks: leaders every task in their regions, grid workers and volunteers only
the tasks given to them, and nobody a task of another grid."""

from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.factories import UserFactory


def _visible(user):
    return set(Task.objects.restrict(user, "view").values_list("pk", flat=True))


def test_leaders_see_their_grid_and_officers_see_both(task_a, task_b, leader_a, officer):
    assert _visible(leader_a) == {task_a.pk}
    assert _visible(officer) == {task_a.pk, task_b.pk}


def test_workers_see_only_their_own_tasks(assigned_a, task_b, worker_a, worker_a2, worker_b):
    assert _visible(worker_a) == {assigned_a.pk}
    assert _visible(worker_a2) == set()
    assert _visible(worker_b) == set()


def test_a_worker_of_another_grid_cannot_be_given_a_task(task_a, leader_a, worker_b):
    assert worker_b not in services.takers(task_a.region_path)
    assert not services.may_take(worker_b, task_a.region_path)


def test_a_task_given_and_taken_back_disappears_from_the_workers_view(
    assigned_a, leader_a, worker_a, worker_a2
):
    services.assign(actor=leader_a, task=assigned_a, assignee=worker_a2)
    assert _visible(worker_a) == set() and _visible(worker_a2) == {assigned_a.pk}


def test_a_user_without_roles_sees_nothing(task_a, task_b):
    assert _visible(UserFactory(username="nobody")) == set()


def test_within_narrows_a_leaders_view(task_a, task_b, officer, city):
    rows = Task.objects.restrict(officer, "view", within=city.grid_b.path)
    assert list(rows) == [task_b]
