def codes(response) -> list[str]:
    return [item["code"] for item in response.json()["items"]]


def test_children_of_a_region(as_officer, city):
    response = as_officer.get("/api/v1/regions", {"parent": city.community.code})

    assert response.status_code == 200
    assert codes(response) == [city.grid_a.code, city.grid_b.code]
    assert response.json()["next_cursor"] is None


def test_regions_of_one_level(as_officer, city):
    response = as_officer.get("/api/v1/regions", {"level": "building"})

    assert codes(response) == [city.building_a.code, city.building_b.code]


def test_filters_combine(as_officer, city):
    response = as_officer.get("/api/v1/regions", {"parent": city.grid_b.code, "level": "building"})

    assert codes(response) == [city.building_b.code]


def test_a_grid_worker_lists_only_their_grid(as_worker_a, city):
    response = as_worker_a.get("/api/v1/regions")

    assert codes(response) == [city.grid_a.code, city.building_a.code]


def test_region_detail(as_officer, city):
    response = as_officer.get(f"/api/v1/regions/{city.grid_a.code}")

    assert response.status_code == 200
    assert response.json() == {
        "code": "350102001001001",
        "name": "第一网格",
        "level": "grid",
        "path": "350102001001001",
        "parent": city.community.code,
        "resident_count": 1,
        "household_count": 1,
    }


def test_region_outside_scope_is_404(as_worker_a, city):
    assert as_worker_a.get(f"/api/v1/regions/{city.grid_b.code}").status_code == 404
    assert as_worker_a.get("/api/v1/regions/999999").status_code == 404


def test_unknown_level_is_422(as_officer, city):
    response = as_officer.get("/api/v1/regions", {"level": "planet"})

    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "level"
