"""The hotline's pages: a unit's inbox, the overdue board, the callback queue, a ticket's
page and the intake page's caller lookup."""

from fangyi.core import permissions as p
from fangyi.hotline.area import TICKET
from tests.scope.cases import Case


def ticket_pk(w, side, user):
    return {"pk": str(side.hl_ticket.pk)}


def caller_number(w, side, user):
    return {"number": side.person.phone}


PAGES = {
    "GET /hotline/": Case(
        need=(TICKET, p.VIEW),
        listed=lambda side: side.hl_ticket.number,
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
        listed=lambda side: side.hl_ticket.number,
        bad_queries=[{"cursor": "garbage"}, {"cursor": "W10"}],
    ),
    "GET /hotline/callbacks/": Case(
        need=(TICKET, p.VIEW),
        listed=lambda side: side.hl_resolved.number,
        bad_queries=[{"cursor": "garbage"}],
    ),
    "GET /hotline/caller/": Case(
        need=(TICKET, p.ADD),
        query=caller_number,
        outside=(200,),
        listed=lambda side: side.hl_ticket.number,
        bad_queries=[{"number": "\x00"}, {"number": "1" * 1000}, {"number": "王"}],
    ),
    "GET /hotline/<uuid:pk>/": Case(need=(TICKET, p.VIEW), path=ticket_pk, refused=(403, 404)),
}
