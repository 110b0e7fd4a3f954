"""The leaders' task list: their regions only, filters, one assign control for the ticked tasks
offering the grid teams of the listed tasks' regions, empty states and pages."""

import pytest
from django.urls import reverse

from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.support import later, signed_in


def test_the_list_shows_the_leaders_grid_only(task_a, task_b, leader_a, worker_a, worker_b):
    response = signed_in(leader_a).get(reverse("fieldwork:list"))
    assert [task.pk for task in response.context["tasks"]] == [task_a.pk]
    form = response.context["assign_form"]
    offered = [label for value, label in form.fields["assignee"].choices if value]
    assert offered == ["leader_a", "worker_a"]
    html = response.content.decode()
    assert f'name="task" value="{task_a.pk}"' in html and "李*英" not in html
    assert html.count('name="assignee"') == 1


def test_assigning_from_the_list_returns_to_it(task_a, leader_a, worker_a):
    back = reverse("fieldwork:list") + "?kind=home_sampling"
    response = signed_in(leader_a).post(
        reverse("fieldwork:assign-selected"),
        {"task": [str(task_a.pk)], "assignee": str(worker_a.pk), "next": back},
    )
    assert response.status_code == 302 and response.url == back
    assert Task.objects.get(pk=task_a.pk).assignee == worker_a


def test_a_foreign_next_is_ignored(task_a, leader_a, worker_a):
    response = signed_in(leader_a).post(
        reverse("fieldwork:assign-selected"),
        {"task": [str(task_a.pk)], "assignee": str(worker_a.pk), "next": "https://example.com/"},
    )
    assert response.url == reverse("fieldwork:list")


def test_filters(city, officer, leader_a, worker_a, task_a, task_b):
    late = services.create_task(
        actor=leader_a, kind="delivery", household=city.household_a, due_at=later(hours=-2)
    )
    services.complete(actor=leader_a, task=task_a, note="已采样")
    client = signed_in(officer)
    url = reverse("fieldwork:list")

    def shown(**params):
        return {task.pk for task in client.get(url, params).context["tasks"]}

    assert shown() == {late.pk, task_b.pk}
    assert shown(status="all") == {late.pk, task_a.pk, task_b.pk}
    assert shown(status="done") == {task_a.pk}
    assert shown(kind="delivery") == {late.pk}
    assert shown(region=city.grid_b.code) == {task_b.pk}
    assert shown(overdue="on") == {late.pk}
    nothing = client.get(url, {"kind": "follow_up_visit"}).content.decode()
    assert "没有符合条件的任务" in nothing
    unknown = client.get(url, {"region": "999"}).content.decode()
    assert "没有找到该区域" in unknown


def test_the_empty_state(city, leader_a):
    html = signed_in(leader_a).get(reverse("fieldwork:list")).content.decode()
    assert "辖区内没有待办的任务" in html


def test_a_region_without_takers_says_so(city, leader_b, task_b):
    leader_b.role_assignments.update(role="officer")
    html = signed_in(leader_b).get(reverse("fieldwork:list")).content.decode()
    assert "该区域还没有网格员或志愿者可以承接任务" in html


def test_pages(city, leader_a, settings):
    settings.FANGYI_PAGE_SIZE = 2
    for hours in range(3):
        services.create_task(
            actor=leader_a, kind="delivery", household=city.household_a, due_at=later(hours=hours)
        )
    client = signed_in(leader_a)
    first = client.get(reverse("fieldwork:list"))
    second = client.get(reverse("fieldwork:list"), {"cursor": first.context["next_cursor"]})
    assert len(first.context["tasks"]) == 2 and len(second.context["tasks"]) == 1
    assert 'href="?cursor=' in first.content.decode()


@pytest.mark.parametrize("who", ["worker_a", "volunteer_a"])
def test_workers_and_volunteers_are_sent_away(city, who, request):
    assert signed_in(request.getfixturevalue(who)).get(reverse("fieldwork:list")).status_code == 403


@pytest.mark.parametrize(
    "params", [{"status": "lost"}, {"kind": "\x00"}, {"region": "9" * 50}, {"overdue": "x"}]
)
def test_odd_filters_still_answer(city, leader_a, params):
    assert signed_in(leader_a).get(reverse("fieldwork:list"), params).status_code == 200


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_renders_in_both_languages(task_a, leader_a, language):
    client = signed_in(leader_a)
    client.cookies["django_language"] = language
    response = client.get(reverse("fieldwork:list"))
    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
