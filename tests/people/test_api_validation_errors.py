import datetime

import pytest

from tests.support import send

from ..factories import resident_id


def create(client, city, **fields):
    body = {"household": str(city.household_a.pk), "name": "陈静", "id_number": resident_id()}
    return send(client, "post", "/api/v1/persons", body | fields)


def fields_of(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["detail"]}


def test_resident_id_with_a_wrong_check_digit(as_worker_a, city):
    number = resident_id()
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")

    response = create(as_worker_a, city, id_number=wrong, gender="M", birth_date="1980-05-17")

    assert fields_of(response) == {"id_number"}
    assert response.json()["detail"][0]["message"] == "身份证号校验位错误。"


def test_invalid_mobile(as_worker_a, city):
    assert fields_of(create(as_worker_a, city, phone="12345678901")) == {"phone"}


def test_birth_date_that_contradicts_the_id_number(as_worker_a, city):
    number = resident_id(datetime.date(1980, 5, 17))

    response = create(as_worker_a, city, id_number=number, birth_date="1981-01-01")

    assert fields_of(response) == {"birth_date"}


def test_patch_is_validated_like_create(as_worker_a, city):
    url = f"/api/v1/persons/{city.person_a.pk}"

    assert fields_of(send(as_worker_a, "patch", url, {"id_number": "350102"})) == {"id_number"}


def test_every_wrong_field_is_reported_at_once(as_worker_a, city):
    response = create(as_worker_a, city, name="", phone="123")

    assert fields_of(response) == {"name", "phone"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_date": "17/05/1980"}, "birth_date"),
        ({"gender": "X"}, "gender"),
        ({"household": "not-a-uuid"}, "household"),
        ({"name": None}, "name"),
        ({"tags": "bedridden"}, "tags"),
    ],
)
def test_schema_errors_name_the_field(as_worker_a, city, fields, field):
    assert field in fields_of(create(as_worker_a, city, **fields))


def test_missing_fields_are_named(as_worker_a, city):
    response = send(as_worker_a, "post", "/api/v1/persons", {})

    assert fields_of(response) == {"household", "name", "id_number"}
    assert response.json()["detail"][0]["message"] == "请填写此项。"


def test_a_body_that_is_not_json_is_refused_without_a_500(as_worker_a, city):
    response = as_worker_a.post("/api/v1/persons", "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_id_number_already_registered(as_officer, city):
    response = create(as_officer, city, id_number=city.person_b.id_number)

    assert fields_of(response) == {"id_number"}
