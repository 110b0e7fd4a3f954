"""Transfer's routes: batches and their passengers, the driver's actions on the road, and the
people waiting longest (API and pages). A driver works only the batches they drive: the
world's driver drives every batch of their side."""

from fangyi.core import permissions as p
from fangyi.isolation.area import DRIVER, TRANSFER
from tests.scope.cases import Case

API_PREFIX = "/api/v1/isolation/transfers"
PAGE_PREFIX = "/isolation/transfers"
EMPTY = (200,)
HIDDEN = (403, 404)
DONE = (302,)
# On the road: the batch's driver, and whoever arranges batches.
ROAD = {p.ADMIN, p.OFFICER, DRIVER}
PAGING = [{"cursor": "garbage"}, {"cursor": "W10"}, {"limit": 0}, {"limit": 10_000}]


def driver_of(w, side):
    return (w.users if side is w.home else w.away_users)[DRIVER]


def batch(name: str):
    return lambda w, side, user: {"batch_id": str(getattr(side, name).pk)}


def moving_passenger(w, side, user):
    return {
        "batch_id": str(side.tr_moving.pk),
        "passenger_id": str(side.tr_moving_passenger.pk),
    }


def planned_passenger(w, side, user):
    return {
        "batch_id": str(side.tr_planned.pk),
        "passenger_id": str(side.tr_planned.passengers.get().pk),
    }


def new_batch(w, side, user):
    return {
        "region": side.community.code,
        "vehicle": "闽A00001",
        "driver": str(driver_of(w, side).pk),
        "site": str(side.tr_site.pk),
        "orders": [str(side.tr_spare.pk)],
    }


def spare(w, side, user):
    return {"orders": [str(side.tr_spare.pk)]}


def because(w, side, user):
    return {"reason": "家中无人"}


def page(name: str):
    return lambda w, side, user: {"pk": str(getattr(side, name).pk)}


def page_passenger(name: str, passenger):
    return lambda w, side, user: {
        "pk": str(getattr(side, name).pk),
        "passenger": passenger(side).pk,
    }


API = {
    f"GET {API_PREFIX}": Case(
        need=(TRANSFER, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.tr_planned.pk),
        bad_queries=[({"state": "lost"}, "state"), ({"driver": "x"}, "driver"), *PAGING],
    ),
    f"POST {API_PREFIX}": Case(
        need=(TRANSFER, p.ADD),
        body=new_batch,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"orders": []}, "orders"),
            ({"vehicle": " "}, "vehicle"),
            ({"region": "999"}, "region"),
            ({"driver": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "driver"),
            ({"site": None}, "site"),
            ({"hospital": "市一医院"}, "site"),
            ({"site": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "site"),
            ({"orders": ["6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"]}, "orders"),
            ({"building": "350101"}, "orders"),
        ],
    ),
    f"GET {API_PREFIX}/waiting": Case(
        need=(TRANSFER, p.ADD),
        listed=lambda side: str(side.tr_spare.pk),
        bad_queries=PAGING,
    ),
    f"GET {API_PREFIX}/{{batch_id}}": Case(
        need=(TRANSFER, p.VIEW), path=batch("tr_planned"), refused=(404,)
    ),
    f"POST {API_PREFIX}/{{batch_id}}/passengers": Case(
        need=(TRANSFER, p.ADD),
        path=batch("tr_planned"),
        body=spare,
        writes=True,
        refused=HIDDEN,
        bad_fields=[
            ({"orders": []}, "orders"),
            ({"orders": ["6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"]}, "orders"),
        ],
    ),
    f"DELETE {API_PREFIX}/{{batch_id}}/passengers/{{passenger_id}}": Case(
        need=(TRANSFER, p.ADD), path=planned_passenger, writes=True, refused=HIDDEN
    ),
    f"POST {API_PREFIX}/{{batch_id}}/depart": Case(
        allowed=ROAD, path=batch("tr_planned"), writes=True, refused=HIDDEN
    ),
    f"POST {API_PREFIX}/{{batch_id}}/passengers/{{passenger_id}}/pick-up": Case(
        allowed=ROAD, path=moving_passenger, writes=True, refused=HIDDEN
    ),
    f"POST {API_PREFIX}/{{batch_id}}/passengers/{{passenger_id}}/not-found": Case(
        allowed=ROAD,
        path=moving_passenger,
        body=because,
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"reason": " "}, "reason")],
    ),
    f"POST {API_PREFIX}/{{batch_id}}/arrive": Case(
        allowed=ROAD, path=batch("tr_arriving"), writes=True, refused=HIDDEN
    ),
    f"POST {API_PREFIX}/{{batch_id}}/cancel": Case(
        need=(TRANSFER, p.ADD),
        path=batch("tr_planned"),
        body=because,
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"reason": ""}, "reason")],
    ),
}

PAGES = {
    f"GET {PAGE_PREFIX}/": Case(
        need=(TRANSFER, p.VIEW),
        listed=lambda side: str(side.tr_planned.pk),
        bad_queries=[{"state": "\x00"}, {"cursor": "garbage"}],
    ),
    f"GET {PAGE_PREFIX}/new/": Case(
        need=(TRANSFER, p.ADD),
        query=lambda w, side, user: {"building": side.building.code},
        listed=lambda side: str(side.tr_spare.pk),
        bad_queries=[{"building": "x"}, {"building": "\x00"}, {"building": "9" * 18}],
    ),
    f"POST {PAGE_PREFIX}/new/": Case(
        need=(TRANSFER, p.ADD),
        body=lambda w, side, user: {
            "building": side.building.code,
            "order": [str(side.tr_spare.pk)],
            "vehicle": "闽A00001",
            "driver": str(driver_of(w, side).pk),
            "site": str(side.tr_site.pk),
            "planned_at": "2030-01-01T08:00",
        },
        writes=True,
        ok=DONE,
        bad_bodies=[
            lambda w, side, user: {"building": side.building.code, "order": ["x"]},
            lambda w, side, user: {
                "building": side.building.code,
                "order": [str(side.tr_spare.pk)],
                "vehicle": "闽A00001",
                "driver": str(driver_of(w, side).pk),
                "planned_at": "2030-01-01T08:00",
            },
        ],
    ),
    f"GET {PAGE_PREFIX}/waiting/": Case(
        need=(TRANSFER, p.ADD),
        listed=lambda side: str(side.tr_spare.pk),
        bad_queries=[{"cursor": "garbage"}],
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/": Case(
        need=(TRANSFER, p.VIEW), path=page("tr_planned"), refused=(404,)
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/depart/": Case(
        allowed=ROAD, path=page("tr_planned"), writes=True, ok=DONE, refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/arrive/": Case(
        allowed=ROAD,
        path=page("tr_arriving"),
        body=lambda w, side, user: {"confirm": "1"},
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/cancel/": Case(
        need=(TRANSFER, p.ADD),
        path=page("tr_planned"),
        body=lambda w, side, user: {"reason": "车辆故障", "confirm": "1"},
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/passengers/<int:passenger>/pick-up/": Case(
        allowed=ROAD,
        path=page_passenger("tr_moving", lambda side: side.tr_moving_passenger),
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/passengers/<int:passenger>/not-found/": Case(
        allowed=ROAD,
        path=page_passenger("tr_moving", lambda side: side.tr_moving_passenger),
        body=because,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/passengers/<int:passenger>/remove/": Case(
        need=(TRANSFER, p.ADD),
        path=page_passenger("tr_planned", lambda side: side.tr_planned.passengers.get()),
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
}
