import datetime

from ..factories import PersonFactory


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_items_are_masked(as_officer, city):
    response = as_officer.get("/api/v1/persons")

    item = response.json()["items"][0]
    assert item["id"] == str(city.person_a.pk)
    assert item["masked_name"] == "王*明"
    assert item["masked_phone"] == "138****0001"
    assert (
        item["masked_id_number"]
        == city.person_a.id_number[:4] + "**********" + city.person_a.id_number[-4:]
    )
    assert not {"name", "phone", "id_number"} & set(item)
    assert item["household"] == str(city.household_a.pk)
    assert item["building"] == city.building_a.code
    assert item["address"] == "东街街道三坊社区1号楼1单元101"
    assert item["age"] >= 40
    assert item["tags"] == []


def test_search_by_last_four_of_id_number(as_officer, city):
    response = as_officer.get("/api/v1/persons", {"q": city.person_b.id_number[-4:].lower()})

    assert ids(response) == [str(city.person_b.pk)]


def test_search_by_mobile(as_officer, city):
    assert ids(as_officer.get("/api/v1/persons", {"q": "13900000002"})) == [str(city.person_b.pk)]


def test_search_by_name_prefix(as_officer, city):
    assert ids(as_officer.get("/api/v1/persons", {"q": "王小"})) == [str(city.person_a.pk)]
    assert ids(as_officer.get("/api/v1/persons", {"q": "李秀英"})) == [str(city.person_b.pk)]


def test_filter_by_stored_tag(as_officer, city):
    bedridden = PersonFactory(household=city.household_b, is_bedridden=True)

    assert ids(as_officer.get("/api/v1/persons", {"tag": "bedridden"})) == [str(bedridden.pk)]


def test_filter_by_derived_elderly_tag(as_officer, city):
    elder = PersonFactory(household=city.household_a, birth_date=datetime.date(1940, 1, 1))

    response = as_officer.get("/api/v1/persons", {"tag": "elderly"})

    assert ids(response) == [str(elder.pk)]
    assert response.json()["items"][0]["tags"] == ["elderly"]


def test_filter_by_residence_status(as_officer, city):
    away = PersonFactory(household=city.household_a, residence_status="away")

    assert ids(as_officer.get("/api/v1/persons", {"residence_status": "away"})) == [str(away.pk)]


def test_filter_by_region(as_officer, city):
    response = as_officer.get("/api/v1/persons", {"region": city.grid_b.code})

    assert ids(response) == [str(city.person_b.pk)]


def test_region_filter_needs_a_visible_region(as_worker_a, city):
    response = as_worker_a.get("/api/v1/persons", {"region": city.grid_b.code})

    assert response.status_code == 404


def test_limit_bounds(as_officer, city):
    assert as_officer.get("/api/v1/persons", {"limit": 0}).status_code == 422
    assert as_officer.get("/api/v1/persons", {"limit": 201}).status_code == 422
    response = as_officer.get("/api/v1/persons", {"limit": 1})
    assert len(response.json()["items"]) == 1
    assert response.json()["next_cursor"]
