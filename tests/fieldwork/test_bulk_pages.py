"""Bulk work from the pages: one assignee for the ticked tasks, tasks made for chosen persons or
a building's households after the count is confirmed; only within the leader's scope, each task
audited; assignees shown by full name."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangyi.core.models import ObjectChange
from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.factories import HouseholdFactory, PersonFactory, staff
from tests.support import client_for, later, signed_in


def bulk_assign(client, tasks, assignee):
    return client.post(
        reverse("fieldwork:assign-selected"),
        {"task": [str(task.pk) for task in tasks], "assignee": str(assignee.pk)},
    )


def test_ticked_tasks_go_to_one_worker_each_audited(city, leader_a, worker_a):
    tasks = [
        services.create_task(
            actor=leader_a, kind="delivery", person=city.person_a, due_at=later(hours=n + 1)
        )
        for n in range(3)
    ]
    response = bulk_assign(signed_in(leader_a), tasks, worker_a)
    assert response.status_code == 302
    assert {task.assignee for task in Task.objects.filter(pk__in=[t.pk for t in tasks])} == {
        worker_a
    }
    changes = ObjectChange.objects.filter(action=ObjectChange.UPDATE, actor=leader_a)
    assert {change.object_id for change in changes} == {str(task.pk) for task in tasks}


def test_cannot_assign_to_a_worker_out_of_scope(city, leader_a, worker_b, task_a):
    response = bulk_assign(signed_in(leader_a), [task_a], worker_b)
    assert response.status_code == 302
    assert Task.objects.get(pk=task_a.pk).assignee is None
    assert not ObjectChange.objects.filter(action=ObjectChange.UPDATE).exists()


def test_the_service_refuses_all_when_one_task_is_out_of_the_workers_reach(
    city, leader_a, officer, worker_a, task_a, task_b
):
    with pytest.raises(ValidationError):
        services.assign_many(actor=officer, tasks=[task_a, task_b], assignee=worker_a)
    assert not Task.objects.filter(assignee=worker_a).exists()


def test_cannot_assign_tasks_out_of_scope(city, leader_a, worker_a, task_b):
    response = bulk_assign(signed_in(leader_a), [task_b], worker_a)
    assert response.status_code == 404
    assert Task.objects.get(pk=task_b.pk).assignee is None


def create_form(**fields):
    return {
        "kind": "follow_up_visit",
        "due_at": later(days=1).strftime("%Y-%m-%dT%H:%M"),
        "title": "随访",
        **fields,
    }


def test_tasks_for_each_chosen_person_after_confirming_the_count(city, leader_a):
    others = [PersonFactory(household=city.household_a) for _ in range(2)]
    chosen = [city.person_a, *others]
    client = signed_in(leader_a)
    url = reverse("fieldwork:bulk-create")
    form = create_form(person=[str(p.pk) for p in chosen])

    confirm = client.post(url, form)
    assert confirm.status_code == 200 and confirm.context["count"] == 3
    assert 'data-count="3"' in confirm.content.decode()
    assert not Task.objects.exists()

    batch = confirm.context["form"].data["batch"]
    done = client.post(url, {**form, "batch": batch})
    assert done.status_code == 302
    tasks = Task.objects.all()
    assert {task.person_id for task in tasks} == {p.pk for p in chosen}
    assert {task.kind for task in tasks} == {"follow_up_visit"}
    assert ObjectChange.objects.filter(action=ObjectChange.CREATE, actor=leader_a).count() == 3
    # Sending the confirmed form again creates nothing more.
    client.post(url, {**form, "batch": batch})
    assert Task.objects.count() == 3


def test_tasks_for_every_household_of_a_building(city, leader_a):
    HouseholdFactory(building=city.building_a, room="102")
    client = signed_in(leader_a)
    url = reverse("fieldwork:bulk-create")
    form = create_form(building=city.building_a.code)
    confirm = client.post(url, form)
    assert confirm.context["count"] == 2
    client.post(url, {**form, "batch": confirm.context["form"].data["batch"]})
    assert Task.objects.filter(household__building=city.building_a).count() == 2


def test_cannot_create_for_persons_or_buildings_out_of_scope(city, leader_a):
    client = signed_in(leader_a)
    url = reverse("fieldwork:bulk-create")
    for form in (
        create_form(person=[str(city.person_a.pk), str(city.person_b.pk)]),
        create_form(person=[str(city.person_b.pk)], batch="0" * 8 + "-0000-4000-8000-" + "0" * 12),
        create_form(building=city.building_b.code),
    ):
        response = client.post(url, form)
        assert response.status_code == 400
    assert not Task.objects.exists()


def test_a_volunteer_cannot_create_tasks(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_bulk")
    response = signed_in(volunteer).post(
        reverse("fieldwork:bulk-create"), create_form(person=[str(city.person_a.pk)])
    )
    assert response.status_code == 403


def test_assignees_are_shown_by_full_name(city, leader_a, task_a):
    worker = staff("grid_worker", city.grid_a, username="wang_w", first_name="王小红")
    services.assign(actor=leader_a, task=task_a, assignee=worker)
    client = signed_in(leader_a)
    listed = client.get(reverse("fieldwork:list")).content.decode()
    assert "王小红" in listed and "wang_w</span>" not in listed
    detail = client.get(reverse("fieldwork:detail", args=[task_a.pk])).content.decode()
    assert "王小红" in detail
    item = client_for(leader_a).get(f"/api/v1/tasks/{task_a.pk}").json()
    assert (item["assignee_name"], item["assignee_username"]) == ("王小红", "wang_w")


def test_residents_ticked_on_the_person_list_arrive_on_the_bulk_form(city, leader_a):
    client = signed_in(leader_a)
    listed = client.get(reverse("people:person-list")).content.decode()
    assert f'name="person" value="{city.person_a.pk}" form="person-tasks"' in listed
    assert reverse("fieldwork:bulk-create") in listed
    form = client.get(reverse("fieldwork:bulk-create"), {"person": [str(city.person_a.pk)]})
    page = form.content.decode()
    assert f'name="person" value="{city.person_a.pk}"' in page and "已选 1 位居民" in page


def test_who_may_not_create_tasks_gets_no_checkboxes(city):
    volunteer = staff("volunteer", city.grid_a, username="volunteer_list")
    listed = signed_in(volunteer).get(reverse("people:person-list")).content.decode()
    assert 'form="person-tasks"' not in listed
