"""The isolation API: the queue confirmed in bulk by building, filters, an order's timeline,
the due list with reasons and paging, bulk release, sites with occupancy and rooms."""

import pytest

from fangyi.isolation.models import OrderState
from tests.isolation.support_orders import members, proposed, results_on, site_with_rooms, started
from tests.support import client_for, post, send

pytestmark = pytest.mark.django_db

API = "/api/v1/isolation"


@pytest.fixture
def api(officer):
    return client_for(officer)


def test_a_whole_building_is_placed_at_a_site(city, officer, api):
    family = [city.person_a, *members(city.household_a, 2)]
    orders = [proposed(officer, person) for person in family]
    elsewhere = proposed(officer, city.person_b)
    site = site_with_rooms(officer, city.community, "101-102", capacity=3)
    response = post(
        api, f"{API}/orders/place", {"building": city.building_a.code, "site": str(site.pk)}
    )
    assert response.status_code == 200, response.content
    placed = response.json()
    assert {item["id"] for item in placed} == {str(order.pk) for order in orders}
    assert len({item["room"] for item in placed}) == 1
    assert all(item["state"] == "active" for item in placed)
    elsewhere.refresh_from_db()
    assert elsewhere.state == OrderState.TO_PLACE


def test_short_rooms_are_a_422_naming_the_site(city, officer, api):
    orders = [proposed(officer, city.person_a), proposed(officer, city.person_b)]
    site = site_with_rooms(officer, city.community, "101", capacity=1)
    response = post(
        api, f"{API}/orders/place", {"orders": [str(o.pk) for o in orders], "site": str(site.pk)}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "site"


def test_orders_are_filtered_and_paged(city, officer, api):
    proposed(officer, city.person_a)
    proposed(officer, city.person_b, "arrival_from_risk_area")
    body = api.get(f"{API}/orders", {"reason": "arrival"}).json()
    assert [item["person"] for item in body["items"]] == [str(city.person_b.pk)]
    assert body["items"][0]["person_name"] == city.person_b.masked_name
    first = api.get(f"{API}/orders", {"limit": 1}).json()
    second = api.get(f"{API}/orders", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert second["next_cursor"] is None
    assert api.get(f"{API}/orders", {"region": city.grid_b.code}).json()["items"][0][
        "person"
    ] == str(city.person_b.pk)


def test_an_order_shows_its_timeline_and_readiness(city, officer, api):
    site = site_with_rooms(officer, city.community)
    order = started(officer, city.person_a, site, days_ago=7.2)
    results_on(officer, order, [1, 2, 3, 5])
    body = api.get(f"{API}/orders/{order.pk}").json()
    assert [event["to_state"] for event in body["events"]] == ["to_place", "active"]
    assert body["readiness"]["ready"] is False
    assert body["readiness"]["problems"][0]["code"] == "missing_test"
    assert body["readiness"]["problems"][0]["day"] == 7


def test_the_due_list_says_ready_or_why_not_and_releases_in_bulk(city, officer, api):
    site = site_with_rooms(officer, city.community)
    ready = started(officer, city.person_a, site, days_ago=7.2)
    results_on(officer, ready, ready.test_days)
    overdue = started(officer, city.person_b, site, days_ago=7.5)
    body = api.get(f"{API}/due").json()
    assert (body["ready"], body["overdue"]) == (1, 1)
    assert [item["order"]["id"] for item in body["items"]] == [str(overdue.pk), str(ready.pk)]
    only_ready = api.get(f"{API}/due", {"status": "ready"}).json()
    assert [item["order"]["id"] for item in only_ready["items"]] == [str(ready.pk)]
    paged = api.get(f"{API}/due", {"limit": 1}).json()
    rest = api.get(f"{API}/due", {"limit": 1, "cursor": paged["next_cursor"]}).json()
    assert rest["items"][0]["order"]["id"] == str(ready.pk)
    refused = post(api, f"{API}/orders/release", {"orders": [str(ready.pk), str(overdue.pk)]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "override"
    released = post(
        api,
        f"{API}/orders/release",
        {"orders": [str(ready.pk), str(overdue.pk)], "override": "专家会诊同意"},
    )
    assert released.status_code == 200
    assert {item["state"] for item in released.json()} == {"released"}


def test_an_order_is_extended_replanned_and_moved(city, officer, api):
    site = site_with_rooms(officer, city.community, "101-102", capacity=1)
    order = started(officer, city.person_a, site, days_ago=1)
    until = (order.planned_end_at.replace(microsecond=0)).isoformat()
    response = post(api, f"{API}/orders/{order.pk}/extend", {"until": until, "reason": "复查"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "until"
    free = site.rooms.exclude(pk=order.room_id).get()
    moved = post(api, f"{API}/orders/{order.pk}/move", {"room": str(free.pk)})
    assert moved.json()["room_number"] == free.number
    replanned = post(api, f"{API}/orders/{order.pk}/replan", {})
    assert replanned.status_code == 200


def test_sites_show_occupancy_and_rooms(city, officer, api):
    created = post(
        api,
        f"{API}/sites",
        {
            "name": "会展方舱",
            "address": "会展路 1 号",
            "region": city.community.code,
            "phone": "0591-1234",
        },
    )
    assert created.status_code == 201, created.content
    site_id = created.json()["id"]
    rooms = post(api, f"{API}/sites/{site_id}/rooms", {"numbers": "A01-A05", "capacity": 2})
    assert [room["number"] for room in rooms.json()] == ["A01", "A02", "A03", "A04", "A05"]
    site = api.get(f"{API}/sites/{site_id}").json()
    assert (site["rooms"], site["beds"], site["free_beds"], site["free_rooms"]) == (5, 10, 10, 5)
    room = rooms.json()[0]["id"]
    changed = send(
        api, "put", f"{API}/sites/{site_id}/rooms/{room}", {"capacity": 4, "active": False}
    )
    assert changed.json()["capacity"] == 4
    assert api.get(f"{API}/sites/{site_id}").json()["rooms"] == 4
    listed = api.get(f"{API}/sites/{site_id}/rooms", {"limit": 2}).json()
    assert len(listed["items"]) == 2 and listed["next_cursor"]
