"""The hotline's pages: a unit's inbox, the overdue board, the callback queue, a ticket's
page and the intake page's caller lookup."""

from fangyi.core import permissions as p
from fangyi.hotline.area import OPERATOR, TICKET
from tests.scope.cases import Case


def ticket_pk(w, side, user):
    return {"pk": str(side.hl_dispatched.pk)}


def caller_number(w, side, user):
    return {"number": side.person.phone}


PAGES = {
    "GET /hotline/": Case(
        need=(TICKET, p.VIEW),
        listed=lambda side: side.hl_dispatched.number,
        bad_queries=[
            {"cursor": "garbage"},
            {"cursor": "\x00"},
            {"unit": "not-a-uuid"},
            {"state": "\x00", "urgency": "x" * 1000},
            {"overdue": "1", "unit": "00000000-0000-0000-0000-000000000000"},
        ],
    ),
    "GET /hotline/overdue/": Case(
        need=(TICKET, p.VIEW),
        listed=lambda side: side.hl_late.number,
        bad_queries=[{"cursor": "garbage"}, {"cursor": "W10"}],
    ),
    "GET /hotline/callbacks/": Case(
        need=(TICKET, p.VIEW),
        listed=lambda side: side.hl_callback.ticket.number,
        bad_queries=[{"cursor": "garbage"}],
    ),
    "GET /hotline/caller/": Case(
        need=(TICKET, p.ADD),
        query=caller_number,
        outside=(200,),
        listed=lambda side: side.hlp_called.number,
        bad_queries=[{"number": "\x00"}, {"number": "1" * 1000}, {"number": "王"}],
    ),
    "GET /hotline/<uuid:pk>/": Case(need=(TICKET, p.VIEW), path=ticket_pk, refused=(403, 404)),
}


def accepted_pk(w, side, user):
    return {"pk": str(side.hl_accepted.pk)}


def resolved_pk(w, side, user):
    return {"pk": str(side.hl_callback.about_id)}


def intake_form(w, side, user):
    return {
        "channel": "phone",
        "number": "",
        "region": side.building.code,
        "category": "testing",
        "urgency": "normal",
        "description": "想问明天核酸检测点在哪里。",
        "confirmed": "1",
    }


UNIT_MEMBERS = {p.GRID_WORKER, p.GRID_LEADER, p.OFFICER}
DISPATCHERS = {p.ADMIN, OPERATOR}
ACTION_REFUSED = (403, 404)

PAGES |= {
    "GET /hotline/intake/": Case(
        need=(TICKET, p.ADD), bad_queries=[{"saved": "x"}, {"saved": "\x00"}]
    ),
    "POST /hotline/intake/": Case(
        need=(TICKET, p.ADD),
        body=intake_form,
        writes=True,
        ok=(302,),
        outside=(200,),
        bad_bodies=[
            {"channel": "fax"},
            lambda w, side, user: intake_form(w, side, user) | {"region": "abc"},
            lambda w, side, user: intake_form(w, side, user) | {"category": "nope"},
            lambda w, side, user: intake_form(w, side, user) | {"description": ""},
            lambda w, side, user: intake_form(w, side, user) | {"caller_person": "x"},
        ],
    ),
    "POST /hotline/<uuid:pk>/accept/": Case(
        allowed=UNIT_MEMBERS, path=ticket_pk, writes=True, ok=(302,), refused=ACTION_REFUSED
    ),
    "POST /hotline/<uuid:pk>/return/": Case(
        allowed=UNIT_MEMBERS,
        path=ticket_pk,
        body=lambda w, side, user: {"reason": "不属于本社区，应由区卫健委办理。"},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/note/": Case(
        need=(TICKET, p.CHANGE),
        path=ticket_pk,
        body=lambda w, side, user: {"note": "已电话联系来电人，下午送达。"},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/reply/": Case(
        allowed=UNIT_MEMBERS,
        path=accepted_pk,
        body=lambda w, side, user: {"text": "已联系供热公司，今日内修复。"},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/resolve/": Case(
        allowed=UNIT_MEMBERS,
        path=accepted_pk,
        body=lambda w, side, user: {"text": "供暖已恢复。"},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/dispatch/": Case(
        allowed=DISPATCHERS,
        path=lambda w, side, user: {"pk": str(side.hl_new.pk)},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/callback/": Case(
        allowed=DISPATCHERS,
        path=resolved_pk,
        body=lambda w, side, user: {
            "callback": str(side.hl_callback.pk),
            "result": "satisfied",
            "note": "",
        },
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/merge/": Case(
        allowed=DISPATCHERS,
        path=ticket_pk,
        body=lambda w, side, user: {"into": side.hl_accepted.number, "confirmed": "on"},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/place/": Case(
        allowed=DISPATCHERS,
        path=lambda w, side, user: {"pk": str(side.hl_new.pk)},
        body=lambda w, side, user: {"building": side.building.code},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
        bad_bodies=[
            {"building": "x" * 1000},
            lambda w, side, user: {"region": w.away.building.code},
            lambda w, side, user: {"building": side.building.code, "region": side.city.code},
        ],
    ),
    "POST /hotline/<uuid:pk>/supply/": Case(
        allowed={p.ADMIN, *UNIT_MEMBERS},
        path=ticket_pk,
        body=lambda w, side, user: {
            "kind": "goods",
            "item": "大米",
            "quantity": "1",
            "unit": "袋",
            "building": side.building.code,
            "room": "101",
        },
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/task/": Case(
        allowed={p.ADMIN, p.OFFICER, p.GRID_LEADER},
        path=lambda w, side, user: {"pk": str(side.hlp_called.pk)},
        body=lambda w, side, user: {"kind": "follow_up_visit", "notes": "上门看看"},
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
    ),
    "POST /hotline/<uuid:pk>/appeal/": Case(
        allowed={p.ADMIN, *UNIT_MEMBERS},
        path=lambda w, side, user: {"pk": str(side.hlp_called.pk)},
        body=lambda w, side, user: {
            "person": str(side.person.pk),
            "target": f"fact:{side.fact.pk}",
            "reason": "当天在外地，有行程记录。",
        },
        writes=True,
        ok=(302,),
        refused=ACTION_REFUSED,
        bad_bodies=[
            lambda w, side, user: {"person": str(w.away.person.pk), "target": "fact:x"},
            lambda w, side, user: {
                "person": str(side.person.pk),
                "target": f"fact:{w.away.fact.pk}",
                "reason": "x",
            },
        ],
    ),
}
