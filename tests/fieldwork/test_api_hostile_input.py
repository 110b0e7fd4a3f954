"""Hostile or careless input to the tasks API: 4xx JSON, never a 500, nothing written."""

import pytest

from fangyi.fieldwork.models import Task
from tests.support import client_for, send

URL = "/api/v1/tasks"


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"kind": "casino"},
        {"region": "\x00"},
        {"region": "9" * 50},
        {"region": "999"},
        {"assignee": "you"},
        {"overdue": "perhaps"},
        {"cursor": "garbage"},
        {"cursor": "W10"},
        {"limit": "0"},
        {"limit": "100000"},
    ],
)
def test_bad_list_parameters_are_422(city, officer, params):
    response = client_for(officer).get(URL, params)
    assert response.status_code == 422, response.content
    assert isinstance(response.json()["detail"], list)


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"kind": "home_sampling"},
        {"kind": "home_sampling", "due_at": "2030-01-01T09:00"},
        {"kind": "home_sampling", "person": "not-a-uuid", "due_at": "2030-01-01T09:00"},
        {"kind": "nap", "household": "{h}", "due_at": "2030-01-01T09:00"},
        {"kind": "delivery", "household": "{h}", "due_at": "yesterday"},
        {"kind": "delivery", "household": "{h}", "due_at": "0001-01-01T00:00:00+08:00"},
        {"kind": "delivery", "household": "{h}", "due_at": "2030-01-01T09:00", "title": "\x00"},
        {"kind": "delivery", "household": "{h}", "due_at": "2030-01-01T09:00", "title": "x" * 500},
        {"kind": "delivery", "household": "{h}", "due_at": "2030-01-01T09:00", "status": "done"},
        {"kind": "delivery", "household": "{h}", "due_at": "2030-01-01T09:00", "assignee": "{h}"},
    ],
)
def test_malformed_creation_is_422(city, officer, body):
    if isinstance(body, dict):
        body = {k: v.replace("{h}", str(city.household_a.pk)) for k, v in body.items()}
    response = send(client_for(officer), "post", URL, body)
    assert response.status_code == 422, response.content
    assert not Task.objects.exists()


def test_a_body_that_is_not_json_is_refused(city, officer):
    response = client_for(officer).post(URL, "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize("task_id", ["nope", "1", "' OR 1=1 --", "0" * 36, "%00"])
def test_malformed_ids_are_404(city, officer, task_id):
    assert client_for(officer).get(f"{URL}/{task_id}").status_code == 404


@pytest.mark.parametrize(
    ("step", "body"),
    [
        ("assign", {}),
        ("assign", {"assignee": "me"}),
        ("assign", {"assignee": None}),
        ("complete", {"note": "\x00"}),
        ("complete", {"result": "done"}),
        ("complete", {"result": {"x": "\x00"}}),
        ("complete", {"note": "x" * 3000}),
        ("complete", {"extra": 1}),
        ("fail", {}),
        ("fail", {"reason": "   "}),
        ("fail", {"reason": None}),
        ("reopen", {"reason": 5}),
    ],
)
def test_malformed_steps_are_422(assigned_a, leader_a, step, body):
    response = send(client_for(leader_a), "post", f"{URL}/{assigned_a.pk}/{step}", body)
    assert response.status_code == 422, response.content
    assert Task.objects.get(pk=assigned_a.pk).status == "assigned"


def test_no_token_is_401(city):
    from django.test import Client

    assert Client().get(URL).status_code == 401
