"""Couriers' passes' routes: the whitelist for officers (API and pages) and the holder's own
pass for the resident."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.passes.area import SUPPLY_PASS
from tests.scope.cases import Case

API_PREFIX = "/api/v1/passes"
PAGE_PREFIX = "/passes"
HIDDEN = (403, 404)
DONE = (302,)
UNKNOWN = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"


def day(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


def path(name: str):
    return lambda w, side, user: {"pass_id": str(getattr(side, name).pk)}


def page(name: str):
    return lambda w, side, user: {"pk": str(getattr(side, name).pk)}


def new_pass(w, side, user):
    return {
        "id_number": side.relative.id_number,
        "name": side.relative.name,
        "region": side.street.code,
        "areas": [side.grid.code],
        "role": "volunteer",
        "organisation": "社区志愿队",
        "plate": "闽A54321",
        "valid_from": day(0),
        "valid_until": day(7),
    }


def new_pass_form(w, side, user):
    return new_pass(w, side, user) | {"areas": side.grid.code}


def edited_form(w, side, user):
    return {
        "role": "driver",
        "organisation": "保供车队",
        "plate": "闽AD12345",
        "areas": side.grid.code,
        "valid_from": day(0),
        "valid_until": day(5),
    }


def because(w, side, user):
    return {"reason": "同事阳性"}


API = {
    f"GET {API_PREFIX}": Case(
        need=(SUPPLY_PASS, p.VIEW),
        listed=lambda side: str(side.pass_active.pk),
        bad_queries=[
            ({"state": "lost"}, "state"),
            ({"role": "pilot"}, "role"),
            {"region": "999"},
            {"cursor": "garbage"},
            {"limit": 0},
        ],
    ),
    f"POST {API_PREFIX}": Case(
        need=(SUPPLY_PASS, p.ADD),
        body=new_pass,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"plate": "闽I12345"}, "plate"),
            ({"areas": []}, "areas"),
            ({"areas": ["350202001"]}, "areas"),
            ({"region": "999"}, "region"),
            ({"name": "赵六"}, "name"),
            ({"id_number": "350102199001011234"}, "id_number"),
            ({"person": UNKNOWN}, "person"),
            ({"valid_until": "2000-01-01"}, "valid_until"),
            ({"role": "pilot"}, "role"),
            ({"organisation": " "}, "organisation"),
        ],
    ),
    f"GET {API_PREFIX}/mine": Case(audience="resident"),
    f"GET {API_PREFIX}/{{pass_id}}": Case(
        need=(SUPPLY_PASS, p.VIEW), path=path("pass_active"), refused=(404,)
    ),
    f"PATCH {API_PREFIX}/{{pass_id}}": Case(
        need=(SUPPLY_PASS, p.CHANGE),
        path=path("pass_active"),
        body=lambda w, side, user: {"plate": "闽B11111", "areas": [side.grid.code]},
        writes=True,
        refused=HIDDEN,
        bad_fields=[
            ({"plate": "B11111"}, "plate"),
            ({"areas": ["350202001"]}, "areas"),
            ({"valid_until": "2000-01-01"}, "valid_until"),
            ({"person": UNKNOWN}, "person"),
        ],
    ),
    f"POST {API_PREFIX}/{{pass_id}}/suspend": Case(
        need=(SUPPLY_PASS, p.CHANGE),
        path=path("pass_active"),
        body=because,
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"reason": " "}, "reason")],
    ),
    f"POST {API_PREFIX}/{{pass_id}}/resume": Case(
        need=(SUPPLY_PASS, p.CHANGE), path=path("pass_suspended"), writes=True, refused=HIDDEN
    ),
    f"POST {API_PREFIX}/{{pass_id}}/revoke": Case(
        need=(SUPPLY_PASS, p.CHANGE),
        path=path("pass_active"),
        body=because,
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"reason": ""}, "reason")],
    ),
}

PAGES = {
    f"GET {PAGE_PREFIX}/": Case(
        need=(SUPPLY_PASS, p.VIEW),
        listed=lambda side: str(side.pass_active.pk),
        bad_queries=[{"state": "\x00"}, {"region": "x"}, {"cursor": "garbage"}],
    ),
    f"GET {PAGE_PREFIX}/new/": Case(need=(SUPPLY_PASS, p.ADD)),
    f"POST {PAGE_PREFIX}/new/": Case(
        need=(SUPPLY_PASS, p.ADD),
        body=new_pass_form,
        writes=True,
        ok=DONE,
        outside=(200,),
        bad_bodies=[
            lambda w, side, user: new_pass_form(w, side, user) | {"plate": "闽I12345"},
            lambda w, side, user: new_pass_form(w, side, user) | {"areas": "\x00"},
            lambda w, side, user: new_pass_form(w, side, user) | {"household": "x"},
            {},
        ],
    ),
    f"GET {PAGE_PREFIX}/mine/": Case(audience="resident"),
    # Fetched by the pass page's script, which handles 401 itself.
    f"GET {PAGE_PREFIX}/mine/panel/": Case(audience="resident", refused=(401,)),
    f"GET {PAGE_PREFIX}/<uuid:pk>/": Case(
        need=(SUPPLY_PASS, p.VIEW), path=page("pass_active"), refused=(404,)
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/edit/": Case(
        need=(SUPPLY_PASS, p.CHANGE), path=page("pass_active"), refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/edit/": Case(
        need=(SUPPLY_PASS, p.CHANGE),
        path=page("pass_active"),
        body=edited_form,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/suspend/": Case(
        need=(SUPPLY_PASS, p.CHANGE),
        path=page("pass_active"),
        body=lambda w, side, user: {"reason": "投诉核查", "confirm": "1"},
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/resume/": Case(
        need=(SUPPLY_PASS, p.CHANGE),
        path=page("pass_suspended"),
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/revoke/": Case(
        need=(SUPPLY_PASS, p.CHANGE),
        path=page("pass_active"),
        body=lambda w, side, user: {"reason": "离职", "confirm": "1"},
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
}
