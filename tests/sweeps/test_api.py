"""The sweeps API as a phone uses it: the sheet, an upload sent twice, a malformed visit, and
coverage."""

import uuid

import pytest
from django.utils import timezone

from fangyi.sweeps import services
from tests.support import client_for, post
from tests.sweeps.support import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def sweep(city, officer, leader_a, worker_a):
    found = start(officer, city.community)
    services.assign_building(
        actor=leader_a, sweep=found, building=city.building_a, assignee=worker_a
    )
    return found


def test_the_sheet_then_an_upload_sent_twice(city, sweep, worker_a):
    client = client_for(worker_a)
    sheet = client.get(f"/api/v1/sweeps/{sweep.pk}/sheet").json()
    [household] = sheet["households"]
    assert household["members"][0]["name"] == "王*明"
    assert [q["key"] for q in sheet["sweep"]["questions"]] == [
        "members",
        "arrival",
        "health",
        "needs",
    ]
    body = {
        "visits": [
            {
                "id": str(uuid.uuid4()),
                "household": household["id"],
                "visited_at": timezone.now().isoformat(),
                "outcome": "answered",
                "answers": {
                    "members": [{"person": household["members"][0]["id"], "status": "here"}]
                },
            }
        ]
    }
    first = post(client, f"/api/v1/sweeps/{sweep.pk}/visits", body)
    again = post(client, f"/api/v1/sweeps/{sweep.pk}/visits", body)
    assert first.status_code == again.status_code == 200
    assert first.json()["accepted"] == again.json()["duplicates"] == [body["visits"][0]["id"]]
    figures = client_for(worker_a).get(f"/api/v1/sweeps/{sweep.pk}/coverage").json()
    assert (figures["total"]["visited"], figures["total"]["households"]) == (1, 1)


def test_a_malformed_visit_is_a_422_naming_it(city, sweep, worker_a):
    response = post(
        client_for(worker_a),
        f"/api/v1/sweeps/{sweep.pk}/visits",
        {
            "visits": [
                {
                    "id": str(uuid.uuid4()),
                    "household": str(city.household_a.pk),
                    "visited_at": timezone.now().isoformat(),
                    "outcome": "answered",
                    "answers": {"health": [{"who": str(city.person_a.pk), "temperature": 60}]},
                }
            ]
        },
    )
    assert response.status_code == 422
    fields = [item["field"] for item in response.json()["detail"]]
    assert fields == ["visits.0.answers.health.0.temperature"]


def test_an_ended_sweep_empties_the_sheet_status(city, sweep, officer, worker_a):
    post(client_for(officer), f"/api/v1/sweeps/{sweep.pk}/end", {})
    sheet = client_for(worker_a).get(f"/api/v1/sweeps/{sweep.pk}/sheet").json()
    assert sheet["sweep"]["status"] == "ended"


def test_the_service_worker_may_control_the_sweep_pages(client):
    response = client.get("/sweeps/sw.js")
    assert response["Service-Worker-Allowed"] == "/sweeps/"
    assert response["Content-Type"].startswith("application/javascript")
