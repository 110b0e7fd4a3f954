"""Every route of the API, for every role: who is refused, what stays out of scope, what bad
input gets, and what a write leaves behind. The routes come from the ninja API itself; each
needs a declared case in api_cases.py."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from .api_cases import API
from .asking import BAD_IDS, caller, deep, shows, url_of, user_of
from .routes import api_routes
from .world import ANONYMOUS, RESIDENT, ROLES

ROUTES = {route.key: route for route in api_routes()}
KEYS = sorted(ROUTES)

NOT_OBJECTS = [[], "text", 12, [{}] * 3]
RAW_BODIES = [
    b"null",
    b"{",
    b"\xff\xfe",
    b"\x00",
    b'{"a": ',
    b"[" * 100_000,
    b'{"person": ' + b"9" * 5_000 + b"}",
    b"{}" * 5,
]


def client_as(world, role: str) -> Client:
    if role == ANONYMOUS:
        return Client()
    token = world.resident_token if role == RESIDENT else world.tokens[role]
    return Client(headers={"Authorization": f"Bearer {token}"})


def ask(client, route, case, world, side, user, *, params=None, body=None, raw=None):
    params = params if params is not None else (case.path(world, side, user) if case.path else {})
    url = url_of(route.path, params)
    if case.query:
        url += "?" + urlencode(case.query(world, side, user))
    if case.files and body is None and raw is None:
        return client.post(url, case.files(world, side, user))
    if raw is None:
        if body is None and case.body:
            body = case.body(world, side, user)
        raw = "" if body is None else json.dumps(body)
    return client.generic(route.method, url, raw, content_type="application/json")


def test_every_route_has_a_declared_case_and_every_case_a_route():
    undeclared = sorted(set(ROUTES) - set(API))
    gone = sorted(set(API) - set(ROUTES))
    assert not undeclared, f"API routes without a declared case in api_cases.py: {undeclared}"
    assert not gone, f"declared cases for API routes that do not exist: {gone}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", KEYS)
def test_access_and_scope(in_world, key, role):
    route, case = ROUTES[key], API[key]
    world, user = in_world, user_of(in_world, role)
    client = client_as(world, role)
    count = case.records if case.writes and case.records else (lambda: 0)

    def params(side):
        # Made before counting: a path may name an object made for the request (a ledger job).
        return case.path(world, side, user) if case.path else {}

    if not case.allows(role):
        home = params(world.home)
        before = count()
        response = ask(client, route, case, world, world.home, user, params=home)
        wrong_kind = case.audience == "resident" or role in (ANONYMOUS, RESIDENT)
        expected = (401,) if wrong_kind else case.refused
        assert response.status_code in expected, (response.status_code, response.content[:300])
        if response.status_code == 200:
            assert response.json()["items"] == []
        else:
            assert response.json().get("detail")
        assert count() == before
        return

    if (
        case.outside
        and case.audience != "public"
        and (case.path or case.query or case.body or case.files)
    ):
        away = params(world.away)
        before = count()
        response = ask(client, route, case, world, world.away, user, params=away)
        assert response.status_code in case.outside, (response.status_code, response.content[:300])
        if case.listed and response.status_code == 200:
            assert not shows(response, case.listed(world.away))
        assert count() == before
    home = params(world.home)
    before = count()
    response = ask(client, route, case, world, world.home, user, params=home)
    assert case.succeeded(response.status_code), (response.status_code, response.content[:300])
    assert response.status_code < 500
    if case.listed:
        assert shows(response, case.listed(world.home))
        assert not shows(response, case.listed(world.away))
    if case.writes and case.records and 200 <= response.status_code < 300:
        assert count() > before, "a write that succeeded left no record"


@pytest.mark.parametrize("key", [key for key in KEYS if ROUTES[key].path_params])
def test_malformed_ids_are_4xx(in_world, key):
    route, case = ROUTES[key], API[key]
    role = caller(case)
    client, user = client_as(in_world, role), user_of(in_world, role)
    good = case.path(in_world, in_world.home, user)
    for name in route.path_params:
        for bad in [*BAD_IDS, *case.bad_ids]:
            response = ask(
                client, route, case, in_world, in_world.home, user, params=good | {name: bad}
            )
            # An id that takes the path out of the API (".." and "/") meets Django's own 404.
            assert 400 <= response.status_code < 500, (name, bad, response.status_code)
            if response["Content-Type"].startswith("application/json"):
                refused(response, (name, bad))


@pytest.mark.parametrize(
    "key", [key for key in KEYS if ROUTES[key].method in ("POST", "PATCH", "PUT")]
)
def refused(response, what, field=None):
    """A 4xx with a JSON detail; naming `field` where one is given."""
    assert 400 <= response.status_code < 500, (what, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), what
    detail = response.json().get("detail")
    assert detail, what
    if field is not None:
        assert field in {error["field"] for error in detail}, (what, detail)


def entries(declared, world, user):
    """Declared hostile input: a value, a (value, field) pair, or a function of the world."""
    for entry in declared:
        value, field = entry if isinstance(entry, tuple) else (entry, None)
        yield (value(world, world.home, user) if callable(value) else value), field


@pytest.mark.parametrize(
    "key", [key for key in KEYS if ROUTES[key].method in ("POST", "PATCH", "PUT")]
)
def test_malformed_bodies_are_4xx_with_a_detail_and_write_nothing(in_world, key):
    route, case = ROUTES[key], API[key]
    role = caller(case)
    client, user, world = client_as(in_world, role), user_of(in_world, role), in_world
    count = case.records if case.writes and case.records else (lambda: 0)
    before = count()

    if route.body_fields:
        for body in [*NOT_OBJECTS, deep()]:
            refused(ask(client, route, case, world, world.home, user, body=body), body)
        for raw in RAW_BODIES:
            refused(ask(client, route, case, world, world.home, user, raw=raw), raw)
    for body, field in entries(case.bad_bodies, world, user):
        refused(ask(client, route, case, world, world.home, user, body=body), body, field)
    good = case.body(world, world.home, user) if case.body else {}
    if isinstance(good, dict):
        for patch, field in entries(case.bad_fields, world, user):
            response = ask(client, route, case, world, world.home, user, body=good | patch)
            refused(response, patch, field)
    assert count() == before, "a refused body left a record"
    if not isinstance(good, dict):
        return
    for name in good:
        for value in (None, "x" * 100_000, ["x"], {"x": 1}, "\x00"):
            response = ask(client, route, case, world, world.home, user, body=good | {name: value})
            assert response.status_code < 500, (name, value, response.status_code)
            if response.status_code >= 400:
                refused(response, (name, value))


@pytest.mark.parametrize("key", [key for key in KEYS if API[key].bad_queries])
def test_malformed_queries_are_4xx_with_a_detail(in_world, key):
    route, case = ROUTES[key], API[key]
    role = caller(case)
    client, user, world = client_as(in_world, role), user_of(in_world, role), in_world
    params = case.path(world, world.home, user) if case.path else {}
    for query, field in entries(case.bad_queries, world, user):
        url = url_of(route.path, params) + "?" + urlencode(query)
        refused(client.generic(route.method, url), query, field)
