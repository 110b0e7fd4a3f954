"""The enterprises' routes: API under /api/v1/enterprises, pages under /enterprises/."""

from fangyi.core import permissions as p
from fangyi.enterprises import services
from fangyi.enterprises.area import EMPLOYEE, ENTERPRISE
from tests.enterprises.support import credit_code

from ...cases import Case

API_PREFIX = "/api/v1/enterprises"
PAGE_PREFIX = "/enterprises"
HIDDEN = (403, 404)
DONE = (302,)
DECIDERS = {p.ADMIN, p.OFFICER}
UNKNOWN = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"


def of(name: str, key: str):
    return lambda w, side, user: {key: str(getattr(side, name).pk)}


def new_enterprise(w, side, user) -> dict:
    return {
        "name": "新登记企业",
        "credit_code": credit_code(int(side.city.code[:4]) * 10 + 5),
        "region": side.grid.code,
        "address": "工业路 1 号",
        "contact_name": "黄主任",
        "contact_phone": "13905910003",
    }


def application(w, side, user) -> dict:
    return {"commitments": [c.code for c in services.active_commitments()], "staff_count": 12}


def relative(w, side, user) -> dict:
    return {"id_number": side.relative.id_number, "name": side.relative.name}


def reason(w, side, user) -> dict:
    return {"reason": "承诺书未盖章"}


API = {
    f"GET {API_PREFIX}": Case(
        need=(ENTERPRISE, p.VIEW),
        listed=lambda side: str(side.enterprise.pk),
        bad_queries=[({"standing": "closed"}, "standing"), {"region": "999"}, {"cursor": "x"}],
    ),
    f"POST {API_PREFIX}": Case(
        need=(ENTERPRISE, p.ADD),
        body=new_enterprise,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"credit_code": "91350100000000000X"}, "credit_code"),
            ({"region": "999"}, "region"),
            ({"contact_phone": "123"}, "contact_phone"),
            ({"name": " "}, "name"),
        ],
    ),
    f"POST {API_PREFIX}/self-register": Case(
        audience="public",
        body=new_enterprise,
        writes=True,
        outside=(),
        bad_fields=[({"credit_code": "12345"}, "credit_code"), ({"region": "1"}, "region")],
    ),
    f"GET {API_PREFIX}/commitments": Case(need=(ENTERPRISE, p.VIEW), outside=()),
    f"GET {API_PREFIX}/applications": Case(
        need=(ENTERPRISE, p.VIEW),
        listed=lambda side: str(side.application.pk),
        bad_queries=[({"state": "lost"}, "state"), {"region": "999"}],
    ),
    f"POST {API_PREFIX}/applications/{{application_id}}/approve": Case(
        allowed=DECIDERS,
        path=of("application", "application_id"),
        writes=True,
        refused=HIDDEN,
    ),
    f"POST {API_PREFIX}/applications/{{application_id}}/return": Case(
        allowed=DECIDERS,
        path=of("application", "application_id"),
        body=reason,
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"reason": " "}, "reason")],
    ),
    f"GET {API_PREFIX}/me/links": Case(audience="resident"),
    f"POST {API_PREFIX}/me/links/{{link_id}}/confirm": Case(
        audience="resident", path=of("link", "link_id"), writes=True, refused=(401,)
    ),
    f"POST {API_PREFIX}/me/links/{{link_id}}/decline": Case(
        audience="resident", path=of("link", "link_id"), writes=True, refused=(401,)
    ),
    f"GET {API_PREFIX}/{{enterprise_id}}": Case(
        need=(ENTERPRISE, p.VIEW), path=of("enterprise", "enterprise_id"), refused=(404,)
    ),
    f"POST {API_PREFIX}/{{enterprise_id}}/confirm": Case(
        allowed=DECIDERS,
        path=of("unconfirmed", "enterprise_id"),
        writes=True,
        refused=HIDDEN,
    ),
    f"POST {API_PREFIX}/{{enterprise_id}}/applications": Case(
        need=(ENTERPRISE, p.CHANGE),
        path=of("enterprise", "enterprise_id"),
        body=application,
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"commitments": []}, "commitments"), ({"staff_count": 0}, "staff_count")],
    ),
    f"GET {API_PREFIX}/{{enterprise_id}}/employees": Case(
        need=(EMPLOYEE, p.VIEW),
        path=of("enterprise", "enterprise_id"),
        refused=(404,),
        listed=lambda side: str(side.employment.pk),
    ),
    f"POST {API_PREFIX}/{{enterprise_id}}/employees": Case(
        need=(EMPLOYEE, p.ADD),
        path=of("enterprise", "enterprise_id"),
        body=relative,
        writes=True,
        refused=(404,),
        bad_fields=[
            ({"id_number": "350102199001011234"}, "id_number"),
            ({"name": "赵六"}, "id_number"),
        ],
    ),
    f"POST {API_PREFIX}/{{enterprise_id}}/employees/{{link_id}}/end": Case(
        need=(EMPLOYEE, p.CHANGE),
        path=lambda w, side, user: {
            "enterprise_id": str(side.enterprise.pk),
            "link_id": str(side.employment.pk),
        },
        writes=True,
        refused=(404,),
    ),
}


