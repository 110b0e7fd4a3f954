"""The residents' hotline routes: filing a request and reading one's own, on the portal
(/me/tickets/) and through the API (/api/v1/me/tickets). A request names nothing of either
city (the place is the resident's own building), so filing has no out-of-scope case; the
lists show the side's resident's own request and never the other city's."""

from tests.scope.cases import Case

MINE = "/api/v1/me/tickets"
PAGING = [
    ({"cursor": "\x00"}, "cursor"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"limit": 10**30}, "limit"),
]


def new_request(w, side, user) -> dict:
    return {"category": "food", "description": "家里没有米了", "address": "3单元"}


def listed(side) -> str:
    return str(side.hlr_mine.pk)


API = {
    f"GET {MINE}": Case(audience="resident", listed=listed, bad_queries=PAGING),
    f"GET {MINE}/categories": Case(audience="resident", outside=()),
    f"POST {MINE}": Case(
        audience="resident",
        body=new_request,
        writes=True,
        outside=(),
        bad_fields=[
            ({"category": "weather"}, "category"),
            ({"category": ""}, "category"),
            ({"description": " "}, "description"),
            ({"address": "楼" * 201}, "address"),
        ],
        bad_bodies=[({"category": "food"}, "description"), {"description": 5, "category": "food"}],
    ),
}

PAGES = {
    "GET /me/tickets/": Case(
        audience="resident",
        listed=listed,
        bad_queries=[{"cursor": "garbage"}, {"filed": "\x00"}, {"filed": "x" * 500}],
    ),
    "POST /me/tickets/": Case(
        audience="resident",
        body=new_request,
        writes=True,
        ok=(302,),
        outside=(),
        bad_bodies=[
            {"category": "weather", "description": "需要帮助"},
            {"category": "food", "description": ""},
            {"category": "food", "description": "需要帮助", "address": "楼" * 201},
        ],
    ),
}
