"""Bearer tokens and rate limits: an address sending unknown tokens gets 429 (with
Retry-After, in JSON) once it sent "token-failures" of them, staff or resident; one staff
token is held to "token-use" requests a window; other addresses and tokens go on."""

import logging

import pytest
from django.test import Client

from tests.support import client_for, resident_token

PROBER = "203.0.113.11"


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.FANGYI_RATE_LIMITS = {
        **settings.FANGYI_RATE_LIMITS,
        "token-failures": (3, 300),
        "token-use": (4, 60),
    }


def with_token(token: str, address: str = PROBER) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"}, REMOTE_ADDR=address)


@pytest.mark.parametrize(
    ("path", "prefix"), [("/api/v1/persons", "fyt_"), ("/api/v1/me/code", "fyr_")]
)
def test_unknown_tokens_from_one_address_are_refused(city, caplog, path, prefix):
    with caplog.at_level(logging.WARNING, logger="fangyi.security"):
        answers = [with_token(f"{prefix}guess{n}").get(path) for n in range(5)]

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429, 429]
    refused = answers[-1]
    assert refused["Content-Type"].startswith("application/json")
    assert int(refused["Retry-After"]) == refused.json()["retry_after"] > 0
    assert [r.getMessage() for r in caplog.records if r.name == "fangyi.security"] != []
    # Someone else's address is not refused for them.
    assert with_token(f"{prefix}guess-other", "198.51.100.40").get(path).status_code == 401


def test_the_resident_endpoints_count_unknown_tokens_too(city):
    answers = [with_token(f"fyr_guess{n}").get("/api/v1/me/status") for n in range(4)]

    assert [answer.status_code for answer in answers] == [401, 401, 401, 429]


def test_a_valid_resident_token_is_not_limited_by_use(city):
    token = resident_token(city.person_a)

    answers = [with_token(token).get("/api/v1/me/code").status_code for _ in range(8)]

    assert answers == [200] * 8


def test_one_staff_token_is_held_to_its_rate(worker_a, city):
    busy = client_for(worker_a)
    other = client_for(worker_a)

    answers = [busy.get("/api/v1/persons").status_code for _ in range(6)]

    assert answers == [200] * 4 + [429] * 2
    assert other.get("/api/v1/persons").status_code == 200
