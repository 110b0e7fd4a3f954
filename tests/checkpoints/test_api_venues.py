"""The venues API: scoped lists, create and change through services, the place code."""

import pytest

from fangyi.checkpoints.models import Venue
from fangyi.codes import format, keys
from fangyi.core.models import ObjectChange
from tests.support import client_for, send

VENUES = "/api/v1/checkpoints/venues"


def test_a_leader_registers_a_venue(city, leader_a):
    body = {"name": "三坊小区北门", "kind": "compound_gate", "region": city.grid_a.code}
    response = send(client_for(leader_a), "post", VENUES, body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["name"] == "三坊小区北门" and data["kind_name"] == "小区门岗"
    assert data["region"] == city.grid_a.code and data["active"] is True
    venue = Venue.objects.get(pk=data["id"])
    assert ObjectChange.objects.filter(object_id=str(venue.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "casino"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"region": "350102001001002"}, "region"),  # another grid: as unknown as none
        ({"region": "999999"}, "region"),
        ({"address": "a\x00"}, "address"),
        ({"sub": "mine"}, "sub"),
    ],
)
def test_bad_venue_fields_are_422(city, leader_a, fields, field):
    body = {"name": "药店", "kind": "other", "region": city.grid_a.code} | fields
    response = send(client_for(leader_a), "post", VENUES, body)
    assert response.status_code == 422, response.content
    assert field in {error["field"] for error in response.json()["detail"]}
    assert not Venue.objects.exists()


def test_a_grid_worker_may_list_but_not_register(city, worker_a, venue_a):
    client = client_for(worker_a)
    assert [v["id"] for v in client.get(VENUES).json()["items"]] == [str(venue_a.pk)]
    body = {"name": "药店", "kind": "other", "region": city.grid_a.code}
    assert send(client, "post", VENUES, body).status_code == 403


def test_another_grids_worker_can_neither_see_nor_change(city, worker_b, leader_b, venue_a):
    assert client_for(worker_b).get(VENUES).json()["items"] == []
    assert client_for(worker_b).get(f"{VENUES}/{venue_a.pk}").status_code == 404
    assert client_for(worker_b).get(f"{VENUES}/{venue_a.pk}/place-code").status_code == 404
    patched = send(client_for(leader_b), "patch", f"{VENUES}/{venue_a.pk}", {"name": "改"})
    assert patched.status_code == 404
    venue_a.refresh_from_db()
    assert venue_a.name == "三坊超市"


def test_lists_filter_by_region_and_kind_and_page(city, officer, venue_a, venue_b):
    client = client_for(officer)
    by_region = client.get(VENUES, {"region": city.grid_b.code}).json()["items"]
    assert [v["id"] for v in by_region] == [str(venue_b.pk)]
    by_kind = client.get(VENUES, {"kind": "supermarket"}).json()["items"]
    assert [v["id"] for v in by_kind] == [str(venue_a.pk)]
    first = client.get(VENUES, {"limit": 1}).json()
    second = client.get(VENUES, {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [str(venue_a.pk), str(venue_b.pk)]
    assert second["next_cursor"] is None
    assert client.get(VENUES, {"region": "999"}).status_code == 422


def test_patch_changes_only_what_is_given(city, leader_a, venue_a):
    response = send(client_for(leader_a), "patch", f"{VENUES}/{venue_a.pk}", {"address": "东街2号"})
    assert response.status_code == 200 and response.json()["address"] == "东街2号"
    assert response.json()["name"] == "三坊超市"
    stopped = send(client_for(leader_a), "patch", f"{VENUES}/{venue_a.pk}", {"active": False})
    assert stopped.json()["active"] is False
    assert client_for(leader_a).get(VENUES, {"active": "true"}).json()["items"] == []


def test_the_place_code_endpoint_gives_text_link_and_expiry(city, worker_a, venue_a):
    response = client_for(worker_a).get(f"{VENUES}/{venue_a.pk}/place-code")
    assert response.status_code == 200
    data = response.json()
    assert format.verify(data["text"], keys.verification_keys(), place=True).valid
    assert data["url"].startswith("http://testserver/checkpoints/v/?c=FYP1")
    assert data["expires_at"]


def test_a_stopped_venue_has_no_place_code(city, leader_a, venue_a):
    send(client_for(leader_a), "patch", f"{VENUES}/{venue_a.pk}", {"active": False})
    response = client_for(leader_a).get(f"{VENUES}/{venue_a.pk}/place-code")
    assert response.status_code == 422


@pytest.mark.parametrize(
    "venue_id", ["nope", "0b6e8f0c-3f0a-4d8e-9a51-6f1f2f3c4d5e", "1' OR '1'='1"]
)
def test_unknown_ids_are_404(city, officer, venue_id):
    assert client_for(officer).get(f"{VENUES}/{venue_id}").status_code == 404
