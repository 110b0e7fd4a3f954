"""A grid worker of grid A can neither list, open, reveal nor change anything of grid B."""

from fangyi.core.models import AccessEvent, ObjectChange
from tests.support import send


def test_person_of_another_grid_is_absent_from_the_list(as_worker_a, city):
    listed = [item["id"] for item in as_worker_a.get("/api/v1/persons").json()["items"]]

    assert listed == [str(city.person_a.pk)]


def test_person_of_another_grid_cannot_be_found_by_search(as_worker_a, city):
    response = as_worker_a.get("/api/v1/persons", {"q": "13900000002"})

    assert response.json()["items"] == []


def test_person_of_another_grid_cannot_be_opened(as_worker_a, city):
    assert as_worker_a.get(f"/api/v1/persons/{city.person_b.pk}").status_code == 404


def test_person_of_another_grid_cannot_be_revealed(as_worker_a, city):
    url = f"/api/v1/persons/{city.person_b.pk}/reveal"

    response = send(as_worker_a, "post", url, {"reason": "核对信息"})

    assert response.status_code == 404
    assert "李" not in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_person_of_another_grid_cannot_be_changed(as_worker_a, city):
    url = f"/api/v1/persons/{city.person_b.pk}"

    response = send(as_worker_a, "patch", url, {"phone": "13600000009"})

    assert response.status_code == 404
    city.person_b.refresh_from_db()
    assert city.person_b.phone == "13900000002"
    assert not ObjectChange.objects.filter(object_id=str(city.person_b.pk)).exists()


def test_a_person_cannot_be_moved_into_another_grid(as_worker_a, city):
    url = f"/api/v1/persons/{city.person_a.pk}"

    response = send(as_worker_a, "patch", url, {"household": str(city.household_b.pk)})

    assert response.status_code == 422
    city.person_a.refresh_from_db()
    assert city.person_a.household_id == city.household_a.pk


def test_household_of_another_grid_is_hidden_everywhere(as_worker_a, city):
    url = f"/api/v1/households/{city.household_b.pk}"

    listed = [h["id"] for h in as_worker_a.get("/api/v1/households").json()["items"]]
    assert listed == [str(city.household_a.pk)]
    assert as_worker_a.get(url).status_code == 404
    assert send(as_worker_a, "patch", url, {"room": "203"}).status_code == 404
    assert send(as_worker_a, "post", f"{url}/reveal", {"reason": "核对信息"}).status_code == 404
    assert not AccessEvent.objects.exists()


def test_no_household_can_be_created_in_another_grid(as_worker_a, city):
    body = {"building": city.building_b.code, "room": "203"}

    response = send(as_worker_a, "post", "/api/v1/households", body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "building"
