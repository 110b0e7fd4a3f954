"""The transfer API: an officer makes a batch of a building's people, the driver works it on
the road, bad input is a 4xx naming the field, the waiting list puts the longest first."""

import pytest
from django.test import Client

from fangyi.accounts.services import issue_token
from fangyi.isolation.models import OrderState, TransferState
from tests.isolation.support_orders import proposed, site_with_rooms
from tests.isolation.transfer_support import driver, planned

pytestmark = pytest.mark.django_db
PREFIX = "/api/v1/isolation/transfers"


def client_of(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=user)}"})


def test_a_batch_from_a_building_is_driven_to_a_site(city, officer):
    chauffeur = driver(city.street)
    order = proposed(officer, city.person_a)
    site = site_with_rooms(officer, city.community)
    api, road = client_of(officer), client_of(chauffeur)
    made = api.post(
        PREFIX,
        {
            "region": city.community.code,
            "vehicle": "闽A12345",
            "driver": str(chauffeur.pk),
            "site": str(site.pk),
            "building": city.building_a.code,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    batch = made.json()
    assert [p["order"] for p in batch["passengers"]] == [str(order.pk)]
    assert batch["passengers"][0]["building"] == city.building_a.name
    url = f"{PREFIX}/{batch['id']}"
    assert road.get(PREFIX).json()["items"][0]["id"] == batch["id"]
    assert road.post(f"{url}/depart").json()["state"] == TransferState.UNDER_WAY
    passenger = batch["passengers"][0]["id"]
    assert road.post(f"{url}/passengers/{passenger}/pick-up").status_code == 200
    arrived = road.post(f"{url}/arrive").json()
    assert arrived["state"] == TransferState.DONE
    assert arrived["passengers"][0]["waited_hours"] is not None
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE and order.site_id == site.pk


def test_bad_input_names_the_field(city, officer, worker_a):
    order = proposed(officer, city.person_a)
    api = client_of(officer)
    refused = api.post(
        PREFIX,
        {
            "region": city.community.code,
            "vehicle": "闽A12345",
            "driver": str(worker_a.pk),
            "hospital": "市一医院",
            "site": None,
            "orders": [str(order.pk)],
            "planned_at": "2030-01-01T08:00:00",
        },
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert [error["field"] for error in refused.json()["detail"]] == ["driver"]


def test_another_drivers_batch_is_not_found(city, officer):
    mine, theirs = driver(city.street), driver(city.street, username="other_driver")
    order = proposed(officer, city.person_a)
    made = client_of(officer).post(
        PREFIX,
        {
            "region": city.community.code,
            "vehicle": "闽A12345",
            "driver": str(theirs.pk),
            "hospital": "市一医院",
            "orders": [str(order.pk)],
        },
        content_type="application/json",
    )
    url = f"{PREFIX}/{made.json()['id']}"
    assert client_of(mine).post(f"{url}/depart").status_code == 404
    assert client_of(mine).get(PREFIX).json()["items"] == []


def test_the_waiting_list_is_for_officers_and_shows_hours(city, officer):
    order = proposed(officer, city.person_a)
    response = client_of(officer).get(f"{PREFIX}/waiting")
    assert response.json()["items"][0]["order"] == str(order.pk)
    assert response.json()["items"][0]["hours_waited"] >= 0
    assert client_of(driver(city.street)).get(f"{PREFIX}/waiting").status_code == 403


def test_the_waiting_list_says_which_planned_batch_will_fetch_someone(city, officer):
    batch = planned(officer, city, [city.person_a], driven_by=driver(city.street))
    alone = proposed(officer, city.person_b)
    items = {
        item["order"]: item for item in client_of(officer).get(f"{PREFIX}/waiting").json()["items"]
    }
    fetched = next(iter(set(items) - {str(alone.pk)}))
    assert (items[fetched]["batch"], items[fetched]["vehicle"]) == (str(batch.pk), "闽A12345")
    assert (items[str(alone.pk)]["batch"], items[str(alone.pk)]["vehicle"]) == (None, None)
