"""The day's problem lists' routes: API under /api/v1/hotline/problem-lists and pages under
/hotline/problems/. A list is a district's: staff of smaller regions (officers, grid staff)
do not see it, whatever their role may do."""

from fangyi.core import permissions as p
from fangyi.hotline.area import OPERATOR
from tests.scope.cases import Case

API_PREFIX = "/api/v1/hotline/problem-lists"
PAGE_PREFIX = "/hotline/problems"
HIDDEN = (403, 404)
DONE = (302,)
UNKNOWN = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"
# Who sees and adds to a district's list: the matrix's roles assigned at the city.
AT_CITY = {p.ADMIN, p.COMMANDER, OPERATOR}
# Who answers an item: those who may change the list there (an operator may not).
ANSWER = {p.ADMIN, p.COMMANDER}


def path(name: str, key: str):
    return lambda w, side, user: {key: str(getattr(side, name).pk)}


def new_item(w, side, user):
    return {"title": "社区药店缺退烧药", "unit": str(side.problem_unit.pk), "fix_today": True}


def new_item_form(w, side, user):
    return {"title": "社区药店缺退烧药", "unit": str(side.problem_unit.pk), "fix_today": "on"}


def fixed(w, side, user):
    return {"outcome": "fixed", "note": "已调拨"}


API = {
    f"GET {API_PREFIX}": Case(
        allowed=AT_CITY,
        refused=(200, 403),
        listed=lambda side: str(side.problem_list.pk),
        bad_queries=[({"region": "x"}, "region"), {"day": "yesterday"}, {"cursor": "garbage"}],
    ),
    f"POST {API_PREFIX}": Case(
        allowed=AT_CITY,
        body=lambda w, side, user: {"region": side.district.code},
        writes=True,
        refused=(403, 422),
        outside=(422,),
        bad_fields=[({"region": "999"}, "region"), ({"region": "abc"}, "region")],
    ),
    f"GET {API_PREFIX}/{{list_id}}": Case(
        allowed=AT_CITY, path=path("problem_list", "list_id"), refused=(404,)
    ),
    f"POST {API_PREFIX}/{{list_id}}/items": Case(
        allowed=AT_CITY,
        path=path("problem_list", "list_id"),
        body=new_item,
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"title": " "}, "title"), ({"unit": UNKNOWN}, "unit")],
    ),
    f"POST {API_PREFIX}/items/{{item_id}}/outcome": Case(
        allowed=ANSWER,
        path=path("problem_item", "item_id"),
        body=fixed,
        writes=True,
        refused=HIDDEN,
        bad_fields=[
            ({"outcome": "maybe"}, "outcome"),
            ({"outcome": "not_fixed", "note": ""}, "note"),
        ],
    ),
}

PAGES = {
    f"GET {PAGE_PREFIX}/": Case(
        allowed=AT_CITY,
        refused=(200, 403),
        listed=lambda side: str(side.problem_list.pk),
        bad_queries=[{"region": "x"}, {"region": "\x00"}, {"cursor": "garbage"}],
    ),
    f"POST {PAGE_PREFIX}/make/": Case(
        allowed=AT_CITY,
        body=lambda w, side, user: {"region": side.district.code},
        writes=True,
        ok=DONE,
        refused=(400, 403),
        outside=(400,),
        bad_bodies=[{"region": "\x00"}, {"region": "999"}, {}],
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/": Case(
        allowed=AT_CITY, path=path("problem_list", "pk"), refused=(404,)
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/items/new/": Case(
        allowed=AT_CITY, path=path("problem_list", "pk"), refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/items/new/": Case(
        allowed=AT_CITY,
        path=path("problem_list", "pk"),
        body=new_item_form,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
        bad_bodies=[{}, {"title": " ", "unit": UNKNOWN}],
    ),
    f"GET {PAGE_PREFIX}/items/<uuid:pk>/": Case(
        allowed=ANSWER, path=path("problem_item", "pk"), refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/items/<uuid:pk>/": Case(
        allowed=ANSWER,
        path=path("problem_item", "pk"),
        body=fixed,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
        bad_bodies=[{"outcome": "maybe"}, {"outcome": "not_fixed", "note": ""}],
    ),
}
