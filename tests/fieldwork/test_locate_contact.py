"""A contact who is not registered yet is located by the team of a grid: the task names only
that region, and only that kind of task may."""

import pytest
from django.core.exceptions import ValidationError

from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task, TaskKind, TaskStatus
from tests.support import later


def locate(city, **overrides):
    item = {
        "kind": TaskKind.LOCATE_CONTACT,
        "due_at": later(hours=2),
        "region": city.grid_b,
        "title": "查找密接",
        "source_ref": "contact-1",
    } | overrides
    return services.TaskInput(**item)


def test_a_locate_task_lives_in_the_grid_it_names_and_is_created_once(city, leader_b):
    for _ in range(2):
        services.create_tasks(
            actor=None, source="investigation", items=[locate(city)], authorised=True
        )
    task = Task.objects.get()
    assert (task.region, task.region_path) == (city.grid_b, city.grid_b.path)
    assert task.person is None and task.household is None
    assert str(task) == "查找密接人员 查找密接"
    assert task in Task.objects.restrict(leader_b)


def test_other_kinds_still_need_a_person_or_a_household(city):
    with pytest.raises(ValidationError):
        services.create_tasks(
            actor=None,
            source="investigation",
            items=[locate(city, kind=TaskKind.DELIVERY)],
            authorised=True,
        )


def test_the_area_that_made_a_task_may_close_it_for_its_own_caller(city, officer, nobody):
    services.create_tasks(actor=None, source="investigation", items=[locate(city)], authorised=True)
    task = Task.objects.get()
    services.complete(actor=nobody, task=task, note="已找到", authorised=True)
    assert task.status == TaskStatus.DONE


def test_the_task_pages_show_a_task_without_a_person(city, leader_b):
    from django.urls import reverse

    from tests.support import signed_in

    services.create_tasks(actor=None, source="investigation", items=[locate(city)], authorised=True)
    task = Task.objects.get()
    browser = signed_in(leader_b)
    assert "查找密接" in browser.get(reverse("fieldwork:detail", args=[task.pk])).content.decode()
    assert "查找密接" in browser.get(reverse("fieldwork:list")).content.decode()
