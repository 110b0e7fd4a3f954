"""The briefings' routes: who sees a side's briefings (those whose scope holds its city) and
who makes them (admins and commanders); the template is the admins'."""

import datetime

from fangyi.command import services as command
from fangyi.command.briefings.area import BRIEFING_TEMPLATE, BRIEFINGS
from fangyi.core import permissions as p
from tests.scope.cases import Case

API_PREFIX = "/api/v1/command/briefings"
PAGE_PREFIX = "/command/briefings"
DONE = (302,)
HIDDEN = (404,)
PAGING = [{"cursor": "garbage"}, {"limit": 0}]


def briefing(key: str):
    return lambda w, side, user: {key: str(side.briefing.pk)}


def yesterday() -> str:
    return (command.today() - datetime.timedelta(days=1)).isoformat()


API = {
    f"GET {API_PREFIX}": Case(
        need=(BRIEFINGS, p.VIEW),
        refused=(200,),
        listed=lambda side: str(side.briefing.pk),
        bad_queries=[*PAGING, ({"day": "someday"}, "day"), ({"region": "x1"}, "region")],
    ),
    f"POST {API_PREFIX}": Case(
        need=(BRIEFINGS, p.ADD),
        body=lambda w, side, user: {"region": side.city.code, "day": yesterday()},
        writes=True,
        refused=(403, 422),
        outside=(422,),
        bad_bodies=[{"region": "\x00"}, {"region": 5}],
        bad_fields=[({"region": "999"}, "region"), ({"day": "someday"}, "day")],
    ),
    f"GET {API_PREFIX}/{{briefing_id}}": Case(
        need=(BRIEFINGS, p.VIEW), path=briefing("briefing_id"), refused=HIDDEN
    ),
    f"GET {API_PREFIX}/{{briefing_id}}/download": Case(
        need=(BRIEFINGS, p.VIEW),
        path=briefing("briefing_id"),
        refused=HIDDEN,
        bad_queries=[({"format": "odt"}, "format")],
    ),
}

PAGES = {
    f"GET {PAGE_PREFIX}/": Case(need=(BRIEFINGS, p.VIEW)),
    f"POST {PAGE_PREFIX}/generate/": Case(
        need=(BRIEFINGS, p.ADD),
        body=lambda w, side, user: {"region": side.city.code, "day": yesterday()},
        writes=True,
        outside=(400,),
        ok=DONE,
    ),
    f"GET {PAGE_PREFIX}/template/": Case(need=(BRIEFING_TEMPLATE, p.CHANGE), outside=()),
    f"POST {PAGE_PREFIX}/template/": Case(
        need=(BRIEFING_TEMPLATE, p.CHANGE),
        body=lambda w, side, user: {"text": "# 简报\n{{ region }}", "action": "save"},
        writes=True,
        outside=(),
        ok=DONE,
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/pdf/": Case(
        need=(BRIEFINGS, p.VIEW), path=briefing("pk"), refused=HIDDEN
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/docx/": Case(
        need=(BRIEFINGS, p.VIEW), path=briefing("pk"), refused=HIDDEN
    ),
}
