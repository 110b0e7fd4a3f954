"""Supplies' routes: the catalogue, the limits, requests and their changes, the totals, the
staff pages, and the residents' requests on the portal."""

from fangyi.core import permissions as p
from fangyi.supplies.area import CATALOGUE, SUPPLY_REQUEST
from tests.scope.cases import Case

EMPTY = (200,)
PREFIX = "/api/v1/supplies"
PAGING = [{"cursor": "garbage"}, {"cursor": "W10"}, {"limit": 0}, {"limit": 10_000}]


def request_id(w, side, user):
    return {"request_id": str(side.sup_request.pk)}


def request_pk(w, side, user):
    return {"pk": str(side.sup_request.pk)}


def mine_id(w, side, user):
    return {"request_id": str(side.sup_mine.pk)}


def mine_pk(w, side, user):
    return {"pk": str(side.sup_mine.pk)}


def item_id(w, side, user):
    return {"item_id": str(side.sup_item.pk)}


def item_pk(w, side, user):
    return {"pk": str(side.sup_item.pk)}


def staff_request(w, side, user):
    return {
        "household": str(side.sup_household.pk),
        "kind": "package",
        "items": [{"catalogue_item": str(side.sup_item.pk), "quantity": 2}],
    }


def resident_request(w, side, user):
    return {"kind": "package", "items": [{"catalogue_item": str(side.sup_item.pk), "quantity": 1}]}


def catalogue_item(w, side, user):
    return {
        "region": side.community.code,
        "kind": "goods",
        "name": "大米",
        "unit": "袋",
        "price": "55.00",
        "usual_max": 3,
    }


def household_query(w, side, user):
    return {"building": side.building.code, "room": "701"}


def request_form(w, side, user):
    return {
        "kind": "package",
        "urgency": "normal",
        "payment": "to_pay",
        "item_0_catalogue": str(side.sup_item.pk),
        "item_0_quantity": "1",
    }


def portal_form(w, side, user):
    return {
        "kind": "package",
        "urgency": "normal",
        "item_0_catalogue": str(side.sup_item.pk),
        "item_0_quantity": "1",
    }


API = {
    f"GET {PREFIX}/requests": Case(
        need=(SUPPLY_REQUEST, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.sup_request.pk),
        bad_queries=[
            ({"state": "lost"}, "state"),
            ({"kind": "x"}, "kind"),
            ({"order": "random"}, "order"),
            ({"open": "perhaps"}, "open"),
            ({"region": "abc"}, "region"),
            *PAGING,
        ],
    ),
    f"POST {PREFIX}/requests": Case(
        need=(SUPPLY_REQUEST, p.ADD),
        body=staff_request,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"kind": "caviar"}, "kind"),
            ({"items": []}, "items"),
            ({"household": "x"}, "household"),
            (
                lambda w, side, user: {
                    "items": [{"catalogue_item": str(side.sup_item.pk), "quantity": 0}]
                },
                "items.0.quantity",
            ),
            (
                lambda w, side, user: {
                    "items": [{"catalogue_item": str(side.sup_item.pk), "quantity": 500}]
                },
                "confirmed",
            ),
            (
                {
                    "kind": "medicine",
                    "chronic_condition": "关节炎",
                    "items": [{"name": "布洛芬", "quantity": 1}],
                },
                "items.0.dose",
            ),
            ({"kind": "repair", "items": []}, "notes"),
            ({"prescription": "not base64!"}, "prescription"),
            ({"amount": "-1"}, "amount"),
        ],
    ),
    f"GET {PREFIX}/requests/{{request_id}}": Case(
        need=(SUPPLY_REQUEST, p.VIEW), path=request_id, refused=(403, 404)
    ),
    f"POST {PREFIX}/requests/{{request_id}}/transition": Case(
        need=(SUPPLY_REQUEST, p.CHANGE),
        path=request_id,
        body=lambda w, side, user: {"to_state": "accepted"},
        writes=True,
        refused=(403, 404),
        bad_fields=[
            ({"to_state": "delivered"}, "to_state"),
            ({"to_state": "cancelled"}, "reason"),
            ({"to_state": "flying"}, "to_state"),
        ],
    ),
    f"POST {PREFIX}/requests/{{request_id}}/cost": Case(
        need=(SUPPLY_REQUEST, p.CHANGE),
        path=request_id,
        body=lambda w, side, user: {"payment": "subsidised"},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"payment": "gold"}, "payment"), ({"amount": "1e20"}, "amount")],
    ),
    f"GET {PREFIX}/totals": Case(
        need=(SUPPLY_REQUEST, p.VIEW),
        outside=(),
        bad_queries=[
            ({"since": "yesterday"}, "since"),
            ({"since": "2026-01-10", "until": "2026-01-01"}, "until"),
            ({"since": "2020-01-01", "until": "2026-01-01"}, "until"),
            ({"region": "abc"}, "region"),
        ],
    ),
    f"GET {PREFIX}/catalogue": Case(
        need=(CATALOGUE, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.sup_item.pk),
        bad_queries=[({"active": "maybe"}, "active"), *PAGING],
    ),
    f"POST {PREFIX}/catalogue": Case(
        need=(CATALOGUE, p.ADD),
        body=catalogue_item,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"price": "-1"}, "price"),
            ({"price": "1.234"}, "price"),
            ({"usual_max": 0}, "usual_max"),
            ({"kind": "service"}, "kind"),
            ({"name": ""}, "name"),
        ],
    ),
    f"PATCH {PREFIX}/catalogue/{{item_id}}": Case(
        need=(CATALOGUE, p.CHANGE),
        path=item_id,
        body=lambda w, side, user: {"price": "42.50", "active": False},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"price": "-3"}, "price"), ({"unit": ""}, "unit")],
    ),
    f"GET {PREFIX}/limits": Case(need=(SUPPLY_REQUEST, p.VIEW), outside=()),
    f"PUT {PREFIX}/limits/{{kind}}": Case(
        allowed={p.ADMIN},
        path=lambda w, side, user: {"kind": "medicine"},
        body=lambda w, side, user: {"minutes": 600},
        writes=True,
        outside=(),
        bad_fields=[({"minutes": 0}, "minutes")],
    ),
    "GET /api/v1/me/supplies": Case(
        audience="resident", listed=lambda side: str(side.sup_mine.pk), bad_queries=PAGING
    ),
    "GET /api/v1/me/supplies/catalogue": Case(
        audience="resident",
        outside=(),
        bad_queries=[{"person": "x"}],
    ),
    "POST /api/v1/me/supplies": Case(
        audience="resident",
        body=resident_request,
        writes=True,
        outside=(422,),
        bad_bodies=[
            ({"kind": "caviar"}, "kind"),
            ({"kind": "package", "items": []}, "items"),
            {"kind": "package", "items": "lots"},
            {"kind": "medicine", "person": "x"},
        ],
    ),
    "GET /api/v1/me/supplies/{request_id}": Case(audience="resident", path=mine_id),
    "POST /api/v1/me/supplies/{request_id}/cancel": Case(
        audience="resident",
        path=mine_id,
        body=lambda w, side, user: {"reason": "已买到"},
        writes=True,
        bad_bodies=[({"reason": ""}, "reason"), {"reason": 5}],
    ),
}

