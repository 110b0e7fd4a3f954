"""The scope cases of the isolation orders' routes: orders and their actions, the to-place
queue, the due list, sites and rooms (API and pages)."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.isolation.area import ORDER, SITE, SITE_STAFF

from ...cases import Case

EMPTY = (200,)
HIDDEN_FIELD = (403, 422)
DONE = (302,)
# Officers and up decide about orders; rooms are also the site staff's work.
ROOM_WORK = {p.ADMIN, p.OFFICER, SITE_STAFF}


def later(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def waiting(w, side, user):
    return {"order_id": str(side.iso_waiting.pk)}


def running(w, side, user):
    return {"order_id": str(side.iso_running.pk)}


def site(w, side, user):
    return {"site_id": str(side.iso_site.pk)}


def site_pk(w, side, user):
    return {"pk": str(side.iso_site.pk)}


def site_body(w, side, user):
    return {"name": "方舱隔离点", "address": "会展中心", "region": side.community.code}


API = {
    "GET /api/v1/isolation/orders": Case(
        need=(ORDER, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.iso_waiting.pk),
        bad_queries=[
            ({"state": "lost"}, "state"),
            ({"reason": "boredom"}, "reason"),
            {"region": "\x00"},
            ({"region": "9" * 50}, "region"),
            ({"region": "999"}, "region"),
            ({"site": "nope"}, "site"),
            {"cursor": "garbage"},
        ],
    ),
    "GET /api/v1/isolation/orders/{order_id}": Case(
        need=(ORDER, p.VIEW), path=waiting, refused=(404,)
    ),
    "POST /api/v1/isolation/orders/place": Case(
        need=(ORDER, p.ADD),
        body=lambda w, side, user: {
            "orders": [str(side.iso_waiting.pk)],
            "site": str(w.home.iso_site.pk),
        },
        writes=True,
        refused=HIDDEN_FIELD,
        outside=(422,),
        bad_bodies=[
            ({"orders": [], "site": "0f6a2b2e-9a43-4c55-8d55-111111111111"}, "orders"),
            (
                lambda w, side, user: {
                    "orders": [str(side.iso_waiting.pk)],
                    "site": str(w.away.iso_site.pk),
                },
                "site",
            ),
            (
                lambda w, side, user: {"building": side.grid.code, "site": str(side.iso_site.pk)},
                "building",
            ),
            (
                lambda w, side, user: {
                    "orders": [str(side.iso_running.pk)],
                    "site": str(side.iso_site.pk),
                },
                "state",
            ),
        ],
    ),
    "POST /api/v1/isolation/orders/start-at-home": Case(
        need=(ORDER, p.ADD),
        body=lambda w, side, user: {"orders": [str(side.iso_waiting.pk)], "kind": "home"},
        writes=True,
        refused=HIDDEN_FIELD,
        outside=(422,),
        bad_fields=[({"kind": "hotel"}, "kind")],
    ),
    "POST /api/v1/isolation/orders/release": Case(
        need=(ORDER, p.ADD),
        body=lambda w, side, user: {"orders": [str(side.iso_running.pk)]},
        writes=True,
        refused=HIDDEN_FIELD,
        outside=(422,),
        bad_bodies=[
            (lambda w, side, user: {"orders": [str(side.iso_waiting.pk)]}, "state"),
            ({"orders": []}, "orders"),
        ],
    ),
    "POST /api/v1/isolation/orders/{order_id}/extend": Case(
        need=(ORDER, p.ADD),
        path=running,
        body=lambda w, side, user: {"until": later(48).isoformat(), "reason": "第 5 天未检测"},
        writes=True,
        refused=(403, 404),
        bad_fields=[
            ({"until": "yesterday"}, "until"),
            ({"until": "2001-01-01T00:00:00+08:00"}, "until"),
            ({"reason": " "}, "reason"),
        ],
    ),
    "POST /api/v1/isolation/orders/{order_id}/replan": Case(
        need=(ORDER, p.ADD),
        path=running,
        body=lambda w, side, user: {"reason": "按现行方案"},
        writes=True,
        refused=(403, 404),
    ),
    "POST /api/v1/isolation/orders/{order_id}/hospital": Case(
        need=(ORDER, p.ADD),
        path=running,
        body=lambda w, side, user: {"reason": "核酸阳性"},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"reason": ""}, "reason")],
    ),
    "POST /api/v1/isolation/orders/{order_id}/cancel": Case(
        need=(ORDER, p.ADD),
        path=waiting,
        body=lambda w, side, user: {"reason": "密接身份已撤销"},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"reason": ""}, "reason")],
    ),
    "POST /api/v1/isolation/orders/{order_id}/move": Case(
        allowed=ROOM_WORK,
        path=running,
        body=lambda w, side, user: {"room": str(side.iso_room_free.pk)},
        writes=True,
        refused=(403, 404, 422),
        bad_bodies=[
            (lambda w, side, user: {"room": str(w.away.iso_room_free.pk)}, "room"),
            (lambda w, side, user: {"room": str(side.iso_running.room_id)}, "room"),
        ],
    ),
    "GET /api/v1/isolation/due": Case(
        need=(ORDER, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.iso_running.pk),
        bad_queries=[
            ({"status": "maybe"}, "status"),
            {"cursor": "garbage"},
            {"cursor": "WyJ4IiwgInkiXQ"},
            ({"region": "999"}, "region"),
        ],
    ),
    "GET /api/v1/isolation/sites": Case(
        need=(SITE, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.iso_site.pk),
        bad_queries=[{"cursor": "garbage"}, ({"limit": "0"}, "limit")],
    ),
    "POST /api/v1/isolation/sites": Case(
        need=(SITE, p.ADD),
        body=site_body,
        writes=True,
        refused=HIDDEN_FIELD,
        outside=(422,),
        bad_fields=[
            ({"name": " "}, "name"),
            ({"region": "350000"}, "region"),
            ({"phone": "call me"}, "phone"),
        ],
    ),
    "GET /api/v1/isolation/sites/{site_id}": Case(need=(SITE, p.VIEW), path=site, refused=(404,)),
    "PUT /api/v1/isolation/sites/{site_id}": Case(
        need=(SITE, p.CHANGE),
        path=site,
        body=site_body,
        writes=True,
        refused=(404,),
        bad_fields=[({"address": ""}, "address")],
    ),
    "GET /api/v1/isolation/sites/{site_id}/rooms": Case(
        need=(SITE, p.VIEW),
        path=site,
        refused=(404,),
        listed=lambda side: str(side.iso_room_free.pk),
    ),
    "POST /api/v1/isolation/sites/{site_id}/rooms": Case(
        need=(SITE, p.CHANGE),
        path=site,
        body=lambda w, side, user: {"numbers": "201-203", "capacity": 2},
        writes=True,
        refused=(404,),
        bad_fields=[
            ({"numbers": "101-102"}, "numbers"),
            ({"numbers": "9-1"}, "numbers"),
            ({"capacity": 0}, "capacity"),
        ],
    ),
    "PUT /api/v1/isolation/sites/{site_id}/rooms/{room_id}": Case(
        need=(SITE, p.CHANGE),
        path=lambda w, side, user: {
            "site_id": str(side.iso_site.pk),
            "room_id": str(side.iso_room_free.pk),
        },
        body=lambda w, side, user: {"capacity": 3, "active": True},
        writes=True,
        refused=(404,),
    ),
}


def order_pk(attribute):
    return lambda w, side, user: {"pk": str(getattr(side, attribute).pk)}


def local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


PAGES = {
    "GET /isolation/queue/": Case(
        need=(ORDER, p.ADD),
        listed=lambda side: str(side.iso_waiting.pk),
        bad_queries=[{"cursor": "x"}],
    ),
    "POST /isolation/queue/confirm/": Case(
        need=(ORDER, p.ADD),
        body=lambda w, side, user: {
            "order": [str(side.iso_waiting.pk)],
            "site": str(w.home.iso_site.pk),
            "action": "place",
        },
        writes=True,
        ok=DONE,
        refused=(403,),
        outside=(404,),
        bad_bodies=[
            lambda w, side, user: {"building": [side.grid.code], "action": "home"},
            lambda w, side, user: {"building": ["999"], "action": "home"},
            {"action": "place"},
        ],
    ),
    "GET /isolation/orders/": Case(
        need=(ORDER, p.VIEW),
        listed=lambda side: str(side.iso_waiting.pk),
        bad_queries=[{"state": "x"}, {"region": "999"}, {"cursor": "zz"}],
    ),
    "GET /isolation/orders/<uuid:pk>/": Case(
        need=(ORDER, p.VIEW), path=order_pk("iso_running"), refused=(404,)
    ),
    "POST /isolation/orders/<uuid:pk>/extend/": Case(
        need=(ORDER, p.ADD),
        path=order_pk("iso_running"),
        body=lambda w, side, user: {"until": local(later(48)), "reason": "第 5 天未检测"},
        writes=True,
        ok=DONE,
        refused=(403, 404),
        bad_bodies=[{"until": "2001-01-01T00:00", "reason": "x"}],
    ),
    "POST /isolation/orders/<uuid:pk>/replan/": Case(
        need=(ORDER, p.ADD),
        path=order_pk("iso_running"),
        body=lambda w, side, user: {"reason": "按现行方案"},
        writes=True,
        ok=DONE,
        refused=(403, 404),
    ),
    "POST /isolation/orders/<uuid:pk>/cancel/": Case(
        need=(ORDER, p.ADD),
        path=order_pk("iso_waiting"),
        body=lambda w, side, user: {"reason": "密接身份已撤销", "confirm": "on"},
        writes=True,
        ok=DONE,
        refused=(403, 404),
        bad_bodies=[{"reason": "密接身份已撤销"}],
    ),
    "POST /isolation/orders/<uuid:pk>/hospital/": Case(
        need=(ORDER, p.ADD),
        path=order_pk("iso_running"),
        body=lambda w, side, user: {"reason": "核酸阳性", "confirm": "on"},
        writes=True,
        ok=DONE,
        refused=(403, 404),
    ),
    "POST /isolation/orders/<uuid:pk>/release/": Case(
        need=(ORDER, p.ADD),
        path=order_pk("iso_running"),
        body=lambda w, side, user: {"confirm": "on"},
        writes=True,
        ok=DONE,
        refused=(403, 404),
    ),
    "POST /isolation/orders/<uuid:pk>/move/": Case(
        allowed=ROOM_WORK,
        path=order_pk("iso_running"),
        body=lambda w, side, user: {"room": str(side.iso_room_free.pk)},
        writes=True,
        ok=DONE,
        refused=(403, 404),
        bad_bodies=[lambda w, side, user: {"room": str(w.away.iso_room_free.pk)}],
    ),
    "GET /isolation/due/": Case(
        need=(ORDER, p.VIEW),
        listed=lambda side: str(side.iso_running.pk),
        bad_queries=[{"status": "x"}, {"cursor": "zz"}],
    ),
    "POST /isolation/due/release/": Case(
        need=(ORDER, p.ADD),
        body=lambda w, side, user: {"order": [str(side.iso_running.pk)], "confirm": "on"},
        writes=True,
        ok=DONE,
        refused=(403,),
        outside=(404,),
        bad_bodies=[lambda w, side, user: {"order": [str(side.iso_running.pk)]}],
    ),
    "GET /isolation/sites/": Case(need=(SITE, p.VIEW), listed=lambda side: str(side.iso_site.pk)),
    "GET /isolation/sites/new/": Case(need=(SITE, p.ADD)),
    "POST /isolation/sites/new/": Case(
        need=(SITE, p.ADD),
        body=site_body,
        writes=True,
        ok=DONE,
        outside=(422,),
        bad_bodies=[{"name": "x", "address": "y", "region": "350000"}],
    ),
    "GET /isolation/sites/<uuid:pk>/": Case(need=(SITE, p.VIEW), path=site_pk, refused=(404,)),
    "GET /isolation/sites/<uuid:pk>/edit/": Case(
        need=(SITE, p.CHANGE), path=site_pk, refused=(404,)
    ),
    "POST /isolation/sites/<uuid:pk>/edit/": Case(
        need=(SITE, p.CHANGE),
        path=site_pk,
        body=lambda w, side, user: site_body(w, side, user) | {"active": "on"},
        writes=True,
        ok=DONE,
        refused=(404,),
    ),
    "POST /isolation/sites/<uuid:pk>/rooms/": Case(
        need=(SITE, p.CHANGE),
        path=site_pk,
        body=lambda w, side, user: {"numbers": "201-202", "capacity": "1"},
        writes=True,
        ok=DONE,
        refused=(404,),
        bad_bodies=[{"numbers": "101", "capacity": "1"}, {"numbers": "1-999", "capacity": "1"}],
    ),
}
