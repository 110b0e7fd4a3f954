"""Hostile or careless input to the sampling API: 4xx JSON, never a 500, nothing written."""

import pytest

from fangyi.screening.models import Sample, Tube
from tests.support import client_for, send

pytestmark = pytest.mark.django_db

TUBES = "/api/v1/screening/tubes"
PERSONS = "/api/v1/screening/sampling/persons"
# Stands for the site of the test, whose id is only known inside it.
SITE = "the-site"


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        {},
        {"barcode": "T0001"},
        {"barcode": "T0001", "site": "not-a-uuid"},
        {"barcode": None, "site": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"},
        {"barcode": "\x00", "site": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"},
        {"barcode": "x" * 100, "site": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"},
        {"barcode": "T0001", "site": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"},
        {"barcode": "T0001", "site": SITE, "pool_size": 0},
        {"barcode": "T0001", "site": SITE, "pool_size": "many"},
        {"barcode": "T0001", "site": SITE, "pool_size": 10**12},
        {"barcode": "T0001", "site": SITE, "code": "F" * 5000},
        {"barcode": "T0001", "site": SITE, "code": "FY1:\x00"},
        {"barcode": "T0001", "site": SITE, "person": 12},
        {"barcode": "T0001", "site": SITE, "extra": True},
    ],
)
def test_malformed_openings_are_4xx(city, sampler, site, round_now, body):
    if isinstance(body, dict) and body.get("site") == SITE:
        body = body | {"site": str(site.pk)}
    response = send(client_for(sampler), "post", TUBES, body)
    assert response.status_code == 422, response.content[:300]
    assert isinstance(response.json()["detail"], list)
    assert not Tube.objects.exists()


@pytest.mark.parametrize(
    "body",
    [None, [], {"code": 5}, {"person": "nobody"}, {"code": "x" * 5000}, {"what": 1}, {}],
    ids=["null", "list", "number-code", "bad-uuid", "long-code", "extra", "empty"],
)
def test_malformed_additions_are_422(city, sampler, site, round_now, body):
    client = client_for(sampler)
    send(client, "post", TUBES, {"barcode": "T0001", "site": str(site.pk)})
    response = send(client, "post", f"{TUBES}/T0001/samples", body)
    assert response.status_code == 422, response.content[:300]
    assert not Sample.objects.exists()


@pytest.mark.parametrize("barcode", ["%00", "x" * 300, "T%20001", "..%2F..", "T0009"])
def test_odd_barcodes_are_404(city, sampler, site, round_now, barcode):
    client = client_for(sampler)
    assert send(client, "post", f"{TUBES}/{barcode}/samples", {"code": "FY1:x"}).status_code == 404
    assert client.post(f"{TUBES}/{barcode}/close").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "王"},
        {"site": "nope", "q": "王"},
        {"site": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61", "q": "王"},
        {"site": SITE, "q": "王" * 51},
        {"site": SITE, "q": "\x00"},
    ],
    ids=["nothing", "no-site", "bad-site", "unknown-site", "long-query", "nul"],
)
def test_odd_searches_are_422(city, sampler, site, round_now, params):
    if params.get("site") == SITE:
        params = params | {"site": str(site.pk)}
    response = client_for(sampler).get(PERSONS, params)
    assert response.status_code == 422, response.content[:300]


def test_junk_bodies_are_4xx(city, sampler, site, round_now):
    client = client_for(sampler)
    for raw in ("{not json", "\x00", "9" * 1000):
        response = client.post(TUBES, raw, content_type="application/json")
        assert 400 <= response.status_code < 500
