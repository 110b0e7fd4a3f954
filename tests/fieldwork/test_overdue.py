"""Overdue: not done or failed, and due before now."""

import datetime

from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.support import later


def test_overdue_is_pending_and_past_due(city, leader_a, worker_a):
    late = services.create_task(
        actor=leader_a, kind="home_sampling", person=city.person_a, due_at=later(hours=-1)
    )
    on_time = services.create_task(
        actor=leader_a, kind="follow_up_visit", person=city.person_a, due_at=later(hours=1)
    )
    finished_late = services.create_task(
        actor=leader_a,
        kind="delivery",
        household=city.household_a,
        due_at=later(hours=-2),
        assignee=worker_a,
    )
    services.complete(actor=worker_a, task=finished_late)
    assert late.overdue and not on_time.overdue
    assert not Task.objects.get(pk=finished_late.pk).overdue
    assert list(Task.objects.overdue()) == [late]
    assert set(Task.objects.not_overdue()) == {on_time, Task.objects.get(pk=finished_late.pk)}
    tomorrow = later(days=1)
    assert set(Task.objects.overdue(tomorrow)) == {late, on_time}
    assert Task.objects.overdue(tomorrow - datetime.timedelta(days=3)).count() == 0
