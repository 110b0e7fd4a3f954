"""Wrong types, huge strings, NUL and nonsense get a 4xx JSON answer, never a 500."""

import pytest
from django.test import Client

from tests.support import as_resident

HUGE = "9" * 100_000
NUL = "1380000\x000001"

PUBLIC = [
    ("/api/v1/me/otp", {"phone": 13800000001}),
    ("/api/v1/me/otp", {"phone": HUGE}),
    ("/api/v1/me/otp", {"phone": NUL}),
    ("/api/v1/me/otp", {"phone": "13800000001", "extra": 1}),
    ("/api/v1/me/otp", {"phone": ["13800000001"]}),
    ("/api/v1/me/otp", {}),
    ("/api/v1/me/otp", []),
    ("/api/v1/me/otp", {"phone": "1380000000１"}),
    ("/api/v1/me/login", {"phone": "13800000001", "code": 123456}),
    ("/api/v1/me/login", {"phone": "13800000001", "code": "12345\x00"}),
    ("/api/v1/me/login", {"phone": "13800000001", "code": "abcdef"}),
    ("/api/v1/me/login", {"phone": "13800000001", "code": "123456", "id_tail": "12\x0034"}),
    ("/api/v1/me/login", {"phone": "13800000001", "code": "123456", "id_tail": "ABCD"}),
    ("/api/v1/me/login", {"phone": "13800000001", "code": HUGE}),
]

RESIDENT = [
    ("/api/v1/me/declarations/health", {"temperature": "hot"}),
    ("/api/v1/me/declarations/health", {"temperature": 1e308}),
    ("/api/v1/me/declarations/health", {"temperature": True, "symptoms": "cough"}),
    ("/api/v1/me/declarations/health", {"symptoms": ["cough\x00"]}),
    ("/api/v1/me/declarations/health", {"symptoms": ["plague"]}),
    ("/api/v1/me/declarations/health", {"symptoms": ["cough"] * 1000}),
    ("/api/v1/me/declarations/health", {"person": "not-a-uuid"}),
    ("/api/v1/me/declarations/trip", {"from_area": HUGE, "arrived_at": "2022-04-01T08:00"}),
    (
        "/api/v1/me/declarations/trip",
        {"from_area": "x\x00", "arrived_at": "2022-04-01T08:00", "risk_area": True},
    ),
    ("/api/v1/me/declarations/trip", {"from_area": "x", "arrived_at": "yesterday"}),
    (
        "/api/v1/me/declarations/trip",
        {"from_area": "x", "arrived_at": "0001-01-01T00:00:00+14:00", "risk_area": True},
    ),
    (
        "/api/v1/me/declarations/trip",
        {"from_area": "   ", "arrived_at": "2022-04-01T08:00", "risk_area": False},
    ),
    ("/api/v1/me/appeals", {"fact": "nope", "reason": "x"}),
    ("/api/v1/me/appeals", {"fact": "00000000-0000-0000-0000-000000000000", "reason": "x"}),
    ("/api/v1/me/appeals", {"reason": "x"}),
    ("/api/v1/me/appeals", {"zone": "00000000-0000-0000-0000-000000000000", "reason": HUGE}),
    ("/api/v1/me/dependants", {"id_number": "x", "name": "y", "relation": "boss"}),
    ("/api/v1/me/dependants", {"id_number": "\x00" * 10, "name": "y", "relation": "child"}),
    ("/api/v1/me/dependants", {"id_number": HUGE, "name": "y", "relation": "child"}),
    ("/api/v1/me/dependants", {"id_number": "350102199001011234", "name": "", "relation": "child"}),
    ("/api/v1/me/dependants/not-a-uuid/end", {}),
    ("/api/v1/me/dependants/00000000-0000-0000-0000-000000000000/end", {}),
]

GETS = [
    "/api/v1/me/code?person=nope",
    "/api/v1/me/code?person=%00",
    "/api/v1/me/code?person=00000000-0000-0000-0000-000000000000",
    "/api/v1/me/status?person=" + "9" * 5000,
    "/api/v1/me/facts?cursor=garbage",
    "/api/v1/me/facts?limit=-1",
    "/api/v1/me/facts?person=%00",
    "/api/v1/me/appeals?person=x",
]


def _assert_client_error(response):
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize(("url", "body"), PUBLIC)
def test_public_endpoints(city, url, body):
    _assert_client_error(Client().post(url, body, content_type="application/json"))


@pytest.mark.parametrize(("url", "body"), RESIDENT)
def test_resident_endpoints(city, url, body):
    client = as_resident(city.person_a)
    _assert_client_error(client.post(url, body, content_type="application/json"))


@pytest.mark.parametrize("url", GETS)
def test_query_parameters(city, url):
    _assert_client_error(as_resident(city.person_a).get(url))


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b"null", b'"phone"', b"[" * 10_000])
def test_bodies_that_are_not_json_objects(city, raw):
    response = Client().post("/api/v1/me/otp", raw, content_type="application/json")
    _assert_client_error(response)
