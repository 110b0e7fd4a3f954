"""Every page URL, for every role: the login it asks for, who is refused, what stays out of
scope, what malformed ids and forms get, and what a write leaves behind. The URLs come from
Django's resolver; each needs a declared case in page_cases.py."""

from urllib.parse import urlencode

import pytest
from django.test import Client

from fangyi.portal.auth import SESSION_KEY

from .asking import BAD_IDS, caller, shows, url_of, user_of
from .page_cases import PAGES
from .routes import page_routes
from .world import ANONYMOUS, RESIDENT, ROLES

KEYS = sorted(PAGES)
HOSTILE_VALUES = ["x" * 100_000, "\x00", "' OR 1=1 --", "网格😀", ""]


def client_as(world, role: str) -> Client:
    client = Client()
    if role == RESIDENT:
        session = client.session
        session[SESSION_KEY] = str(world.home.person.pk)
        session.save()
    elif role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def ask(client, key, case, world, side, user, *, params=None, body=None):
    method, path = key.split(" ", 1)
    params = params if params is not None else (case.path(world, side, user) if case.path else {})
    url = url_of(path, params)
    if case.query:
        url += "?" + urlencode(case.query(world, side, user))
    if method == "GET":
        return client.get(url)
    if body is None:
        body = case.files(world, side, user) if case.files else {}
        if case.body:
            body = case.body(world, side, user)
    return client.post(url, body)


def sent_to_login(response) -> bool:
    return response.status_code == 302 and "login" in response["Location"]


def test_every_page_has_a_declared_case_and_every_case_a_page():
    declared = {key.split(" ", 1)[1] for key in PAGES}
    resolved = set(page_routes())
    undeclared = sorted(resolved - declared)
    gone = sorted(declared - resolved)
    assert not undeclared, f"page URLs without a declared case in page_cases.py: {undeclared}"
    assert not gone, f"declared cases for page URLs that do not exist: {gone}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", KEYS)
def test_access_and_scope(in_world, key, role):
    case, world, user = PAGES[key], in_world, user_of(in_world, role)
    client = client_as(world, role)
    count = case.records if case.writes and case.records else (lambda: 0)

    def params(side):
        # Made before counting: a path may name an object made for the request (a ledger job).
        return case.path(world, side, user) if case.path else {}

    if not case.allows(role):
        home = params(world.home)
        before = count()
        response = ask(client, key, case, world, world.home, user, params=home)
        if case.audience == "resident" or role in (ANONYMOUS, RESIDENT):
            refused = sent_to_login(response) or response.status_code in case.refused
            assert refused, (response.status_code, response.get("Location"))
        else:
            assert response.status_code in case.refused, response.status_code
            if response.status_code == 200 and case.listed:
                assert not shows(response, case.listed(world.home))
        assert count() == before
        return

    if case.outside and case.audience != "public" and (case.path or case.query or case.body):
        away = params(world.away)
        before = count()
        response = ask(client, key, case, world, world.away, user, params=away)
        assert response.status_code in case.outside, response.status_code
        assert count() == before
    home = params(world.home)
    before = count()
    response = ask(client, key, case, world, world.home, user, params=home)
    assert case.succeeded(response.status_code), (response.status_code, response.get("Location"))
    if case.listed:
        assert shows(response, case.listed(world.home))
        assert not shows(response, case.listed(world.away))
    if case.writes and case.records and case.succeeded(response.status_code):
        assert count() > before, "a write that succeeded left no record"


@pytest.mark.parametrize("key", [key for key in KEYS if "<" in key])
def test_malformed_ids_are_4xx(in_world, key):
    case = PAGES[key]
    role = caller(case)
    client, user = client_as(in_world, role), user_of(in_world, role)
    good = case.path(in_world, in_world.home, user)
    for name in good:
        for bad in BAD_IDS:
            response = ask(
                client, key, case, in_world, in_world.home, user, params=good | {name: bad}
            )
            assert 400 <= response.status_code < 500, (name, bad, response.status_code)


def entries(declared, world, user):
    """Declared odd input: a value, or a function of the world for input naming its objects."""
    for entry in declared:
        yield entry(world, world.home, user) if callable(entry) else entry


@pytest.mark.parametrize(
    "key", [key for key in KEYS if key.startswith("POST ") and PAGES[key].body]
)
def test_malformed_forms_are_never_5xx_and_write_nothing(in_world, key):
    case = PAGES[key]
    role = caller(case)
    client, user = client_as(in_world, role), user_of(in_world, role)
    count = case.records if case.writes and case.records else (lambda: 0)
    before = count()
    for body in entries(case.bad_bodies, in_world, user):
        response = ask(client, key, case, in_world, in_world.home, user, body=body)
        assert response.status_code < 500, (body, response.status_code)
    assert count() == before, "a refused form left a record"
    good = case.body(in_world, in_world.home, user)
    for name in good:
        for value in [*HOSTILE_VALUES, ["a", "b"]]:
            response = ask(
                client, key, case, in_world, in_world.home, user, body=good | {name: value}
            )
            assert response.status_code < 500, (name, value[:20], response.status_code)
        response = ask(client, key, case, in_world, in_world.home, user, body={})
        assert response.status_code < 500, ("empty form", response.status_code)


@pytest.mark.parametrize("key", [key for key in KEYS if PAGES[key].bad_queries])
def test_odd_queries_are_never_5xx(in_world, key):
    case = PAGES[key]
    role = caller(case)
    client, user = client_as(in_world, role), user_of(in_world, role)
    path = url_of(
        key.split(" ", 1)[1], case.path(in_world, in_world.home, user) if case.path else {}
    )
    for query in entries(case.bad_queries, in_world, user):
        response = client.get(path, query)
        assert response.status_code < 500, (query, response.status_code)
