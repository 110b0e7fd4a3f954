"""Working a task: the assignee (or a leader in scope) starts, completes or fails it; a leader
reopens it. Each step is audited and a finished task cannot be finished twice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task


def _last_change(task):
    return ObjectChange.objects.filter(object_id=str(task.pk)).latest("time")


def test_the_assignee_completes_with_a_note_and_a_result(assigned_a, worker_a):
    services.complete(actor=worker_a, task=assigned_a, note=" 已上门采样 ", result={"tube": "T1"})
    task = Task.objects.get(pk=assigned_a.pk)
    assert task.status == "done" and task.done_at is not None
    assert task.note == "已上门采样" and task.result == {"tube": "T1"}
    change = _last_change(task)
    assert change.before["status"] == "assigned" and change.after["status"] == "done"
    assert change.after["note"] == "已上门采样"


def test_the_assignee_starts_then_fails_with_a_reason(assigned_a, worker_a):
    services.start(actor=worker_a, task=assigned_a)
    assert Task.objects.get(pk=assigned_a.pk).started_at is not None
    services.fail(actor=worker_a, task=assigned_a, reason="多次敲门无人应答")
    task = Task.objects.get(pk=assigned_a.pk)
    assert task.status == "failed" and task.failure_reason == "多次敲门无人应答"
    assert _last_change(task).after["failure_reason"] == "多次敲门无人应答"


@pytest.mark.parametrize("reason", ["", "   "])
def test_failing_needs_a_reason(assigned_a, worker_a, reason):
    with pytest.raises(ValidationError) as caught:
        services.fail(actor=worker_a, task=assigned_a, reason=reason)
    assert "reason" in caught.value.message_dict
    assert Task.objects.get(pk=assigned_a.pk).status == "assigned"


@pytest.mark.parametrize("who", ["worker_a2", "volunteer_a", "worker_b", "leader_b"])
def test_nobody_else_works_the_task(assigned_a, who, request):
    actor = request.getfixturevalue(who)
    for step in (
        lambda: services.complete(actor=actor, task=assigned_a),
        lambda: services.fail(actor=actor, task=assigned_a, reason="不在家"),
        lambda: services.start(actor=actor, task=assigned_a),
    ):
        with pytest.raises(PermissionDenied):
            step()
    assert Task.objects.get(pk=assigned_a.pk).status == "assigned"


def test_a_leader_in_scope_may_complete_for_the_team(assigned_a, leader_a):
    services.complete(actor=leader_a, task=assigned_a, note="电话确认已采样")
    assert Task.objects.get(pk=assigned_a.pk).status == "done"


def test_a_worker_whose_role_ended_can_no_longer_work_it(assigned_a, worker_a):
    worker_a.role_assignments.all().delete()
    worker_a._fangyi_assignments = None
    with pytest.raises(PermissionDenied):
        services.complete(actor=worker_a, task=assigned_a)


def test_a_finished_task_cannot_be_finished_again(assigned_a, worker_a):
    services.complete(actor=worker_a, task=assigned_a)
    with pytest.raises(ValidationError):
        services.fail(actor=worker_a, task=assigned_a, reason="x")
    stale = Task.objects.get(pk=assigned_a.pk)
    stale.status = "assigned"  # another phone still shows it pending
    with pytest.raises(ValidationError) as caught:
        services.complete(actor=worker_a, task=stale)
    assert "status" in caught.value.message_dict
    assert Task.objects.get(pk=assigned_a.pk).status == "done"


@pytest.mark.parametrize(
    "result", [["not", "an", "object"], {"x": "\x00"}, {"x": float("nan")}, {"x": "y" * 5000}]
)
def test_odd_results_are_refused(assigned_a, worker_a, result):
    with pytest.raises(ValidationError) as caught:
        services.complete(actor=worker_a, task=assigned_a, result=result)
    assert "result" in caught.value.message_dict


def test_a_leader_reopens_to_the_same_worker(assigned_a, worker_a, leader_a):
    services.fail(actor=worker_a, task=assigned_a, reason="不在家")
    services.reopen(actor=leader_a, task=assigned_a, reason="明早再去")
    task = Task.objects.get(pk=assigned_a.pk)
    assert task.status == "assigned" and task.assignee == worker_a
    assert task.failure_reason == "" and task.done_at is None
    change = _last_change(task)
    assert change.before["failure_reason"] == "不在家" and change.after["reason"] == "明早再去"


def test_reopening_returns_to_the_pool_if_the_worker_left(assigned_a, worker_a, leader_a):
    services.complete(actor=worker_a, task=assigned_a)
    worker_a.role_assignments.all().delete()
    services.reopen(actor=leader_a, task=assigned_a)
    task = Task.objects.get(pk=assigned_a.pk)
    assert task.status == "open" and task.assignee is None


def test_only_leaders_reopen_and_only_finished_tasks(assigned_a, worker_a, leader_a, leader_b):
    with pytest.raises(ValidationError):
        services.reopen(actor=leader_a, task=assigned_a)
    services.complete(actor=worker_a, task=assigned_a)
    for actor in (worker_a, leader_b):
        with pytest.raises(PermissionDenied):
            services.reopen(actor=actor, task=assigned_a)
