import base64

import pytest

from fangyi.supplies.models import Request
from tests.support import client_for, post

from .support import vegetables

pytestmark = pytest.mark.django_db
URL = "/api/v1/supplies/requests"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def medicine(city, **extra):
    return {
        "household": str(city.household_a.pk),
        "person": str(city.person_a.pk),
        "kind": "medicine",
        "chronic_condition": "糖尿病",
        "items": [{"name": "胰岛素", "unit": "支", "quantity": 2, "dose": "每日两次"}],
        **extra,
    }


def fields(response) -> set[str]:
    return {error["field"] for error in response.json()["detail"]}


def test_a_medicine_request_with_a_prescription_through_the_api(city, worker_a):
    photo = base64.b64encode(PNG).decode()
    response = post(client_for(worker_a), URL, medicine(city, prescription=photo))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "medicine" and body["state"] == "submitted"
    assert body["has_prescription"] is True and body["clock"] == "green"
    assert body["items"][0]["dose"] == "每日两次"
    assert body["events"][0]["to_state"] == "submitted"
    assert Request.objects.get(pk=body["id"]).channel == "grid_worker"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"prescription": base64.b64encode(b"GIF89a....").decode()}, "prescription"),
        ({"prescription": "%%%"}, "prescription"),
        ({"chronic_condition": ""}, "chronic_condition"),
        ({"kind": "package"}, "chronic_condition"),
        ({"items": []}, "items"),
        ({"items": [{"name": "胰岛素", "quantity": 0, "dose": "x"}]}, "items.0.quantity"),
        ({"items": [{"name": "胰岛素", "quantity": 50, "dose": "x"}]}, "confirmed"),
        ({"urgency": "now"}, "urgency"),
        ({"household": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "household"),
        ({"person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "person"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(city, worker_a, patch, field):
    response = post(client_for(worker_a), URL, medicine(city, **patch))
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Request.objects.exists()


def test_a_transition_refused_is_a_422_and_an_unknown_request_a_404(city, officer, worker_a):
    item = vegetables(officer, city.community)
    client = client_for(worker_a)
    made = post(
        client,
        URL,
        {
            "household": str(city.household_a.pk),
            "kind": "package",
            "items": [{"catalogue_item": str(item.pk), "quantity": 1}],
        },
    ).json()
    url = f"{URL}/{made['id']}/transition"
    response = post(client, url, {"to_state": "delivered", "confirmation": "note", "note": "x"})
    assert response.status_code == 422 and "to_state" in fields(response)
    assert post(client, url, {"to_state": "cancelled"}).status_code == 422
    assert post(client, f"{URL}/nonsense/transition", {"to_state": "accepted"}).status_code == 404
    accepted = post(client, url, {"to_state": "accepted"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert [e["to_state"] for e in accepted.json()["events"]] == ["submitted", "accepted"]


def test_the_board_lists_only_open_requests_when_asked(city, officer, worker_a):
    item = vegetables(officer, city.community)
    client = client_for(worker_a)
    body = {
        "household": str(city.household_a.pk),
        "kind": "package",
        "items": [{"catalogue_item": str(item.pk), "quantity": 1}],
    }
    kept = post(client, URL, body).json()
    gone = post(client, URL, body).json()
    post(client, f"{URL}/{gone['id']}/transition", {"to_state": "cancelled", "reason": "重复"})
    listed = client.get(f"{URL}?open=true&order=board").json()["items"]
    assert [row["id"] for row in listed] == [kept["id"]]
    ended = client.get(f"{URL}?open=false").json()["items"]
    assert [row["id"] for row in ended] == [gone["id"]]
