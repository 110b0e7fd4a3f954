"""The markets' routes: API under /api/v1/markets, pages under /markets/."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.markets.area import MARKET_LIGHT, MARKET_POINT, MARKET_RULES, PRICE_REPORT

from ...cases import Case

EMPTY = (200,)
DONE = (302,)
NO_ONE = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"
PAGING = [
    ({"cursor": "\x00"}, "cursor"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"limit": 10**30}, "limit"),
]


def days_ago(n: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


def point_of(attribute: str = "point"):
    return lambda w, side, user: {"point_id": str(getattr(side, attribute).pk)}


def light(w, side, user) -> dict:
    return {"light_id": str(side.light.pk)}


def pk_of(attribute: str):
    return lambda w, side, user: {"pk": str(getattr(side, attribute).pk)}


def new_point(w, side, user) -> dict:
    return {
        "code": f"N{side.city.code}",
        "name": "新设监测点",
        "kind": "wholesale",
        "region": side.grid.code,
    }


BASE = "/api/v1/markets"

API = {
    f"GET {BASE}/items": Case(need=(PRICE_REPORT, p.VIEW), outside=()),
    f"GET {BASE}/points": Case(
        need=(MARKET_POINT, p.VIEW),
        refused=EMPTY,
        listed=lambda side: side.point.code,
        bad_queries=[*PAGING, ({"region": "999"}, "region")],
    ),
    f"POST {BASE}/points": Case(
        need=(MARKET_POINT, p.ADD),
        body=new_point,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"kind": "shop"}, "kind"),
            ({"region": "999"}, "region"),
            ({"code": "!"}, "code"),
            ({"name": " "}, "name"),
            ({"reporters": [NO_ONE]}, "reporters"),
        ],
    ),
    f"GET {BASE}/points/{{point_id}}": Case(
        need=(MARKET_POINT, p.VIEW), path=point_of(), refused=(404,)
    ),
    f"PATCH {BASE}/points/{{point_id}}": Case(
        need=(MARKET_POINT, p.CHANGE),
        path=point_of(),
        body=lambda w, side, user: {"name": "改名后的超市"},
        writes=True,
        refused=(403, 404),
        bad_fields=[
            ({"kind": "shop"}, "kind"),
            ({"name": ""}, "name"),
            ({"active": None}, "active"),
            ({"reporters": [NO_ONE]}, "reporters"),
        ],
    ),
    f"GET {BASE}/reports": Case(
        need=(PRICE_REPORT, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.report.pk),
        bad_queries=[*PAGING, ({"day": "today"}, "day"), ({"point": "x"}, "point")],
    ),
    f"POST {BASE}/reports": Case(
        need=(PRICE_REPORT, p.ADD),
        body=lambda w, side, user: {
            "point": str(side.point.pk),
            "items": [{"item": "pork", "price": "26.50", "stock": 800, "sales": 40}],
        },
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"items": [{"item": "pork", "price": 0}]}, "items.0.price"),
            ({"items": [{"item": "caviar", "price": 3}]}, "items.0.item"),
            ({"items": [{"item": "pork", "price": 3, "sales": -1}]}, "items.0.sales"),
            ({"items": []}, "items"),
            ({"day": days_ago(-1)}, "day"),
            ({"point": NO_ONE}, "point"),
        ],
    ),
    f"GET {BASE}/missing": Case(
        need=(PRICE_REPORT, p.VIEW),
        listed=lambda side: side.idle_point.code,
        bad_queries=[*PAGING, ({"day": "today"}, "day")],
    ),
    f"GET {BASE}/lights": Case(
        need=(MARKET_LIGHT, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.light.pk),
        bad_queries=[*PAGING, ({"colour": "blue"}, "colour"), ({"region": "999"}, "region")],
    ),
    f"GET {BASE}/lights/{{light_id}}": Case(
        need=(MARKET_LIGHT, p.VIEW), path=light, refused=(404,)
    ),
    f"GET {BASE}/lights/{{light_id}}/series": Case(
        need=(MARKET_LIGHT, p.VIEW),
        path=light,
        refused=(404,),
        bad_queries=[({"days": 0}, "days"), ({"days": 100000}, "days")],
    ),
    f"GET {BASE}/lights/{{light_id}}/actions": Case(
        need=(MARKET_LIGHT, p.VIEW), path=light, refused=(404,), bad_queries=PAGING
    ),
    f"POST {BASE}/lights/{{light_id}}/actions": Case(
        need=(MARKET_LIGHT, p.CHANGE),
        path=light,
        body=lambda w, side, user: {"kind": "reserve", "quantity": "储备大米 50 吨"},
        writes=True,
        refused=(404,),
        bad_fields=[({"kind": "magic"}, "kind"), ({"kind": "other"}, "note")],
    ),
    f"GET {BASE}/rules": Case(need=(MARKET_RULES, p.VIEW), outside=()),
    f"PATCH {BASE}/rules": Case(
        need=(MARKET_RULES, p.CHANGE),
        body=lambda w, side, user: {"lockdown_date": days_ago(5)},
        writes=True,
        outside=(),
        bad_fields=[
            ({"lockdown_date": "soon"}, "lockdown_date"),
            ({"lockdown_date": days_ago(-2)}, "lockdown_date"),
        ],
    ),
}

PAGES = {
    "GET /markets/": Case(
        need=(MARKET_LIGHT, p.VIEW),
        outside=(),
        bad_queries=[{"region": "\x00"}, {"region": "999"}],
    ),
    "GET /markets/lights/<uuid:pk>/": Case(
        need=(MARKET_LIGHT, p.VIEW), path=pk_of("light"), refused=(404,)
    ),
    "POST /markets/lights/<uuid:pk>/actions/": Case(
        need=(MARKET_LIGHT, p.CHANGE),
        path=pk_of("light"),
        body=lambda w, side, user: {"kind": "fair_price", "note": "开设平价店 2 家"},
        writes=True,
        refused=(404,),
        ok=DONE,
    ),
    "GET /markets/report/": Case(need=(PRICE_REPORT, p.ADD), outside=()),
    "GET /markets/points/": Case(
        need=(MARKET_POINT, p.VIEW),
        listed=lambda side: side.point.code,
        bad_queries=[{"region": "\x00"}, {"cursor": "garbage"}],
    ),
    "POST /markets/points/": Case(
        need=(MARKET_POINT, p.ADD),
        body=new_point,
        writes=True,
        outside=(200,),
        ok=DONE,
    ),
    "GET /markets/points/<uuid:pk>/report/": Case(need=(PRICE_REPORT, p.ADD), path=pk_of("point")),
    "POST /markets/points/<uuid:pk>/report/": Case(
        need=(PRICE_REPORT, p.ADD),
        path=pk_of("point"),
        body=lambda w, side, user: {"price-pork": "26.50", "stock-pork": "800"},
        writes=True,
        ok=DONE,
    ),
    "GET /markets/missing/": Case(
        need=(PRICE_REPORT, p.VIEW),
        listed=lambda side: side.idle_point.code,
        bad_queries=[{"cursor": "garbage"}],
    ),
}
