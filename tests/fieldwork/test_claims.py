"""The delivery pool: the grid's team claims an open delivery nobody holds (我来送), one person
only; the claimer can give it back; nobody outside the grid's team can claim it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.factories import staff


def _stored(task):
    return Task.objects.get(pk=task.pk)


def test_a_volunteer_claims_a_delivery_of_their_grid(delivery_a, volunteer_a):
    services.claim(actor=volunteer_a, task=delivery_a)
    task = _stored(delivery_a)
    assert task.assignee == volunteer_a and task.status == "assigned"
    assert task.claimed_at is not None and task.started_at is None
    change = ObjectChange.objects.filter(object_id=str(task.pk)).latest("time")
    assert change.actor == volunteer_a
    assert change.before["assignee"] is None and change.after["assignee"] == str(volunteer_a.pk)
    assert change.after["claimed_at"]


def test_the_second_claimer_is_told_someone_was_quicker(delivery_a, volunteer_a, worker_a2):
    services.claim(actor=volunteer_a, task=delivery_a)
    stale_copy = Task.objects.get(pk=delivery_a.pk)
    stale_copy.status, stale_copy.assignee = "open", None  # the second phone's view
    with pytest.raises(services.ClaimConflict, match="已被他人认领"):
        services.claim(actor=worker_a2, task=stale_copy)
    assert _stored(delivery_a).assignee == volunteer_a


def test_claiming_twice_keeps_the_first_claim(delivery_a, volunteer_a):
    first = services.claim(actor=volunteer_a, task=delivery_a).claimed_at
    services.claim(actor=volunteer_a, task=Task.objects.get(pk=delivery_a.pk))
    assert _stored(delivery_a).claimed_at == first
    assert ObjectChange.objects.filter(object_id=str(delivery_a.pk)).count() == 2


def test_a_finished_delivery_cannot_be_claimed(delivery_a, leader_a, worker_a2):
    services.complete(actor=leader_a, task=delivery_a, note="已送达")
    with pytest.raises(services.ClaimConflict, match="已办结"):
        services.claim(actor=worker_a2, task=_stored(delivery_a))


@pytest.mark.parametrize("who", ["worker_b", "leader_b", "officer", "commander"])
def test_only_the_team_of_the_tasks_grid_may_claim(delivery_a, who, request):
    with pytest.raises(PermissionDenied):
        services.claim(actor=request.getfixturevalue(who), task=delivery_a)
    assert _stored(delivery_a).assignee is None


def test_a_volunteer_of_the_community_may_claim_in_its_grids(city, delivery_a, delivery_b):
    helper = staff("volunteer", city.community, username="community_helper")
    services.claim(actor=helper, task=delivery_b)
    assert _stored(delivery_b).assignee == helper


def test_tasks_that_are_not_deliveries_are_not_in_the_pool(task_a, volunteer_a):
    assert not Task.objects.pool(volunteer_a).filter(pk=task_a.pk).exists()
    with pytest.raises(PermissionDenied):
        services.claim(actor=volunteer_a, task=task_a)


def test_the_pool_is_the_open_unheld_deliveries_of_ones_grids(
    delivery_a, delivery_b, volunteer_a, worker_a2
):
    assert list(Task.objects.pool(volunteer_a)) == [delivery_a]
    services.claim(actor=worker_a2, task=delivery_a)
    assert not Task.objects.pool(volunteer_a).exists()
    assert list(Task.objects.pool(staff("volunteer", delivery_b.region.parent))) == [delivery_b]


def test_the_claimer_gives_it_back_and_the_task_says_so(delivery_a, volunteer_a, worker_a2):
    services.claim(actor=volunteer_a, task=delivery_a)
    services.unclaim(actor=volunteer_a, task=_stored(delivery_a))
    task = _stored(delivery_a)
    assert task.status == "open" and task.assignee is None and task.claimed_at is None
    assert task.release_cause == "given_back" and task.released_from == volunteer_a
    assert task.released_at is not None
    change = ObjectChange.objects.filter(object_id=str(task.pk)).latest("time")
    assert change.after["release_cause"] == "given_back"
    services.claim(actor=worker_a2, task=task)
    assert _stored(delivery_a).assignee == worker_a2


def test_only_the_claimer_may_give_it_back(delivery_a, volunteer_a, worker_a2, leader_a):
    services.claim(actor=volunteer_a, task=delivery_a)
    for other in (worker_a2, leader_a):
        with pytest.raises(PermissionDenied):
            services.unclaim(actor=other, task=_stored(delivery_a))
    assert _stored(delivery_a).assignee == volunteer_a


def test_a_task_given_by_a_leader_is_not_a_claim_to_give_back(delivery_a, leader_a, volunteer_a):
    services.claim(actor=volunteer_a, task=delivery_a)
    services.assign(actor=leader_a, task=_stored(delivery_a), assignee=volunteer_a)
    task = services.assign(
        actor=leader_a, task=_stored(delivery_a), assignee=staff("volunteer", delivery_a.region)
    )
    assert _stored(task).claimed_at is None
    with pytest.raises(PermissionDenied):
        services.unclaim(actor=volunteer_a, task=_stored(task))
    with pytest.raises(ValidationError):
        services.unclaim(actor=task.assignee, task=_stored(task))
