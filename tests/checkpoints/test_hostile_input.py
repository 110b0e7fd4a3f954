"""Hostile or careless input to the checkpoints pages and API: 4xx, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from fangyi.checkpoints.models import CheckIn, Scan, Venue
from tests.support import client_for, resident_client, send, signed_in

NASTY = ["", "\x00", "FYP1:" + "9" * 5000, "FY1:ABC", "FYP1:%%%%", "😀" * 300, "' OR 1=1 --"]


@pytest.mark.parametrize("text", NASTY)
def test_the_check_in_page_answers_4xx(city, text):
    for client in (Client(), resident_client(city.person_a)):
        response = client.get(reverse("checkpoints:check-in"), {"c": text})
        assert 400 <= response.status_code < 500
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"scans": None},
        {"scans": "many"},
        {"scans": [None]},
        {"scans": [[1, 2]]},
        {"scans": [{"client_id": None}]},
        {"scans": [{}] * 3},
    ],
)
def test_malformed_scan_batches_are_422(city, guard_a, body):
    response = send(client_for(guard_a), "post", "/api/v1/checkpoints/scans", body)
    assert response.status_code == 422, response.content
    assert not Scan.objects.exists()


def test_a_body_that_is_not_json_is_refused(city, guard_a):
    response = client_for(guard_a).post(
        "/api/v1/checkpoints/scans", "{not json", content_type="application/json"
    )
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "casino"},
        {"region": "\x00"},
        {"region": "9" * 50},
        {"cursor": "garbage"},
        {"cursor": "W10"},
        {"limit": "-1"},
    ],
)
def test_bad_list_parameters(city, officer, params):
    api = client_for(officer).get("/api/v1/checkpoints/venues", params)
    assert api.status_code == 422
    page = signed_in(officer).get(reverse("checkpoints:venue-list"), params)
    assert page.status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"name": "x" * 500, "kind": "other", "region": "350102001001001"},
        {"name": "药店", "kind": "casino", "region": "350102001001001"},
        {"name": "药店", "kind": "other", "region": "\x00"},
        {"name": "药店", "kind": "other", "region": "350102001001002"},
        {},
    ],
)
def test_the_venue_form_shows_errors_and_saves_nothing(city, leader_a, data):
    response = signed_in(leader_a).post(reverse("checkpoints:venue-create"), data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not Venue.objects.exists()
