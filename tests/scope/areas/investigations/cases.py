"""The investigations' routes: API under /api/v1/investigations, pages under /investigations/."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.investigations.area import CONTACT, INVESTIGATION

from ...cases import Case

EMPTY = (200,)
HIDDEN_FIELD = (403, 422)
DONE = (302,)
PAGING = [
    ({"cursor": "\x00"}, "cursor"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"limit": 10**30}, "limit"),
]


def at(hours: float) -> str:
    return (timezone.now() + datetime.timedelta(hours=hours)).isoformat()


def local(hours: float) -> str:
    return timezone.localtime(timezone.now() + datetime.timedelta(hours=hours)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def investigation(w, side, user):
    return {"investigation_id": str(side.investigation.pk)}


def contact_of(attribute: str):
    return lambda w, side, user: {"contact_id": str(getattr(side, attribute).pk)}


def pk_of(attribute: str):
    return lambda w, side, user: {"pk": str(getattr(side, attribute).pk)}


def to_locate(w, side, user) -> dict:
    return {
        "category": "close",
        "exposure_at": at(-3),
        "name": "钱七",
        "address": f"{side.building.name} 902",
        "region": side.grid.code,
    }


BASE = "/api/v1/investigations"

API = {
    f"GET {BASE}": Case(
        need=(INVESTIGATION, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.investigation.pk),
        bad_queries=[
            *PAGING,
            ({"state": "everything"}, "state"),
            ({"region": "999"}, "region"),
        ],
    ),
    f"POST {BASE}": Case(
        need=(INVESTIGATION, p.ADD),
        body=lambda w, side, user: {"person": str(side.new_case.pk)},
        writes=True,
        refused=HIDDEN_FIELD,
        outside=(422,),
        bad_fields=[({"person": "not-a-uuid"}, "person")],
    ),
    f"GET {BASE}/chains": Case(
        need=(INVESTIGATION, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.investigation.pk),
        bad_queries=[*PAGING, ({"region": "999"}, "region"), ({"since": "soon"}, "since")],
    ),
    f"GET {BASE}/chains/{{investigation_id}}": Case(
        need=(INVESTIGATION, p.VIEW),
        path=investigation,
        refused=(404,),
        bad_queries=[({"region": "999"}, "region"), ({"until": "0001-01-01"}, "until")],
    ),
    f"GET {BASE}/figures": Case(
        need=(INVESTIGATION, p.VIEW), outside=(), bad_queries=[({"day": "today"}, "day")]
    ),
    f"GET {BASE}/{{investigation_id}}": Case(
        need=(INVESTIGATION, p.VIEW), path=investigation, refused=(404,)
    ),
    f"PATCH {BASE}/{{investigation_id}}": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=investigation,
        body=lambda w, side, user: {"notes": "轨迹已核实"},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"state": "lost"}, "state"), ({"notes": None}, "notes")],
    ),
    f"PUT {BASE}/{{investigation_id}}/team": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=investigation,
        body=lambda w, side, user: {
            "members": [{"user": str(w.users["investigator"].pk), "role": "police"}]
        },
        writes=True,
        refused=(403, 404),
        bad_fields=[
            (
                {"members": [{"user": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61", "role": "police"}]},
                "members.0.user",
            ),
            ({"members": [{"user": "x", "role": "police"}]}, None),
            ({"members": "all"}, "members"),
        ],
    ),
    f"POST {BASE}/{{investigation_id}}/clocks": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=investigation,
        body=lambda w, side, user: {"stage": "report"},
        writes=True,
        refused=(403, 404),
        bad_fields=[
            ({"stage": "transfer"}, "stage"),
            ({"at": "9999-01-01T00:00:00+08:00"}, "at"),
            ({"at": at(24)}, "at"),
        ],
    ),
    f"GET {BASE}/{{investigation_id}}/places": Case(
        need=(INVESTIGATION, p.VIEW), path=investigation, refused=(404,), bad_queries=PAGING
    ),
    f"POST {BASE}/{{investigation_id}}/places": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=investigation,
        body=lambda w, side, user: {"description": "家庭聚餐", "start": at(-30), "end": at(-28)},
        writes=True,
        refused=(403, 404),
        bad_fields=[
            ({"end": at(-40)}, "end"),
            ({"description": ""}, "description"),
            ({"venue": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "venue"),
        ],
    ),
    f"POST {BASE}/{{investigation_id}}/proposals": Case(
        need=(CONTACT, p.ADD),
        path=investigation,
        body=lambda w, side, user: {"days": 3, "window_minutes": 30},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"days": 0}, "days"), ({"window_minutes": 100000}, "window_minutes")],
    ),
    f"GET {BASE}/{{investigation_id}}/contacts": Case(
        need=(INVESTIGATION, p.VIEW),
        path=investigation,
        refused=(404,),
        bad_queries=[*PAGING, ({"state": "lost"}, "state")],
    ),
    f"POST {BASE}/{{investigation_id}}/contacts": Case(
        need=(CONTACT, p.ADD),
        path=investigation,
        body=to_locate,
        writes=True,
        refused=(403, 404),
        bad_fields=[
            ({"category": "distant"}, "category"),
            ({"exposure_at": at(48)}, "exposure_at"),
            ({"region": "999"}, "region"),
            ({"phone": "123"}, "phone"),
            ({"name": ""}, "name"),
            ({"id_number": "X"}, "id_number"),
            ({"person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "person"),
            ({"place": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "place"),
        ],
    ),
    f"POST {BASE}/contacts/{{contact_id}}/confirm": Case(
        need=(CONTACT, p.CHANGE),
        path=contact_of("proposed_contact"),
        body=lambda w, side, user: {"category": "close"},
        writes=True,
        refused=(403, 404),
        bad_fields=[
            ({"category": "distant"}, "category"),
            ({"exposure_at": at(48)}, "exposure_at"),
        ],
    ),
    f"POST {BASE}/contacts/{{contact_id}}/dismiss": Case(
        need=(CONTACT, p.CHANGE),
        path=contact_of("proposed_contact"),
        body=lambda w, side, user: {"reason": "只是路过"},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"reason": "   "}, "reason")],
    ),
    f"POST {BASE}/contacts/{{contact_id}}/found": Case(
        need=(CONTACT, p.CHANGE),
        path=contact_of("locate_contact"),
        body=lambda w, side, user: {"person": str(side.found_person.pk)},
        writes=True,
        refused=(403, 404),
        bad_fields=[({"person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "person")],
    ),
}

PAGES = {
    "GET /investigations/": Case(
        need=(INVESTIGATION, p.VIEW),
        refused=(403,),
        listed=lambda side: str(side.investigation.pk),
        bad_queries=[{"state": "lost"}, {"region": "\x00"}, {"cursor": "garbage"}],
    ),
    "POST /investigations/": Case(
        need=(INVESTIGATION, p.ADD),
        body=lambda w, side, user: {"id_number": side.new_case.id_number},
        writes=True,
        refused=(403,),
        outside=(200,),
        ok=DONE,
    ),
    "GET /investigations/chains/": Case(
        need=(INVESTIGATION, p.VIEW),
        refused=(403,),
        listed=lambda side: str(side.investigation.pk),
        bad_queries=[{"since": "soon"}, {"region": "\x00"}, {"cursor": "garbage"}],
    ),
    "GET /investigations/chains/<uuid:pk>/": Case(
        need=(INVESTIGATION, p.VIEW),
        path=pk_of("investigation"),
        refused=(404,),
        bad_queries=[{"until": "0001-01-01"}, {"region": "999"}],
    ),
    "GET /investigations/<uuid:pk>/": Case(
        need=(INVESTIGATION, p.VIEW), path=pk_of("investigation"), refused=(404,)
    ),
    "POST /investigations/<uuid:pk>/edit/": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=pk_of("investigation"),
        body=lambda w, side, user: {"notes": "轨迹已核实", "state": "open"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/<uuid:pk>/team/": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=pk_of("investigation"),
        body=lambda w, side, user: {"user": str(w.users["investigator"].pk), "role": "police"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/<uuid:pk>/clock/": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=pk_of("investigation"),
        body=lambda w, side, user: {"stage": "report"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/<uuid:pk>/places/": Case(
        need=(INVESTIGATION, p.CHANGE),
        path=pk_of("investigation"),
        body=lambda w, side, user: {
            "description": "家庭聚餐",
            "start": local(-30),
            "end": local(-28),
        },
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/<uuid:pk>/propose/": Case(
        need=(CONTACT, p.ADD),
        path=pk_of("investigation"),
        body=lambda w, side, user: {"days": 3, "window_minutes": 30},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/<uuid:pk>/contacts/": Case(
        need=(CONTACT, p.ADD),
        path=pk_of("investigation"),
        body=lambda w, side, user: to_locate(w, side, user) | {"exposure_at": local(-3)},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/contacts/<uuid:pk>/confirm/": Case(
        need=(CONTACT, p.CHANGE),
        path=pk_of("proposed_contact"),
        body=lambda w, side, user: {"category": "close"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/contacts/<uuid:pk>/dismiss/": Case(
        need=(CONTACT, p.CHANGE),
        path=pk_of("proposed_contact"),
        body=lambda w, side, user: {"reason": "只是路过"},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
    "POST /investigations/contacts/<uuid:pk>/found/": Case(
        need=(CONTACT, p.CHANGE),
        path=pk_of("locate_contact"),
        body=lambda w, side, user: {"id_number": side.found_person.id_number},
        writes=True,
        refused=(403, 404),
        ok=DONE,
    ),
}
