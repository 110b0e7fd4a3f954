from fangyi.core.models import ObjectChange
from fangyi.people.models import Household
from tests.support import send

from ..factories import PersonFactory


def test_list_households_under_a_region(as_officer, city):
    response = as_officer.get("/api/v1/households", {"region": city.grid_b.code})

    assert response.status_code == 200
    assert [h["id"] for h in response.json()["items"]] == [str(city.household_b.pk)]
    assert response.json()["items"][0]["address"] == "东街街道三坊社区2号楼1单元202"


def test_household_detail_lists_masked_members(as_worker_a, city):
    PersonFactory(household=city.household_a, name="王芳")

    response = as_worker_a.get(f"/api/v1/households/{city.household_a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["building"] == city.building_a.code
    assert (body["unit"], body["room"]) == ("1", "101")
    assert sorted(m["masked_name"] for m in body["members"]) == ["王*", "王*明"]
    assert all("name" not in m for m in body["members"])


def test_create_household(as_worker_a, city):
    body = {"building": city.building_a.code, "unit": "2", "room": "301"}

    response = send(as_worker_a, "post", "/api/v1/households", body)

    assert response.status_code == 201, response.content
    household = Household.objects.get(pk=response.json()["id"])
    assert (household.region_path, household.room) == (city.building_a.path, "301")
    assert response.json()["members"] == []
    city.building_a.refresh_from_db()
    assert city.building_a.household_count == 2
    assert ObjectChange.objects.filter(object_id=str(household.pk), action="create").exists()


def test_a_household_belongs_to_a_building_not_a_grid(as_worker_a, city):
    response = send(
        as_worker_a, "post", "/api/v1/households", {"building": city.grid_a.code, "room": "1"}
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "building"


def test_the_same_room_twice_is_422(as_worker_a, city):
    body = {"building": city.building_a.code, "unit": "1", "room": "101"}

    response = send(as_worker_a, "post", "/api/v1/households", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "room", response.json()


def test_patch_household(as_worker_a, city):
    url = f"/api/v1/households/{city.household_a.pk}"

    response = send(as_worker_a, "patch", url, {"notes": "独居老人，需每日问候"})

    assert response.status_code == 200
    assert response.json()["notes"] == "独居老人，需每日问候"
    assert response.json()["room"] == "101"


def test_moving_a_household_moves_its_members(as_officer, city):
    url = f"/api/v1/households/{city.household_a.pk}"

    response = send(as_officer, "patch", url, {"building": city.building_b.code, "room": "909"})

    assert response.status_code == 200, response.content
    city.person_a.refresh_from_db()
    assert city.person_a.region_path == city.building_b.path
    assert response.json()["region_path"] == city.building_b.path
