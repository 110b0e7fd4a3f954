from django.test import Client


def test_openapi_document_renders_with_separate_read_and_write_schemas(db):
    response = Client().get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.json()
    schemas = document["components"]["schemas"]
    for name in ("PersonCreate", "PersonUpdate", "PersonRead", "HouseholdCreate", "RegionRead"):
        assert name in schemas
    assert "/api/v1/persons/{person_id}/reveal" in document["paths"]
    assert "name" not in schemas["PersonRead"]["properties"]
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
