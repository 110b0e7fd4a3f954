"""Open311 GeoReport v2's routes under /open311/v2/: public, for every role and none; what
they show is the public part of every side's tickets (tests/hotline_open311)."""

from tests.scope.cases import Case

PREFIX = "/open311/v2"
CREATED = (201,)


def fmt(**extra):
    return lambda w, side, user: {"fmt": "json", **extra}


def filing(w, side, user):
    return {
        "api_key": side.open311_key,
        "service_code": "utilities",
        "description": "停水",
        "address_id": side.community.code,
    }


PAGES = {
    f"GET {PREFIX}/services.<open311_format:fmt>": Case(audience="public", path=fmt()),
    f"GET {PREFIX}/services/<str:code>.<open311_format:fmt>": Case(
        audience="public", path=fmt(code="food")
    ),
    f"GET {PREFIX}/requests.<open311_format:fmt>": Case(
        audience="public",
        path=fmt(),
        bad_queries=[
            {"status": "\x00"},
            {"page": "x" * 1000},
            {"start_date": "2026-13-45T99:00:00Z"},
            {"service_request_id": "," * 1000},
        ],
    ),
    "POST /open311/v2/requests.<open311_format:fmt>": Case(
        audience="public",
        path=fmt(),
        body=filing,
        writes=True,
        ok=CREATED,
        bad_bodies=[
            {},
            {"api_key": "x"},
            lambda w, side, user: filing(w, side, user) | {"address_id": w.away.community.code},
        ],
    ),
    f"GET {PREFIX}/requests/<str:number>.<open311_format:fmt>": Case(
        audience="public",
        path=lambda w, side, user: {"number": side.open311_ticket.number, "fmt": "json"},
    ),
}
