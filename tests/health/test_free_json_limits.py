"""Free JSON (a fact's details, a task's result) and notes have limits: deeper than 10 levels,
larger than 16 KB or notes past 2,000 characters are a 422 naming the field, never a 500."""

import json

import pytest

from tests.support import client_for

pytestmark = pytest.mark.django_db


def nested(depth: int) -> str:
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def fact_body(city, details: str) -> str:
    head = json.dumps(
        {
            "person": str(city.person_a.pk),
            "kind": "health_declaration",
            "occurred_at": "2022-03-14T08:00:00+08:00",
        }
    )
    return head[:-1] + f', "details": {details}}}'


def post_fact(client, city, details: str):
    return client.generic(
        "POST", "/api/v1/health/facts", fact_body(city, details), content_type="application/json"
    )


@pytest.mark.parametrize("depth", [11, 900, 5000])
def test_details_nested_too_deep_are_refused(city, officer, depth):
    response = post_fact(client_for(officer), city, nested(depth))

    assert response.status_code == 422, response.content[:300]
    assert response.json()["detail"][0]["field"] == "details"


def test_details_ten_levels_deep_are_fine(city, officer):
    assert post_fact(client_for(officer), city, nested(10)).status_code == 201


def test_ten_megabytes_of_details_are_refused(city, officer):
    response = post_fact(client_for(officer), city, json.dumps({"x": "a" * 10_000_000}))

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == "details" and "16 KB" in error["message"]


def test_a_megabyte_of_notes_is_refused(city, officer):
    fact = post_fact(client_for(officer), city, "{}").json()[0]

    response = client_for(officer).post(
        f"/api/v1/health/facts/{fact['id']}/retract",
        {"reason": "错" * 1_000_000},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "reason"
