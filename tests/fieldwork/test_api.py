"""The tasks API: scoped list with filters and keyset pages, creation, the steps of a task;
out of scope is 404, a body naming what the caller cannot use is 422 on that field."""

import uuid

from fangyi.fieldwork import services
from fangyi.fieldwork.models import Task
from tests.support import client_for, later, send

URL = "/api/v1/tasks"


def test_a_leader_creates_a_task_for_a_person(city, leader_a):
    body = {"kind": "home_sampling", "person": str(city.person_a.pk), "due_at": "2030-01-01T09:00"}
    response = send(client_for(leader_a), "post", URL, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open" and data["kind_name"] == "上门采样"
    assert data["person_name"] == "王*明" and data["region"] == city.building_a.code
    assert data["address"] == "1号楼1单元101" and data["overdue"] is False
    assert Task.objects.get(pk=data["id"]).created_by == leader_a


def test_creating_for_a_person_out_of_scope_is_422_on_the_field(city, leader_a):
    body = {"kind": "home_sampling", "person": str(city.person_b.pk), "due_at": "2030-01-01T09:00"}
    response = send(client_for(leader_a), "post", URL, body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "person"


def test_a_worker_may_not_create(city, worker_a):
    body = {"kind": "home_sampling", "person": str(city.person_a.pk), "due_at": "2030-01-01T09:00"}
    assert send(client_for(worker_a), "post", URL, body).status_code == 403


def test_the_list_is_scoped_and_filtered(city, task_a, task_b, officer, leader_a, worker_a):
    services.assign(actor=leader_a, task=task_a, assignee=worker_a)
    as_officer = client_for(officer)
    ids = [item["id"] for item in as_officer.get(URL).json()["items"]]
    assert ids == [str(task_a.pk), str(task_b.pk)] or ids == [str(task_b.pk), str(task_a.pk)]
    by_status = as_officer.get(URL, {"status": "assigned"}).json()["items"]
    assert [item["id"] for item in by_status] == [str(task_a.pk)]
    by_region = as_officer.get(URL, {"region": city.grid_b.code}).json()["items"]
    assert [item["id"] for item in by_region] == [str(task_b.pk)]
    assert as_officer.get(URL, {"kind": "delivery"}).json()["items"] == []
    by_assignee = as_officer.get(URL, {"assignee": str(worker_a.pk)}).json()["items"]
    assert [item["id"] for item in by_assignee] == [str(task_a.pk)]
    mine = client_for(worker_a).get(URL, {"assignee": "me"}).json()["items"]
    assert [item["id"] for item in mine] == [str(task_a.pk)]
    assert client_for(leader_a).get(URL, {"assignee": "me"}).json()["items"] == []


def test_the_overdue_filter(city, leader_a):
    late = services.create_task(
        actor=leader_a, kind="home_sampling", person=city.person_a, due_at=later(hours=-1)
    )
    services.create_task(
        actor=leader_a, kind="follow_up_visit", person=city.person_a, due_at=later(hours=1)
    )
    client = client_for(leader_a)
    overdue = client.get(URL, {"overdue": "true"}).json()["items"]
    assert [item["id"] for item in overdue] == [str(late.pk)] and overdue[0]["overdue"]
    assert len(client.get(URL, {"overdue": "false"}).json()["items"]) == 1


def test_pages_follow_the_cursor(city, leader_a):
    for hours in range(5):
        services.create_task(
            actor=leader_a, kind="delivery", household=city.household_a, due_at=later(hours=hours)
        )
    client = client_for(leader_a)
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(URL, params).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    ordered = Task.objects.order_by("due_at", "id").values_list("pk", flat=True)
    assert seen == [str(pk) for pk in ordered]


def test_the_whole_flow(city, task_a, leader_a, worker_a):
    lead, work = client_for(leader_a), client_for(worker_a)
    assigned = send(lead, "post", f"{URL}/{task_a.pk}/assign", {"assignee": str(worker_a.pk)})
    assert assigned.status_code == 200 and assigned.json()["assignee_name"] == "worker_a"
    assert work.get(f"{URL}/{task_a.pk}").status_code == 200
    assert send(work, "post", f"{URL}/{task_a.pk}/start", {}).json()["started_at"]
    failed = send(work, "post", f"{URL}/{task_a.pk}/fail", {"reason": "不在家"})
    assert failed.json()["status"] == "failed" and failed.json()["failure_reason"] == "不在家"
    assert send(work, "post", f"{URL}/{task_a.pk}/reopen", {}).status_code == 403
    reopened = send(lead, "post", f"{URL}/{task_a.pk}/reopen", {"reason": "再去一次"})
    assert reopened.json()["status"] == "assigned"
    done = send(work, "post", f"{URL}/{task_a.pk}/complete", {"note": "已采样", "result": {"n": 1}})
    assert done.json()["status"] == "done" and done.json()["result"] == {"n": 1}
    again = send(work, "post", f"{URL}/{task_a.pk}/complete", {})
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "status"


def test_assigning_to_someone_who_cannot_take_it_is_422(task_a, leader_a, worker_b):
    for assignee in (str(worker_b.pk), str(uuid.uuid4())):
        response = send(
            client_for(leader_a), "post", f"{URL}/{task_a.pk}/assign", {"assignee": assignee}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "assignee"


def test_a_worker_of_another_grid_gets_404_everywhere(task_a, worker_b, leader_b):
    for user in (worker_b, leader_b):
        client = client_for(user)
        assert client.get(f"{URL}/{task_a.pk}").status_code == 404
        for step, body in (
            ("complete", {}),
            ("fail", {"reason": "x"}),
            ("start", {}),
            ("reopen", {}),
            ("assign", {"assignee": str(user.pk)}),
        ):
            assert send(client, "post", f"{URL}/{task_a.pk}/{step}", body).status_code == 404
        assert client.get(URL).json()["items"] == []
    assert Task.objects.get(pk=task_a.pk).status == "open"


def test_a_team_mate_gets_404_for_a_task_not_theirs(assigned_a, worker_a2):
    client = client_for(worker_a2)
    assert client.get(f"{URL}/{assigned_a.pk}").status_code == 404
    assert send(client, "post", f"{URL}/{assigned_a.pk}/complete", {}).status_code == 404
