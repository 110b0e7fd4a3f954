"""The sweeps' routes: API under /api/v1/sweeps, pages under /sweeps/."""

import datetime
import uuid

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.sweeps.area import SWEEP, SWEEP_VISIT

from ...cases import Case

EMPTY = (200,)
DONE = (302,)
HIDDEN = (403, 404)
BASE = "/api/v1/sweeps"
ONE = f"{BASE}/{{sweep_id}}"


def in_days(n: int) -> str:
    return (timezone.now() + datetime.timedelta(days=n)).isoformat()


def sweep_of(w, side, user) -> dict:
    return {"sweep_id": str(side.sweep.pk)}


def pk_of(w, side, user) -> dict:
    return {"pk": str(side.sweep.pk)}


def new_sweep(w, side, user) -> dict:
    return {"title": "再次排查", "regions": [side.grid.code], "deadline": in_days(2)}


def visits(w, side, user) -> dict:
    return {
        "visits": [
            {
                "id": str(uuid.uuid4()),
                "household": str(side.elder.household_id),
                "visited_at": timezone.now().isoformat(),
                "outcome": "answered",
                "answers": {"members": [{"person": str(side.elder.pk), "status": "here"}]},
            }
        ]
    }


def assignment(w, side, user) -> dict:
    return {"building": side.building.code, "assignee": str(side.second_worker.pk)}


def door_of(household):
    def path(w, side, user) -> dict:
        return {"sweep_id": str(side.sweep.pk), "household_id": str(household(side).pk)}

    return path


def page_door_of(household):
    def path(w, side, user) -> dict:
        return {"pk": str(side.sweep.pk), "household": str(household(side).pk)}

    return path


def conflicted(side):
    return side.household


def listed(side):
    return side.elder.household


API = {
    f"GET {BASE}": Case(
        need=(SWEEP, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.sweep.pk),
        bad_queries=[({"cursor": "\x00"}, "cursor"), ({"limit": 10**30}, "limit")],
    ),
    f"POST {BASE}": Case(
        need=(SWEEP, p.ADD),
        body=new_sweep,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"regions": ["999"]}, "regions"),
            ({"regions": []}, "regions"),
            ({"deadline": "2001-01-01T00:00:00+08:00"}, "deadline"),
            ({"sections": ["gossip"]}, "sections.0"),
            ({"title": " "}, "title"),
        ],
    ),
    f"GET {ONE}": Case(need=(SWEEP, p.VIEW), path=sweep_of, refused=(404,)),
    f"POST {ONE}/end": Case(need=(SWEEP, p.CHANGE), path=sweep_of, writes=True, refused=HIDDEN),
    f"GET {ONE}/buildings": Case(
        need=(SWEEP, p.VIEW),
        path=sweep_of,
        refused=(404,),
        listed=lambda side: side.building.code,
    ),
    f"POST {ONE}/assignments": Case(
        need=(SWEEP, p.CHANGE),
        path=sweep_of,
        body=assignment,
        writes=True,
        refused=HIDDEN,
        bad_fields=[
            ({"building": "999"}, "building"),
            ({"assignee": str(uuid.UUID(int=7))}, "assignee"),
        ],
    ),
    f"GET {ONE}/sheet": Case(
        need=(SWEEP_VISIT, p.ADD),
        path=sweep_of,
        refused=HIDDEN,
        bad_queries=[({"building": "999"}, "building")],
    ),
    f"POST {ONE}/visits": Case(
        need=(SWEEP_VISIT, p.ADD),
        path=sweep_of,
        body=visits,
        writes=True,
        refused=HIDDEN,
        bad_fields=[
            ({"visits": []}, "visits"),
            (
                {
                    "visits": [
                        {
                            "id": str(uuid.UUID(int=9)),
                            "household": str(uuid.UUID(int=9)),
                            "visited_at": in_days(0),
                            "outcome": "answered",
                        }
                    ]
                },
                "visits.0.household",
            ),
            (
                {
                    "visits": [
                        {
                            "id": str(uuid.UUID(int=9)),
                            "household": str(uuid.UUID(int=9)),
                            "visited_at": in_days(0),
                            "outcome": "moved",
                        }
                    ]
                },
                "visits.0.outcome",
            ),
        ],
    ),
    f"GET {ONE}/coverage": Case(
        need=(SWEEP, p.VIEW),
        path=sweep_of,
        refused=(404,),
        listed=lambda side: side.building.code,
        bad_queries=[({"region": "999"}, "region")],
    ),
    f"GET {ONE}/unvisited": Case(
        need=(SWEEP, p.VIEW),
        path=sweep_of,
        refused=(404,),
        listed=lambda side: str(side.elder.household_id),
        bad_queries=[({"state": "gone"}, "state"), ({"cursor": "garbage"}, "cursor")],
    ),
    f"GET {ONE}/problems": Case(
        need=(SWEEP, p.VIEW),
        path=sweep_of,
        refused=(404,),
        listed=lambda side: str(side.elder.household_id),
        bad_queries=[
            ({"kind": "gossip"}, "kind"),
            ({"settled": "maybe"}, "settled"),
            ({"region": "999"}, "region"),
            ({"cursor": "garbage"}, "cursor"),
        ],
    ),
    f"GET {ONE}/refused": Case(
        need=(SWEEP, p.VIEW),
        path=sweep_of,
        refused=(404,),
        listed=lambda side: str(side.refused_visit),
        bad_queries=[
            ({"region": "999"}, "region"),
            ({"region": "\x00"}, "region"),
            ({"cursor": "garbage"}, "cursor"),
            ({"limit": 0}, "limit"),
        ],
    ),
    f"POST {ONE}/problems/{{household_id}}/keep": Case(
        need=(SWEEP, p.CHANGE),
        path=door_of(conflicted),
        body=lambda w, side, user: {"visit": str(side.conflict_visit)},
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"visit": str(uuid.UUID(int=5))}, "visit"), ({"visit": "x"}, "visit")],
    ),
    f"POST {ONE}/problems/{{household_id}}/handled": Case(
        need=(SWEEP, p.CHANGE),
        path=door_of(listed),
        body=lambda w, side, user: {"note": "电话联系，住户外出务工"},
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"note": " "}, "note"), ({"note": "长" * 501}, "note")],
    ),
}

