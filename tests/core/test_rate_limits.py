"""Public endpoints are limited per client address ("public-address"): the place-code check
answers a page with 429 and Retry-After, the verification keys JSON. The counters are
fixed windows in the shared cache: a new window starts afresh."""

import pytest
from django.test import Client

from fangyi.core import ratelimit


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.FANGYI_RATE_LIMITS = {**settings.FANGYI_RATE_LIMITS, "public-address": (3, 60)}


def test_the_place_code_check_is_limited_per_address(db):
    crowd = Client(REMOTE_ADDR="203.0.113.21")

    answers = [crowd.get("/checkpoints/v/", {"c": "FYP1:NOTACODE"}) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [400, 400, 400, 429]
    refused = answers[-1]
    assert refused["Content-Type"].startswith("text/html")
    assert "请求过于频繁" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 61
    neighbour = Client(REMOTE_ADDR="203.0.113.22").get("/checkpoints/v/", {"c": "FYP1:NOTACODE"})
    assert neighbour.status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/codes/keys", "/api/v1/codes/revoked"])
def test_the_verification_keys_are_limited_per_address(db, path):
    crowd = Client(REMOTE_ADDR="203.0.113.23")

    answers = [crowd.get(path) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["retry_after"] == int(answers[-1]["Retry-After"])


def test_a_new_window_starts_afresh(db, monkeypatch):
    now = [1_000_000_040.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    for _ in range(3):
        ratelimit.hit("public-address", "203.0.113.24")
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.hit("public-address", "203.0.113.24")
    assert refused.value.retry_after == 41

    now[0] += 40
    ratelimit.hit("public-address", "203.0.113.24")


def test_behind_a_proxy_clients_are_told_apart_by_the_proxys_header(db, settings):
    settings.FANGYI_CLIENT_ADDRESS_HEADER = "X-Forwarded-For"
    settings.MIDDLEWARE = ["fangyi.core.middleware.ClientAddressMiddleware", *settings.MIDDLEWARE]
    proxy = "127.0.0.1"

    def through_proxy(forwarded: str):
        client = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)
        return client.get("/api/v1/codes/keys").status_code

    # The client wrote the first entry itself; the proxy appended the real address.
    first = [through_proxy(f"10.9.9.{n}, 203.0.113.31") for n in range(4)]
    second = through_proxy("203.0.113.32")

    assert first == [200, 200, 200, 429]
    assert second == 200
