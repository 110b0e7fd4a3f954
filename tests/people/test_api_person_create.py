import datetime

from fangyi.core.models import ObjectChange
from fangyi.people.models import Person
from tests.support import send

from ..factories import resident_id


def test_create_person_derives_gender_and_birth_date_from_the_id(as_worker_a, city):
    number = resident_id(datetime.date(1950, 3, 14), male=False)

    response = send(
        as_worker_a,
        "post",
        "/api/v1/persons",
        {
            "household": str(city.household_a.pk),
            "name": "陈静",
            "id_number": number,
            "phone": "13700000003",
            "tags": ["lives_alone"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.name, person.gender, person.birth_date) == (
        "陈静",
        "F",
        datetime.date(1950, 3, 14),
    )
    assert body["masked_name"] == "陈*"
    assert body["tags"] == ["elderly", "lives_alone"]
    assert body["household"] == str(city.household_a.pk)
    assert ObjectChange.objects.filter(object_id=body["id"], action="create").exists()


def test_create_in_a_household_of_another_grid_names_the_field(as_worker_a, city):
    response = send(
        as_worker_a,
        "post",
        "/api/v1/persons",
        {"household": str(city.household_b.pk), "name": "陈静", "id_number": resident_id()},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "household"
    assert not Person.objects.filter(name="陈静").exists()


def test_the_derived_elderly_tag_cannot_be_stored(as_worker_a, city):
    response = send(
        as_worker_a,
        "post",
        "/api/v1/persons",
        {
            "household": str(city.household_a.pk),
            "name": "陈静",
            "id_number": resident_id(),
            "tags": ["elderly"],
        },
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "tags.0"
