"""complete_many / fail_many: many pending tasks finished in one UPDATE, each audited as a
single completion is and announced after commit; all or none."""

import pytest
from django.core.exceptions import ValidationError

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services, signals
from fangyi.fieldwork.models import Task
from tests.support import later

pytestmark = pytest.mark.django_db


def _tasks(city, officer):
    return [
        services.create_task(
            actor=officer, kind="follow_up_visit", household=household, due_at=later(days=1)
        )
        for household in (city.household_a, city.household_b)
    ]


def test_completed_together_audited_each_and_announced(
    city, officer, django_capture_on_commit_callbacks
):
    tasks = _tasks(city, officer)
    heard = []

    def receiver(sender, **payload):
        heard.append(payload)

    signals.task_finished.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.complete_many(actor=officer, tasks=tasks, note=" 已入户 ") == 2
    finally:
        signals.task_finished.disconnect(receiver)
    for task in Task.objects.filter(pk__in=[task.pk for task in tasks]):
        assert (task.status, task.note) == ("done", "已入户") and task.done_at is not None
        row = ObjectChange.objects.get(object_id=str(task.pk), action="update")
        assert row.before["status"] == "open" and row.after["status"] == "done"
        assert row.object_repr == str(task) and row.actor == officer
    assert sorted(p["task_id"] for p in heard) == sorted(task.pk for task in tasks)
    assert {p["status"] for p in heard} == {"done"}


def test_failed_together_with_the_reason(city, officer):
    tasks = _tasks(city, officer)
    assert services.fail_many(actor=officer, tasks=tasks, reason="两次敲门未应") == 2
    assert set(
        Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list("status", "failure_reason")
    ) == {("failed", "两次敲门未应")}
    with pytest.raises(ValidationError):
        services.fail_many(actor=officer, tasks=_tasks(city, officer), reason=" ")


def test_one_finished_elsewhere_meanwhile_refuses_all(city, officer):
    tasks = _tasks(city, officer)
    Task.objects.filter(pk=tasks[1].pk).update(status="done")
    with pytest.raises(ValidationError):
        services.complete_many(actor=officer, tasks=tasks)
    assert Task.objects.get(pk=tasks[0].pk).status == "open"
    assert not ObjectChange.objects.filter(object_id=str(tasks[0].pk), action="update").exists()


def _visit_tasks(city, officer, source):
    services.create_tasks(
        actor=officer,
        source=source,
        items=[
            services.TaskInput(
                kind="follow_up_visit",
                due_at=later(days=1),
                household=household,
                source_ref=str(household.pk),
            )
            for household in (city.household_a, city.household_b)
        ],
    )
    return list(Task.objects.filter(source=source).order_by("source_ref"))


def test_by_ref_finishes_the_pending_tasks_of_that_source_only(city, officer):
    tasks = _visit_tasks(city, officer, "sweeps:1")
    others = _visit_tasks(city, officer, "sweeps:2")
    Task.objects.filter(pk=tasks[1].pk).update(status="done")
    refs = [task.source_ref for task in tasks]
    done = services.complete_by_ref(
        actor=officer, source="sweeps:1", kind="follow_up_visit", refs=refs
    )
    assert done == 1
    task = Task.objects.get(pk=tasks[0].pk)
    assert task.status == "done" and task.done_at is not None
    row = ObjectChange.objects.get(object_id=str(task.pk), action="update")
    assert row.object_repr == str(task) and row.before["status"] == "open"
    assert row.after["status"] == "done" and row.actor == officer
    assert not ObjectChange.objects.filter(object_id=str(tasks[1].pk), action="update").exists()
    assert {task.status for task in Task.objects.filter(source="sweeps:2")} == {"open"}
    assert (
        services.fail_by_ref(
            actor=officer, source="sweeps:2", kind="follow_up_visit", refs=refs[:1], reason="未应"
        )
        == 1
    )
    assert Task.objects.get(pk=others[0].pk).failure_reason == "未应"