PAGES = {
    "GET /supplies/": Case(
        need=(SUPPLY_REQUEST, p.VIEW),
        listed=lambda side: str(side.sup_request.pk),
        bad_queries=[{"cursor": "garbage"}, {"cursor": "\x00"}, {"kind": "\x00"}],
    ),
    "GET /supplies/grid/": Case(
        need=(SUPPLY_REQUEST, p.CHANGE),
        listed=lambda side: str(side.sup_request.pk),
        bad_queries=[{"cursor": "garbage"}],
    ),
    "GET /supplies/new/": Case(
        need=(SUPPLY_REQUEST, p.ADD),
        query=household_query,
        outside=(200,),
        bad_queries=[{"building": "\x00", "room": "1"}, {"room": "x" * 500}],
    ),
    "POST /supplies/new/": Case(
        need=(SUPPLY_REQUEST, p.ADD),
        query=household_query,
        body=request_form,
        writes=True,
        ok=(302,),
        outside=(200,),
    ),
    "GET /supplies/catalogue/": Case(
        need=(CATALOGUE, p.VIEW), listed=lambda side: str(side.sup_item.pk)
    ),
    "POST /supplies/catalogue/": Case(
        need=(CATALOGUE, p.ADD),
        body=catalogue_item,
        writes=True,
        ok=(302,),
        outside=(200,),
    ),
    "GET /supplies/catalogue/<uuid:pk>/": Case(
        need=(CATALOGUE, p.CHANGE), path=item_pk, refused=(403, 404)
    ),
    "POST /supplies/catalogue/<uuid:pk>/": Case(
        need=(CATALOGUE, p.CHANGE),
        path=item_pk,
        body=lambda w, side, user: {
            "kind": "package",
            "name": "蔬菜包（大）",
            "unit": "份",
            "price": "49.90",
            "usual_max": "4",
            "active": "on",
        },
        writes=True,
        ok=(302,),
        refused=(403, 404),
    ),
    "GET /supplies/totals/": Case(
        need=(SUPPLY_REQUEST, p.VIEW),
        outside=(),
        bad_queries=[{"since": "x"}, {"since": "\x00"}, {"until": "9999-99-99"}],
    ),
    "GET /supplies/<uuid:pk>/": Case(
        need=(SUPPLY_REQUEST, p.VIEW), path=request_pk, refused=(403, 404)
    ),
    "POST /supplies/<uuid:pk>/transition/": Case(
        need=(SUPPLY_REQUEST, p.CHANGE),
        path=request_pk,
        body=lambda w, side, user: {"to_state": "accepted"},
        writes=True,
        ok=(302,),
        refused=(403, 404),
    ),
    "POST /supplies/<uuid:pk>/cost/": Case(
        need=(SUPPLY_REQUEST, p.CHANGE),
        path=request_pk,
        body=lambda w, side, user: {"payment": "paid"},
        writes=True,
        ok=(302,),
        refused=(403, 404),
    ),
    "GET /supplies/<uuid:pk>/prescription/": Case(
        need=(SUPPLY_REQUEST, p.VIEW), path=mine_pk, refused=(403, 404)
    ),
    "GET /me/supplies/": Case(audience="resident", listed=lambda side: str(side.sup_mine.pk)),
    "GET /me/supplies/new/": Case(audience="resident", outside=()),
    "POST /me/supplies/new/": Case(
        audience="resident", body=portal_form, writes=True, ok=(302,), outside=(200,)
    ),
    "GET /me/supplies/<uuid:pk>/": Case(audience="resident", path=mine_pk),
    "POST /me/supplies/<uuid:pk>/cancel/": Case(
        audience="resident",
        path=mine_pk,
        body=lambda w, side, user: {"reason": "已买到"},
        writes=True,
        ok=(302,),
    ),
    "GET /me/supplies/<uuid:pk>/prescription/": Case(audience="resident", path=mine_pk),
}
