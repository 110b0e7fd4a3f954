"""Input a database cannot hold is refused with 4xx, never answered with a 500."""

import pytest

from tests.support import send


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/v1/persons", {"q": "王\x00"}),
        ("/api/v1/persons", {"region": "\x00"}),
        ("/api/v1/regions", {"parent": "\x00"}),
        ("/api/v1/audit/changes", {"actor": "\x00"}),
        ("/api/v1/audit/access", {"since": "0001-01-01T00:00:00"}),
    ],
)
def test_hostile_query_parameters_are_422(as_officer, city, url, params):
    response = as_officer.get(url, params)

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == next(iter(params))


def test_nul_in_a_region_code_is_refused(as_officer, city):
    assert as_officer.get("/api/v1/regions/35%00").status_code == 422


def test_nul_in_a_body_is_refused(as_officer, city):
    body = {"building": city.building_a.code, "room": "1\x00"}

    response = send(as_officer, "post", "/api/v1/households", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "room"


def test_a_body_that_is_not_an_object_is_422(as_officer, city):
    response = send(as_officer, "post", "/api/v1/households", ["room", "101"])

    assert response.status_code == 422
