"""Zones through the API: drawn, listed, opened, lowered then lifted; residents' colours follow."""

from fangyi.core.models import ObjectChange
from tests.support import client_for, send


def _draw(client, city, **fields):
    body = {"kind": "high", "regions": [city.building_a.code], "reason": "新增阳性病例"}
    return send(client, "post", "/api/v1/zones", body | fields)


def _status(client, person) -> dict:
    return client.get(f"/api/v1/persons/{person.pk}/status").json()


def test_a_zone_turns_its_residents_red_and_lifting_steps_down_to_green(city, officer):
    client = client_for(officer)

    response = _draw(client, city)

    assert response.status_code == 201, response.content
    zone = response.json()
    assert zone["kind"] == "high" and zone["kind_name"] == "高风险区"
    assert zone["regions"] == [city.building_a.code]
    assert zone["residents"] == 1
    assert zone["lifted_at"] is None and zone["predecessor"] is None
    status = _status(client, city.person_a)
    assert status["colour"] == "red"
    [reason] = status["reasons"]
    assert reason["code"] == "zone" and reason["zone"] == zone["id"]
    assert "高风险区" in reason["zh"]
    assert _status(client, city.person_b)["colour"] == "green"

    lifted = send(client, "post", f"/api/v1/zones/{zone['id']}/lift", {"reason": "连续7天无新增"})

    assert lifted.status_code == 200, lifted.content
    assert lifted.json()["lifted_at"] is not None
    lowered_id = lifted.json()["lowered_to"]
    lowered = client.get(f"/api/v1/zones/{lowered_id}").json()
    assert lowered["kind"] == "medium" and lowered["predecessor"] == zone["id"]
    assert _status(client, city.person_a)["colour"] == "yellow"

    final = send(client, "post", f"/api/v1/zones/{lowered_id}/lift", {"reason": "再满3天"})

    assert final.status_code == 200
    assert final.json()["lowered_to"] is None
    assert _status(client, city.person_a)["colour"] == "green"
    assert ObjectChange.objects.filter(object_id=zone["id"], action="update").exists()


def test_the_list_shows_active_zones_unless_asked_otherwise(city, officer):
    client = client_for(officer)
    first = _draw(client, city, kind="low", regions=[city.grid_b.code]).json()
    second = _draw(client, city, kind="medium", name="三坊社区中风险区").json()
    send(client, "post", f"/api/v1/zones/{first['id']}/lift", {"reason": "风险解除"})

    def listed(**params):
        return [zone["id"] for zone in client.get("/api/v1/zones", params).json()["items"]]

    assert listed() == [second["id"]]
    assert listed(state="lifted") == [first["id"]]
    assert set(listed(state="all")) == {first["id"], second["id"]}
    assert second["name"] == "三坊社区中风险区"


def test_a_zone_shows_its_lifting_criteria(city, officer):
    zone = _draw(client_for(officer), city).json()

    assert zone["clean_days"] == 0
    assert zone["meets_lifting_criteria"] is False
    assert zone["criteria"] and all(set(c) == {"label", "met"} for c in zone["criteria"])
    assert any("无新增阳性" in c["label"] for c in zone["criteria"])


def test_the_list_pages_with_a_cursor(city, officer):
    client = client_for(officer)
    for region in (city.building_a, city.building_b, city.grid_a):
        _draw(client, city, kind="low", regions=[region.code])

    first = client.get("/api/v1/zones", {"limit": 2}).json()
    rest = client.get("/api/v1/zones", {"limit": 2, "cursor": first["next_cursor"]}).json()

    ids = [zone["id"] for zone in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 3
    assert rest["next_cursor"] is None


def test_a_grid_worker_sees_a_zone_of_their_grid_but_may_not_lift_it(city, officer, worker_a):
    zone = _draw(client_for(officer), city).json()
    client = client_for(worker_a)

    assert client.get(f"/api/v1/zones/{zone['id']}").status_code == 200
    response = send(client, "post", f"/api/v1/zones/{zone['id']}/lift", {"reason": "解除"})

    assert response.status_code == 403
    assert client.get(f"/api/v1/zones/{zone['id']}").json()["lifted_at"] is None
