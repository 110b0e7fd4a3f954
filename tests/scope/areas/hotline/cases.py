"""The hotline's routes: API under /api/v1/hotline. Who may dispatch, merge, place and call
back (operators, administrators) and who may work a ticket (its unit's staff) is beyond the
matrix, so those cases list the roles."""

from fangyi.core import permissions as p
from fangyi.hotline.area import HOTLINE_SETUP, OPERATOR, TICKET

from ...cases import Case

EMPTY = (200,)
BASE = "/api/v1/hotline"
PAGING = [
    ({"cursor": "\x00"}, "cursor"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"limit": 10**30}, "limit"),
]
DISPATCHERS = {p.ADMIN, OPERATOR}
# The street team of the world: its officer, grid leader and grid worker.
TEAM = {p.OFFICER, p.GRID_LEADER, p.GRID_WORKER}
# Refused: a role that sees the ticket but may not act (403), one that does not see it (404),
# or one refused by the area the work belongs to over a person or household named (422).
NOT_YOURS = (403, 404)


def ticket(attribute: str):
    return lambda w, side, user: {"ticket_id": str(getattr(side, attribute).pk)}


def new_unit(w, side, user) -> dict:
    return {
        "code": f"unit-{side.city.code}-new",
        "name": "新设承办单位",
        "kind": "department",
        "region": side.city.code,
        "members": [],
        "supervisors": [],
    }


def new_rule(w, side, user) -> dict:
    return {"category": "testing", "region": side.city.code, "unit": str(side.hl_team.pk)}


def new_ticket(w, side, user) -> dict:
    return {
        "channel": "phone",
        "category": "food",
        "description": "需要买菜",
        "region": side.building.code,
        "caller": {"person": str(side.person.pk), "name": "", "phone": ""},
    }


