def test_person_detail_is_masked(as_worker_a, city):
    response = as_worker_a.get(f"/api/v1/persons/{city.person_a.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(city.person_a.pk)
    assert body["masked_name"] == "王*明"
    assert body["id_type"] == "resident_id"
    assert body["region_path"] == city.building_a.path
    assert "name" not in body


def test_unknown_person_is_404(as_officer, city):
    response = as_officer.get("/api/v1/persons/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert response.json()["detail"]
