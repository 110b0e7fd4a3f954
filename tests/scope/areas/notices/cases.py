"""Notices' routes: writing, publishing, withdrawing, counts, the households not reached and
"told in person" for staff (API and pages), and the resident's notices on the portal."""

from fangyi.core import permissions as p
from fangyi.notices.area import NOTICE, NOTICE_REACH
from fangyi.notices.models import NoticeRead
from tests.scope.cases import Case

API_PREFIX = "/api/v1/notices"
MINE = "/api/v1/me/notices"
PAGE_PREFIX = "/notices"
HIDDEN = (403, 404)
DONE = (302,)
UNKNOWN = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"


def path(name: str):
    return lambda w, side, user: {"notice_id": str(getattr(side, name).pk)}


def page(name: str):
    return lambda w, side, user: {"pk": str(getattr(side, name).pk)}


def told_page(w, side, user):
    return {"pk": str(side.notice_published.pk), "household": str(side.notice_household.pk)}


def new_notice(w, side, user):
    return {"title": "停水通知", "body": "明日停水", "regions": [side.grid.code]}


def new_notice_form(w, side, user):
    return new_notice(w, side, user) | {"regions": side.grid.code}


def confirmations() -> int:
    return NoticeRead.objects.filter(confirmed_at__isnull=False).count()


API = {
    f"GET {API_PREFIX}": Case(
        need=(NOTICE, p.VIEW),
        listed=lambda side: str(side.notice_published.pk),
        bad_queries=[({"state": "lost"}, "state"), {"cursor": "garbage"}, {"limit": 0}],
    ),
    f"POST {API_PREFIX}": Case(
        need=(NOTICE, p.ADD),
        body=new_notice,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"title": " "}, "title"),
            ({"body": ""}, "body"),
            ({"regions": []}, "regions"),
            ({"regions": ["350202001"]}, "regions"),
            ({"regions": ["x" * 18]}, "regions"),
            ({"ask_confirm": "perhaps"}, "ask_confirm"),
        ],
    ),
    f"GET {API_PREFIX}/{{notice_id}}": Case(
        need=(NOTICE, p.VIEW), path=path("notice_published"), refused=(404,)
    ),
    f"PATCH {API_PREFIX}/{{notice_id}}": Case(
        need=(NOTICE, p.CHANGE),
        path=path("notice_draft"),
        body=lambda w, side, user: {"title": "改期", "regions": [side.grid.code]},
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"title": ""}, "title"), ({"regions": ["350202001"]}, "regions")],
    ),
    f"POST {API_PREFIX}/{{notice_id}}/publish": Case(
        need=(NOTICE, p.CHANGE), path=path("notice_draft"), writes=True, refused=HIDDEN
    ),
    f"POST {API_PREFIX}/{{notice_id}}/withdraw": Case(
        need=(NOTICE, p.CHANGE),
        path=path("notice_published"),
        body=lambda w, side, user: {"reason": "时间有变"},
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"reason": " "}, "reason")],
    ),
    f"GET {API_PREFIX}/{{notice_id}}/counts": Case(
        need=(NOTICE, p.VIEW),
        path=path("notice_published"),
        refused=(404,),
        bad_queries=[({"region": "350202001"}, "region"), ({"region": "\x00"}, "region")],
    ),
    f"GET {API_PREFIX}/{{notice_id}}/unreached": Case(
        need=(NOTICE_REACH, p.VIEW),
        path=path("notice_published"),
        refused=HIDDEN,
        bad_queries=[
            ({"region": "350202001"}, "region"),
            ({"region": "\x00"}, "region"),
            {"cursor": "garbage"},
        ],
    ),
    f"POST {API_PREFIX}/{{notice_id}}/told": Case(
        need=(NOTICE_REACH, p.ADD),
        path=path("notice_published"),
        body=lambda w, side, user: {"household": str(side.notice_household.pk)},
        writes=True,
        refused=HIDDEN,
        bad_fields=[({"household": UNKNOWN}, "household"), ({"household": "x"}, "household")],
    ),
    f"GET {MINE}": Case(audience="resident", listed=lambda side: str(side.notice_published.pk)),
    f"GET {MINE}/{{notice_id}}": Case(audience="resident", path=path("notice_published")),
    f"POST {MINE}/{{notice_id}}/confirm": Case(
        audience="resident", path=path("notice_published"), writes=True, records=confirmations
    ),
}

PAGES = {
    f"GET {PAGE_PREFIX}/": Case(
        need=(NOTICE, p.VIEW),
        listed=lambda side: str(side.notice_published.pk),
        bad_queries=[{"state": "\x00"}, {"cursor": "garbage"}],
    ),
    f"GET {PAGE_PREFIX}/new/": Case(need=(NOTICE, p.ADD)),
    f"POST {PAGE_PREFIX}/new/": Case(
        need=(NOTICE, p.ADD),
        body=new_notice_form,
        writes=True,
        ok=DONE,
        outside=(200,),
        bad_bodies=[
            lambda w, side, user: new_notice_form(w, side, user) | {"regions": "\x00"},
            lambda w, side, user: new_notice_form(w, side, user) | {"title": ""},
            {},
        ],
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/": Case(
        need=(NOTICE, p.VIEW),
        path=page("notice_published"),
        refused=(404,),
        bad_queries=[{"region": "\x00"}, {"region": "350202001"}],
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/edit/": Case(
        need=(NOTICE, p.CHANGE), path=page("notice_draft"), refused=HIDDEN
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/edit/": Case(
        need=(NOTICE, p.CHANGE),
        path=page("notice_draft"),
        body=new_notice_form,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/publish/": Case(
        need=(NOTICE, p.CHANGE),
        path=page("notice_draft"),
        body=lambda w, side, user: {"confirm": "1"},
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/withdraw/": Case(
        need=(NOTICE, p.CHANGE),
        path=page("notice_published"),
        body=lambda w, side, user: {"reason": "发错了", "confirm": "1"},
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/print/": Case(
        need=(NOTICE, p.VIEW), path=page("notice_published"), refused=(404,)
    ),
    f"GET {PAGE_PREFIX}/<uuid:pk>/unreached/": Case(
        need=(NOTICE_REACH, p.VIEW),
        path=page("notice_published"),
        refused=HIDDEN,
        bad_queries=[{"region": "\x00"}, {"cursor": "garbage"}],
    ),
    f"POST {PAGE_PREFIX}/<uuid:pk>/told/<uuid:household>/": Case(
        need=(NOTICE_REACH, p.ADD),
        path=told_page,
        writes=True,
        ok=DONE,
        refused=HIDDEN,
    ),
    "GET /me/notices/": Case(
        audience="resident", listed=lambda side: str(side.notice_published.pk)
    ),
    "GET /me/notices/<uuid:pk>/": Case(audience="resident", path=page("notice_published")),
    "POST /me/notices/<uuid:pk>/confirm/": Case(
        audience="resident",
        path=page("notice_published"),
        writes=True,
        records=confirmations,
        ok=DONE,
    ),
}
