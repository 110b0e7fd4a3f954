"""The sweeps API as a phone uses it: the sheet, an upload sent twice, a malformed visit, a
batch with one visit refused, and coverage."""

import datetime
import uuid

import pytest
from django.utils import timezone

from fangyi.sweeps import services
from fangyi.sweeps.models import Visit
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


def test_one_refused_visit_is_named_and_the_phone_sends_the_others_again(city, sweep, worker_a):
    """A phone whose clock ran fast for one visit: the 422 names that visit alone and writes
    nothing; the batch sent again without it is taken."""
    client = client_for(worker_a)
    url = f"/api/v1/sweeps/{sweep.pk}/visits"
    good, fast = (
        {
            "id": str(uuid.uuid4()),
            "household": str(city.household_a.pk),
            "visited_at": at.isoformat(),
            "outcome": "not_answered",
        }
        for at in (timezone.now(), timezone.now() + datetime.timedelta(minutes=30))
    )
    refused = post(client, url, {"visits": [good, fast]})
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {"field": "visits.1.visited_at", "message": "走访时间不能晚于现在。"}
    ]
    assert not Visit.objects.filter(sweep=sweep).exists()
    taken = post(client, url, {"visits": [good]})
    assert taken.status_code == 200
    assert taken.json()["accepted"] == [good["id"]]
    assert list(Visit.objects.filter(sweep=sweep).values_list("pk", flat=True)) == [
        uuid.UUID(good["id"])
    ]


def test_an_ended_sweep_empties_the_sheet_status(city, sweep, officer, worker_a):
    post(client_for(officer), f"/api/v1/sweeps/{sweep.pk}/end", {})
    sheet = client_for(worker_a).get(f"/api/v1/sweeps/{sweep.pk}/sheet").json()
    assert sheet["sweep"]["status"] == "ended"


def test_the_service_worker_may_control_the_sweep_pages(client):
    response = client.get("/sweeps/sw.js")
    assert response["Service-Worker-Allowed"] == "/sweeps/"
    assert response["Content-Type"].startswith("application/javascript")
