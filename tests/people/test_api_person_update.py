from fangyi.core.models import ObjectChange
from tests.support import client_for, send

from ..factories import staff


def test_patch_changes_only_the_fields_sent(as_worker_a, city):
    person = city.person_a
    url = f"/api/v1/persons/{person.pk}"

    response = send(as_worker_a, "patch", url, {"phone": "13600000009", "tags": ["disabled"]})

    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.phone, person.is_disabled, person.name) == ("13600000009", True, "王小明")
    assert response.json()["tags"] == ["disabled"]
    change = ObjectChange.objects.get(object_id=str(person.pk), action="update")
    assert change.changed_fields() == ["is_disabled", "phone"]


def test_patch_moves_a_person_to_another_household(as_officer, city):
    url = f"/api/v1/persons/{city.person_a.pk}"

    response = send(as_officer, "patch", url, {"household": str(city.household_b.pk)})

    assert response.status_code == 200
    assert response.json()["building"] == city.building_b.code
    assert response.json()["region_path"] == city.building_b.path


def test_null_is_not_a_value_for_a_patch_field(as_worker_a, city):
    response = send(as_worker_a, "patch", f"/api/v1/persons/{city.person_a.pk}", {"name": None})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "name"


def test_unknown_fields_are_refused(as_worker_a, city):
    response = send(
        as_worker_a, "patch", f"/api/v1/persons/{city.person_a.pk}", {"id_tail": "0000"}
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "id_tail", "message": "没有这个字段。"}]


def test_a_volunteer_may_read_but_not_change(city):
    volunteer = client_for(staff("volunteer", city.grid_a))
    url = f"/api/v1/persons/{city.person_a.pk}"

    assert volunteer.get(url).status_code == 200
    assert send(volunteer, "patch", url, {"phone": "13600000009"}).status_code == 403