PAGES = {
    "GET /sweeps/": Case(need=(SWEEP, p.VIEW), listed=lambda side: side.sweep.title),
    "GET /sweeps/new/": Case(need=(SWEEP, p.ADD), outside=()),
    "POST /sweeps/new/": Case(
        need=(SWEEP, p.ADD),
        body=lambda w, side, user: {
            "title": "再次排查",
            "regions": side.grid.code,
            "deadline": (timezone.localtime() + datetime.timedelta(days=2)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "sections": ["members", "arrival"],
        },
        writes=True,
        outside=(200,),
        ok=DONE,
    ),
    "GET /sweeps/sw.js": Case(audience="public"),
    "GET /sweeps/<uuid:pk>/": Case(
        need=(SWEEP, p.VIEW),
        path=pk_of,
        refused=(404,),
        listed=lambda side: side.grid.name,
        bad_queries=[{"region": "\x00"}, {"region": "999"}, {"cursor": "garbage"}],
    ),
    "POST /sweeps/<uuid:pk>/end/": Case(
        need=(SWEEP, p.CHANGE), path=pk_of, writes=True, refused=HIDDEN, ok=DONE
    ),
    "GET /sweeps/<uuid:pk>/buildings/": Case(need=(SWEEP, p.CHANGE), path=pk_of, refused=HIDDEN),
    "POST /sweeps/<uuid:pk>/buildings/": Case(
        need=(SWEEP, p.CHANGE),
        path=pk_of,
        body=lambda w, side, user: assignment(w, side, user),
        writes=True,
        refused=HIDDEN,
        ok=DONE,
    ),
    "GET /sweeps/<uuid:pk>/sheet/": Case(need=(SWEEP_VISIT, p.ADD), path=pk_of, refused=HIDDEN),
    "GET /sweeps/<uuid:pk>/problems/": Case(
        need=(SWEEP, p.VIEW),
        path=pk_of,
        refused=(404,),
        listed=lambda side: str(side.elder.household_id),
        bad_queries=[{"kind": "gossip"}, {"region": "999"}, {"cursor": "garbage"}],
    ),
    "GET /sweeps/<uuid:pk>/refused/": Case(
        need=(SWEEP, p.VIEW),
        path=pk_of,
        refused=(404,),
        listed=lambda side: str(side.refused_visit),
        bad_queries=[{"region": "\x00"}, {"region": "999"}, {"cursor": "garbage"}],
    ),
    "POST /sweeps/<uuid:pk>/problems/<uuid:household>/keep/": Case(
        need=(SWEEP, p.CHANGE),
        path=page_door_of(conflicted),
        body=lambda w, side, user: {"visit": str(side.conflict_visit)},
        writes=True,
        refused=HIDDEN,
        ok=DONE,
    ),
    "POST /sweeps/<uuid:pk>/problems/<uuid:household>/handled/": Case(
        need=(SWEEP, p.CHANGE),
        path=page_door_of(listed),
        body=lambda w, side, user: {"note": "电话联系，住户外出务工"},
        writes=True,
        refused=HIDDEN,
        ok=DONE,
    ),
}
