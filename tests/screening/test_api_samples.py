"""POST /api/v1/screening/samples and GET /tubes/{barcode}: a device's batch, idempotent, with
errors naming the item; tubes seen within scope, with masked names."""

import pytest

from fangyi.screening.models import Sample
from tests.factories import HouseholdFactory, PersonFactory, staff
from tests.support import ago, client_for, send

pytestmark = pytest.mark.django_db

SAMPLES = "/api/v1/screening/samples"


def _item(site, barcode, persons, **fields) -> dict:
    return {
        "tube": barcode,
        "persons": [str(pk) for pk in persons],
        "site": str(site.pk),
        "sampled_at": ago(minutes=5).isoformat(),
    } | fields


def test_a_batch_and_its_resend(city, sampler, site, round_now):
    household = HouseholdFactory(building=city.building_a)
    persons = [PersonFactory(household=household).pk for _ in range(10)]
    client = client_for(sampler)
    batch = {"samples": [_item(site, "B0001", persons), _item(site, "B0002", [city.person_b.pk])]}
    first = send(client, "post", SAMPLES, batch)
    assert first.status_code == 201, first.content
    assert first.json() == {"received": 11, "new": 11}
    again = send(client, "post", SAMPLES, batch)
    assert again.status_code == 201 and again.json() == {"received": 11, "new": 0}
    assert Sample.objects.count() == 11

    tube = client.get("/api/v1/screening/tubes/B0001").json()
    assert tube["state"] == "closed" and tube["state_name"] == "已封管"
    assert tube["pool_size"] == 10 and tube["round"] == 1 and len(tube["members"]) == 10
    assert all("*" in member["name"] for member in tube["members"])


def test_errors_name_the_item(city, sampler, site, round_now):
    batch = {
        "samples": [
            _item(site, "B0001", [city.person_a.pk]),
            _item(site, "B0002", [city.person_a.pk]),
        ]
    }
    response = send(client_for(sampler), "post", SAMPLES, batch)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"field": "samples.1.persons.0", "message": "该居民在本批中被放入本轮两支试管（B0001）。"}
    ]
    assert not Sample.objects.exists()


def test_a_site_out_of_sight_is_an_error_in_its_field(city, sampler, site, round_now):
    elsewhere = staff("sampler", city.grid_b, username="sampler_b")
    response = send(
        client_for(elsewhere),
        "post",
        SAMPLES,
        {"samples": [_item(site, "B0001", [city.person_b.pk])]},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "samples.0.site"


def test_only_samplers_upload(city, officer, site, round_now):
    response = send(
        client_for(officer),
        "post",
        SAMPLES,
        {"samples": [_item(site, "B0001", [city.person_a.pk])]},
    )
    assert response.status_code == 403


def test_tubes_are_seen_within_scope(city, sampler, site, round_now, worker_a, worker_b):
    send(
        client_for(sampler),
        "post",
        SAMPLES,
        {"samples": [_item(site, "B0001", [city.person_a.pk])]},
    )
    assert client_for(worker_a).get("/api/v1/screening/tubes/B0001").status_code == 200
    assert client_for(worker_b).get("/api/v1/screening/tubes/B0001").status_code == 404
    assert client_for(sampler).get("/api/v1/screening/tubes/NOPE").status_code == 404
