"""Hostile or careless input to the screening API: 4xx JSON, never a 500, nothing written."""

import pytest

from fangyi.screening.models import Campaign, Sample, Tube
from tests.support import client_for, send

pytestmark = pytest.mark.django_db

SAMPLES = "/api/v1/screening/samples"
CAMPAIGNS = "/api/v1/screening/campaigns"
GOOD_ITEM = {
    "tube": "B0001",
    "persons": ["6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f60"],
    "site": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61",
    "sampled_at": "2022-04-01T08:00:00+08:00",
}


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {"samples": None},
        {"samples": []},
        {"samples": "many"},
        {"samples": [None]},
        {"samples": [{}]},
        {"samples": [GOOD_ITEM | {"persons": []}]},
        {"samples": [GOOD_ITEM | {"persons": ["not-a-uuid"]}]},
        {"samples": [GOOD_ITEM | {"persons": [GOOD_ITEM["persons"][0]] * 51}]},
        {"samples": [GOOD_ITEM | {"tube": "\x00"}]},
        {"samples": [GOOD_ITEM | {"tube": "x" * 100}]},
        {"samples": [GOOD_ITEM | {"sampled_at": "0001-01-01T00:00:00+08:00"}]},
        {"samples": [GOOD_ITEM | {"sampled_at": "yesterday"}]},
        {"samples": [GOOD_ITEM | {"pool_size": 0}]},
        {"samples": [GOOD_ITEM | {"extra": 1}]},
        {"samples": [GOOD_ITEM] * 10_001},
    ],
)
def test_malformed_sample_batches_are_422(city, sampler, body):
    response = send(client_for(sampler), "post", SAMPLES, body)
    assert response.status_code == 422, response.content[:300]
    assert isinstance(response.json()["detail"], list)
    assert not Sample.objects.exists() and not Tube.objects.exists()


def test_junk_bodies_are_4xx(city, sampler):
    client = client_for(sampler)
    for raw in ("{not json", "\x00", "9" * 1000):
        response = client.post(SAMPLES, raw, content_type="application/json")
        assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "regions": []},
        {"name": "x" * 101, "regions": ["350102001001"]},
        {"name": "x", "regions": ["\x00"]},
        {"name": "x", "regions": ["999999"]},
        {"name": "x", "regions": ["350102001001"], "default_pool_size": 7},
        {"name": "x", "regions": ["350102001001"], "pool_sizes": [0]},
        {"name": "x", "regions": ["350102001001"], "pool_sizes": [10, 1000]},
        {"name": "x", "regions": ["350102001001"], "pool_sizes": ["ten"]},
        {"name": "x", "regions": ["350102001001"], "pool_sizes": []},
        {"name": " ", "regions": ["350102001001"]},
        {"regions": ["350102001001"]},
    ],
)
def test_bad_campaigns_are_422(city, officer, body):
    response = send(client_for(officer), "post", CAMPAIGNS, body)
    assert response.status_code == 422, response.content
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("path", ["not-a-uuid", "%00", "1" * 300])
def test_odd_ids_and_barcodes_are_404(city, officer, path):
    client = client_for(officer)
    assert client.get(f"{CAMPAIGNS}/{path}").status_code == 404
    assert client.get(f"/api/v1/screening/tubes/{path}").status_code == 404
    response = send(client, "post", f"{CAMPAIGNS}/{path}/rounds", {"starts_at": "x"})
    assert 400 <= response.status_code < 500


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"starts_at": "2022-04-01T08:00:00+08:00"},
        {"starts_at": "x", "deadline": "y"},
        {"starts_at": "2022-04-01T08:00:00+08:00", "deadline": "9999-01-01T00:00:00"},
    ],
)
def test_bad_rounds_are_422(city, officer, campaign, body):
    response = send(client_for(officer), "post", f"{CAMPAIGNS}/{campaign.pk}/rounds", body)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"region": "350102001001001", "name": "点", "capacity_per_hour": 0},
        {"region": "350102001001001", "name": "点", "capacity_per_hour": "many"},
        {"region": "350102001001001", "name": "", "capacity_per_hour": 10},
        {"region": "\x00", "name": "点", "capacity_per_hour": 10},
        {"region": "350102001001001", "name": "点", "capacity_per_hour": 10, "samplers": [None]},
    ],
)
def test_bad_sites_are_422(city, officer, campaign, body):
    response = send(client_for(officer), "post", f"{CAMPAIGNS}/{campaign.pk}/sites", body)
    assert response.status_code == 422, response.content
