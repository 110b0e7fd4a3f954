"""The command centre's routes: the screen and its figures API, both read-only."""

import datetime

from fangyi.command.area import FIGURES
from fangyi.command.services import today
from fangyi.core import permissions as p

from ...cases import Case


def community(w, side, user) -> dict:
    return {"region": side.community.code}


def tomorrow(w, side, user) -> dict:
    return {
        "region": side.community.code,
        "date": (today() + datetime.timedelta(days=1)).isoformat(),
    }


API = {
    "GET /api/v1/command/figures": Case(
        need=(FIGURES, p.VIEW),
        query=community,
        bad_queries=[
            ({"date": "soon"}, "date"),
            (tomorrow, "date"),
            {"region": "\x00"},
            {"region": "1" * 40},
        ],
    ),
}

PAGES = {
    "GET /command/": Case(
        need=(FIGURES, p.VIEW),
        query=community,
        listed=lambda side: side.grid.name,
        bad_queries=[{"region": "\x00"}, {"date": "soon"}, {"figure": "<script>"}],
    ),
    "GET /command/todo/": Case(
        need=(FIGURES, p.VIEW), query=community, bad_queries=[{"region": "\x00"}]
    ),
    "GET /command/outlines/": Case(
        need=(FIGURES, p.VIEW),
        query=community,
        bad_queries=[{"region": "\x00"}, {"region": "1" * 40}, {"region": ""}],
    ),
}