def page(name: str):
    return lambda w, side, user: {"pk": str(getattr(side, name).pk)}


def form(w, side, user) -> dict:
    return new_enterprise(w, side, user)


PAGES = {
    f"GET {PAGE_PREFIX}/": Case(
        need=(ENTERPRISE, p.VIEW),
        listed=lambda side: str(side.enterprise.pk),
        bad_queries=[{"standing": "\x00"}, {"region": "x"}, {"cursor": "garbage"}],
    ),
    f"GET {PAGE_PREFIX}/new/": Case(need=(ENTERPRISE, p.ADD)),
    f"POST {PAGE_PREFIX}/new/": Case(
        need=(ENTERPRISE, p.ADD),
        body=form,
        writes=True,
        ok=DONE,
        outside=(200,),
        bad_bodies=[lambda w, side, user: form(w, side, user) | {"credit_code": "1"}, {}],
    ),
    f"GET {PAGE_PREFIX}/register/": Case(audience="public"),
    f"POST {PAGE_PREFIX}/register/": Case(
        audience="public",
        body=form,
        writes=True,
        ok=(201,),
        outside=(),
        bad_bodies=[lambda w, side, user: form(w, side, user) | {"region": "\x00"}, {}],
    ),
    f"GET {PAGE_PREFIX}/mine/": Case(need=(EMPLOYEE, p.ADD), ok=DONE, outside=()),
    f"GET {PAGE_PREFIX}/me/": Case(audience="resident", refused=DONE),
    f"POST {PAGE_PREFIX}/me/": Case(
        audience="resident",
        body=lambda w, side, user: {"link": str(side.link.pk), "answer": "confirm"},
        writes=True,
        ok=DONE,
        refused=DONE,
        outside=DONE,
    ),
    f"GET {PAGE_PREFIX}/applications/": Case(
        need=(ENTERPRISE, p.VIEW),
        listed=lambda side: str(side.application.pk),
        bad_queries=[{"state": "\x00"}, {"region": "x"}, {"cursor": "garbage"}],
    ),
    f"POST {PAGE_PREFIX}/applications/<uuid:pk>/approve/": Case(
        allowed=DECIDERS, path=page("application"), writes=True, ok=DONE, refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/applications/<uuid:pk>/return/": Case(
        allowed=DECIDERS,
        path=page("application"),
        body=reason,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/": Case(
        need=(ENTERPRISE, p.VIEW), path=page("enterprise"), refused=(404,)
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/confirm/": Case(
        allowed=DECIDERS, path=page("unconfirmed"), writes=True, ok=DONE, refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/account/": Case(
        allowed=DECIDERS,
        path=page("enterprise"),
        body=lambda w, side, user: {
            "username": f"ent_{side.city.code}_{getattr(user, 'username', 'anon')}",
            "password": "Kq7!xw-plant-gate",
        },
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/apply/": Case(
        need=(ENTERPRISE, p.CHANGE), path=page("enterprise"), refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/apply/": Case(
        need=(ENTERPRISE, p.CHANGE),
        path=page("enterprise"),
        body=application,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/employees/": Case(
        need=(EMPLOYEE, p.VIEW),
        path=page("enterprise"),
        refused=(404,),
        listed=lambda side: str(side.employment.pk),
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/employees/": Case(
        need=(EMPLOYEE, p.ADD),
        path=page("enterprise"),
        body=relative,
        writes=True,
        ok=DONE,
        refused=(404,),
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/employees/<uuid:link>/end/": Case(
        need=(EMPLOYEE, p.CHANGE),
        path=lambda w, side, user: {"pk": str(side.enterprise.pk), "link": str(side.employment.pk)},
        writes=True,
        ok=DONE,
        refused=(404,),
    ),
}
