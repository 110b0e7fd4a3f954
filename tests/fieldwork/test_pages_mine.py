"""我的任务: a worker's pending tasks, soonest due first, overdue ones flagged, each with the
person masked, their address and tags, and links to the task and the person."""

import pytest
from django.urls import reverse

from fangyi.fieldwork import services
from tests.factories import UserFactory
from tests.support import later, signed_in

URL = "fieldwork:mine"


def test_the_worker_sees_their_tasks_soonest_first(city, leader_a, worker_a):
    city.person_a.is_bedridden = True
    city.person_a.save()
    soon = services.create_task(
        actor=leader_a,
        kind="home_sampling",
        person=city.person_a,
        due_at=later(hours=-1),
        assignee=worker_a,
    )
    later_task = services.create_task(
        actor=leader_a,
        kind="delivery",
        household=city.household_a,
        due_at=later(hours=3),
        assignee=worker_a,
    )
    response = signed_in(worker_a).get(reverse(URL))
    assert [task.pk for task in response.context["tasks"]] == [soon.pk, later_task.pk]
    html = response.content.decode()
    assert html.index(f'id="task-{soon.pk}"') < html.index(f'id="task-{later_task.pk}"')
    assert "王*明" in html and "王小明" not in html
    assert "卧床" in html and "东街街道三坊社区1号楼1单元101" in html
    assert reverse("people:person-detail", args=[city.person_a.pk]) in html
    assert reverse("fieldwork:detail", args=[soon.pk]) in html
    assert html.count("已超期") == 1 and "border-danger" in html


def test_finished_tasks_and_other_peoples_tasks_are_not_listed(
    city, assigned_a, worker_a, worker_a2, task_b
):
    services.complete(actor=worker_a, task=assigned_a)
    assert list(signed_in(worker_a).get(reverse(URL)).context["tasks"]) == []
    html = signed_in(worker_a2).get(reverse(URL)).content.decode()
    assert "眼下没有分派给您的任务" in html


def test_a_volunteer_has_the_page_too(city, task_a, leader_a, volunteer_a):
    services.assign(actor=leader_a, task=task_a, assignee=volunteer_a)
    response = signed_in(volunteer_a).get(reverse(URL))
    assert [task.pk for task in response.context["tasks"]] == [task_a.pk]


def test_pages_of_tasks(city, leader_a, worker_a, settings):
    settings.FANGYI_PAGE_SIZE = 2
    for hours in range(3):
        services.create_task(
            actor=leader_a,
            kind="delivery",
            household=city.household_a,
            due_at=later(hours=hours + 1),
            assignee=worker_a,
        )
    client = signed_in(worker_a)
    first = client.get(reverse(URL))
    assert len(first.context["tasks"]) == 2 and first.context["next_cursor"]
    second = client.get(reverse(URL), {"cursor": first.context["next_cursor"]})
    assert len(second.context["tasks"]) == 1 and not second.context["next_cursor"]
    assert client.get(reverse(URL), {"cursor": "garbage"}).status_code == 200


def test_users_without_task_rights_are_refused(city):
    nobody = UserFactory(username="nobody")
    assert signed_in(nobody).get(reverse(URL)).status_code == 403


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_renders_in_both_languages(assigned_a, worker_a, language):
    client = signed_in(worker_a)
    client.cookies["django_language"] = language
    response = client.get(reverse(URL))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