API = {
    f"GET {BASE}/categories": Case(need=(TICKET, p.VIEW), outside=()),
    f"GET {BASE}/units": Case(
        need=(HOTLINE_SETUP, p.VIEW),
        refused=EMPTY,
        listed=lambda side: side.hl_team.code,
        bad_queries=PAGING,
    ),
    f"POST {BASE}/units": Case(
        need=(HOTLINE_SETUP, p.ADD),
        body=new_unit,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"kind": "army"}, "kind"),
            ({"region": "999"}, "region"),
            ({"members": ["nobody-at-all"]}, "members"),
            ({"code": "has space"}, "code"),
        ],
    ),
    f"GET {BASE}/rules": Case(
        need=(HOTLINE_SETUP, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.hl_rule.pk),
        bad_queries=PAGING,
    ),
    f"POST {BASE}/rules": Case(
        need=(HOTLINE_SETUP, p.ADD),
        body=new_rule,
        writes=True,
        outside=(422,),
        bad_fields=[({"category": "nope"}, "category"), ({"place_level": "grid"}, "place_level")],
    ),
    f"GET {BASE}/lookup": Case(
        need=(TICKET, p.ADD),
        query=lambda w, side, user: {"phone": side.person.phone[:7]},
        outside=(200,),
        listed=lambda side: str(side.person.pk),
        bad_queries=[({"phone": "12"}, "phone"), ({"id_tail": "ab"}, "id_tail"), ({}, "phone")],
    ),
    f"GET {BASE}/tickets": Case(
        need=(TICKET, p.VIEW),
        refused=EMPTY,
        listed=lambda side: side.hl_accepted.number,
        bad_queries=[
            *PAGING,
            ({"region": "999"}, "region"),
            ({"state": "lost"}, "state"),
            ({"escalation": 7}, "escalation"),
            ({"order": "random"}, "order"),
        ],
    ),
    f"POST {BASE}/tickets": Case(
        need=(TICKET, p.ADD),
        body=new_ticket,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"category": "nope"}, "category"),
            ({"region": "999"}, "region"),
            ({"channel": "fax"}, "channel"),
            ({"description": ""}, "description"),
            ({"received_at": "2200-01-01T00:00:00+08:00"}, "received_at"),
        ],
    ),
    f"GET {BASE}/tickets/{{ticket_id}}": Case(
        need=(TICKET, p.VIEW), refused=(404,), path=ticket("hl_accepted")
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/dispatch": Case(
        allowed=DISPATCHERS,
        refused=NOT_YOURS,
        path=ticket("hl_new"),
        body=lambda w, side, user: {"unit": str(side.hl_team.pk), "note": ""},
        writes=True,
        bad_fields=[({"unit": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "unit")],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/accept": Case(
        allowed=TEAM,
        refused=NOT_YOURS,
        path=ticket("hl_dispatched"),
        body=lambda *a: {},
        writes=True,
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/return": Case(
        allowed=TEAM,
        refused=NOT_YOURS,
        path=ticket("hl_dispatched"),
        body=lambda *a: {"reason": "不属本街道"},
        writes=True,
        bad_fields=[({"reason": ""}, "reason")],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/notes": Case(
        need=(TICKET, p.CHANGE),
        refused=(404,),
        path=ticket("hl_accepted"),
        body=lambda *a: {"note": "已电话联系"},
        writes=True,
        bad_fields=[({"note": ""}, "note")],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/reply": Case(
        allowed=TEAM,
        refused=NOT_YOURS,
        path=ticket("hl_accepted"),
        body=lambda *a: {"text": "已安排代买"},
        writes=True,
        bad_fields=[({"text": ""}, "text")],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/resolve": Case(
        allowed=TEAM,
        refused=NOT_YOURS,
        path=ticket("hl_accepted"),
        body=lambda *a: {"text": "药已送到"},
        writes=True,
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/merge": Case(
        allowed=DISPATCHERS,
        refused=NOT_YOURS,
        path=ticket("hl_new"),
        body=lambda w, side, user: {"into": str(side.hl_dispatched.pk)},
        writes=True,
        bad_fields=[({"into": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "into")],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/place": Case(
        allowed=DISPATCHERS,
        refused=NOT_YOURS,
        path=ticket("hl_new"),
        body=lambda w, side, user: {"region": side.building.code, "address": "1号楼"},
        writes=True,
        bad_fields=[({"region": "999"}, "region")],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/field-tasks": Case(
        # The unit's staff who lead tasks in the grid (fieldwork refuses the grid worker).
        allowed={p.ADMIN, p.OFFICER, p.GRID_LEADER},
        refused=(403, 404, 422),
        path=ticket("hl_accepted"),
        body=lambda w, side, user: {
            "kind": "follow_up_visit",
            "person": str(side.person.pk),
            "notes": "",
        },
        writes=True,
        bad_fields=[
            ({"kind": "dance"}, "kind"),
            ({"person": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "person"),
        ],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/supply-requests": Case(
        allowed={p.ADMIN, *TEAM},
        refused=(403, 404, 422),
        path=ticket("hl_accepted"),
        body=lambda w, side, user: {
            "household": str(side.household.pk),
            "kind": "medicine",
            "items": [{"name": "胰岛素笔芯", "unit": "支", "quantity": 2, "dose": "每日两次"}],
            "chronic_condition": "糖尿病",
        },
        writes=True,
        bad_fields=[
            ({"kind": "rocket"}, "kind"),
            ({"household": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "household"),
        ],
    ),
    f"POST {BASE}/tickets/{{ticket_id}}/appeals": Case(
        allowed={p.ADMIN, *TEAM},
        refused=(403, 404, 422),
        path=ticket("hl_accepted"),
        body=lambda w, side, user: {
            "person": str(side.person.pk),
            "reason": "当天在外地",
            "fact": str(side.fact.pk),
        },
        writes=True,
        bad_fields=[({"fact": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}, "fact")],
    ),
    f"GET {BASE}/callbacks": Case(
        need=(TICKET, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.hl_callback.pk),
        bad_queries=[*PAGING, ({"state": "maybe"}, "state")],
    ),
    f"POST {BASE}/callbacks/{{callback_id}}": Case(
        allowed=DISPATCHERS,
        refused=NOT_YOURS,
        path=lambda w, side, user: {"callback_id": str(side.hl_callback.pk)},
        body=lambda *a: {"result": "satisfied", "note": ""},
        writes=True,
        bad_fields=[({"result": "meh"}, "result")],
    ),
    f"GET {BASE}/escalated": Case(need=(TICKET, p.VIEW), bad_queries=PAGING),
}
