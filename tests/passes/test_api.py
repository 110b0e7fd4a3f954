"""The whitelist through /api/v1/passes, and the holder's pass through GET /passes/mine with a
resident's token."""

import datetime

import pytest
from django.utils import timezone

from fangyi.codes.services import verify_here
from tests.factories import HouseholdFactory, resident_id
from tests.passes.support import sampled, whitelist
from tests.support import ago, as_resident, client_for, post, send

pytestmark = pytest.mark.django_db

URL = "/api/v1/passes"


def body(city, **fields):
    today = timezone.localdate()
    return {
        "region": city.street.code,
        "areas": [city.grid_a.code, city.grid_b.code],
        "role": "driver",
        "organisation": "保供车队",
        "plate": "闽A·D1234 5",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=14)).isoformat(),
    } | fields


def test_an_officer_whitelists_by_id_number_and_reads_it_back(officer, city):
    client = client_for(officer)
    household = HouseholdFactory(building=city.building_a, room="701")
    number = resident_id(datetime.date(1988, 8, 8))
    created = post(
        client,
        URL,
        body(city, id_number=number, name="林司机", household=str(household.pk)),
    )
    assert created.status_code == 201, created.content
    found = created.json()
    assert found["person_name"] == "林*机"
    assert found["plate"] == "闽AD12345"
    assert [area["code"] for area in found["areas"]] == [city.grid_a.code, city.grid_b.code]
    assert found["state"] == "active"
    assert number not in created.content.decode()
    listed = client.get(URL, {"state": "active", "role": "driver"}).json()
    assert [item["id"] for item in listed["items"]] == [found["id"]]
    assert client.get(URL, {"state": "suspended"}).json()["items"] == []


def test_bad_input_names_its_field(officer, city):
    client = client_for(officer)
    for fields, field in (
        ({"person": str(city.person_a.pk), "plate": "闽I12345"}, "plate"),
        ({"person": str(city.person_a.pk), "areas": ["350202"]}, "areas"),
        ({"id_number": "350102199001011234", "name": "某"}, "id_number"),
        ({"id_number": city.person_a.id_number, "name": "别人"}, "name"),
    ):
        refused = post(client, URL, body(city, **fields))
        assert refused.status_code == 422, refused.content
        assert field in [error["field"] for error in refused.json()["detail"]]


def test_edit_suspend_resume_revoke(officer, city):
    client = client_for(officer)
    supply_pass = whitelist(officer, city)
    url = f"{URL}/{supply_pass.pk}"
    edited = send(client, "patch", url, {"plate": "闽B11111"})
    assert edited.status_code == 200 and edited.json()["plate"] == "闽B11111"
    assert post(client, f"{url}/suspend", {"reason": " "}).status_code == 422
    assert post(client, f"{url}/suspend", {"reason": "投诉"}).json()["state"] == "suspended"
    assert post(client, f"{url}/resume", {}).json()["state"] == "active"
    revoked = post(client, f"{url}/revoke", {"reason": "离职"}).json()
    assert revoked["state"] == "revoked" and revoked["state_reason"] == "离职"
    assert post(client, f"{url}/revoke", {"reason": "离职"}).status_code == 422


def test_a_grid_leader_sees_but_cannot_change(officer, leader_a, city):
    supply_pass = whitelist(officer, city, region=city.grid_a, areas=[city.grid_a])
    client = client_for(leader_a)
    assert client.get(f"{URL}/{supply_pass.pk}").status_code == 200
    assert post(client, f"{URL}/{supply_pass.pk}/suspend", {"reason": "投诉"}).status_code == 403
    assert post(client, URL, body(city, person=str(city.person_a.pk))).status_code == 403


def test_the_holder_gets_a_fresh_pass_with_what_the_checkpoint_needs(officer, city):
    supply_pass = whitelist(officer, city)
    sampled(officer, supply_pass.person, ago(hours=50))
    found = as_resident(supply_pass.person).get(f"{URL}/mine").json()
    assert found["problem"] == "" and found["refusal"] == "test_too_old"
    assert found["colour"] == "green" and found["test_hours"] == 48
    assert found["areas"] == [city.street.name]
    assert verify_here(found["text"]).valid
    nobody = as_resident(city.person_b).get(f"{URL}/mine").json()
    assert nobody["problem"] == "no_pass" and nobody["text"] is None
