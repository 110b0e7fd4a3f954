"""Daily follow-up's routes: the staff's check-ins, due and missed lists and fever alerts, the
phone sheet and the site's sampling list, and the residents' check-ins."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.core.masking import mask_name
from fangyi.isolation.area import ORDER, SITE
from tests.scope.cases import Case

EMPTY = (200,)
API_PREFIX = "/api/v1/isolation/check-ins"
PAGING = [{"cursor": "garbage"}, {"cursor": "W10"}, {"limit": 0}, {"limit": 10_000}]


def yesterday(w, side, user):
    return {"day": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}


def home_order(side) -> str:
    return str(side.followup_home_order.pk)


def batch(w, side, user):
    return {"items": [{"order": home_order(side), "temperature": 36.6}]}


def alert(w, side, user):
    return {"check_in_id": str(side.followup_alert.pk)}


def alert_page(w, side, user):
    return {"pk": str(side.followup_alert.pk)}


def report(w, side, user):
    return {"person": str(side.followup_dependant.pk), "temperature": 36.6}


API = {
    f"GET {API_PREFIX}": Case(
        need=(ORDER, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.followup_alert.pk),
        bad_queries=[
            ({"day": "yesterday"}, "day"),
            ({"slot": 3}, "slot"),
            ({"fever": "perhaps"}, "fever"),
            ({"order": "x"}, "order"),
            *PAGING,
        ],
    ),
    f"POST {API_PREFIX}": Case(
        need=(ORDER, p.CHANGE),
        body=batch,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"slot": 3}, "slot"),
            ({"items": []}, "items"),
            (
                lambda w, side, user: {"items": [{"order": home_order(side), "temperature": 99}]},
                "items.0.temperature",
            ),
            (
                lambda w, side, user: {"items": [{"order": home_order(side), "symptoms": ["x"]}]},
                None,
            ),
            (
                lambda w, side, user: {"items": [{"order": str(side.followup_site_order.pk)}] * 2},
                "items.1.order",
            ),
            ({"items": [{"order": "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"}]}, "items.0.order"),
        ],
    ),
    f"GET {API_PREFIX}/due": Case(
        need=(ORDER, p.CHANGE),
        refused=EMPTY,
        listed=home_order,
        bad_queries=[({"site": "x"}, "site"), ({"slot": 0}, "slot"), *PAGING],
    ),
    f"GET {API_PREFIX}/missed": Case(
        need=(ORDER, p.VIEW),
        refused=EMPTY,
        query=yesterday,
        outside=EMPTY,
        listed=home_order,
        bad_queries=[({"day": "x"}, "day"), *PAGING],
    ),
    f"GET {API_PREFIX}/alerts": Case(
        need=(ORDER, p.VIEW),
        refused=EMPTY,
        listed=lambda side: str(side.followup_alert.pk),
        bad_queries=PAGING,
    ),
    f"POST {API_PREFIX}/alerts/{{check_in_id}}/handle": Case(
        need=(ORDER, p.ADD),
        path=alert,
        writes=True,
        refused=(403, 404),
    ),
    "GET /api/v1/me/check-ins": Case(
        audience="resident", listed=lambda side: str(side.followup_dependant.pk)
    ),
    "POST /api/v1/me/check-ins": Case(
        audience="resident",
        body=report,
        writes=True,
        outside=(404,),
        bad_bodies=[
            ({"temperature": 99}, "temperature"),
            {"temperature": "hot"},
            {"temperature": 1e308},
            {"symptoms": ["plague"]},
            {"symptoms": "cough"},
            {"person": "x"},
        ],
    ),
}

PAGES = {
    "GET /isolation/check-ins/": Case(
        need=(ORDER, p.CHANGE),
        query=lambda w, side, user: {"site": "home"},
        outside=(200,),
        listed=lambda side: mask_name(side.followup_dependant.name),
        bad_queries=[{"site": "x"}, {"site": "\x00"}, {"slot": "9"}],
    ),
    "POST /isolation/check-ins/": Case(
        need=(ORDER, p.CHANGE),
        query=lambda w, side, user: {"site": "home"},
        body=lambda w, side, user: {f"s-{side.followup_home_order.pk.hex}": "ok"},
        writes=True,
        ok=(302,),
        outside=(422,),
        bad_bodies=[
            lambda w, side, user: {
                f"s-{side.followup_home_order.pk.hex}": "unwell",
                f"t-{side.followup_home_order.pk.hex}": "99",
            },
            lambda w, side, user: {
                f"s-{side.followup_home_order.pk.hex}": "unwell",
                f"t-{side.followup_home_order.pk.hex}": "NaN",
            },
            {"rest": "0"},
        ],
    ),
    "GET /isolation/check-ins/alerts/": Case(
        need=(ORDER, p.VIEW),
        listed=lambda side: mask_name(side.followup_site_order.person.name),
        bad_queries=[{"cursor": "garbage"}, {"cursor": "\x00"}],
    ),
    "POST /isolation/check-ins/alerts/<uuid:pk>/handle/": Case(
        need=(ORDER, p.ADD),
        path=alert_page,
        writes=True,
        ok=(302,),
        refused=(403, 404),
    ),
    "GET /isolation/check-ins/missed/": Case(
        need=(ORDER, p.VIEW),
        query=yesterday,
        outside=(200,),
        listed=lambda side: mask_name(side.followup_dependant.name),
        bad_queries=[{"day": "x"}, {"day": "\x00"}, {"day": "9999-99-99"}],
    ),
    "GET /isolation/check-ins/sites/<uuid:pk>/sampling/": Case(
        need=(SITE, p.VIEW),
        path=lambda w, side, user: {"pk": str(side.followup_site.pk)},
    ),
    "GET /me/check-in/": Case(
        audience="resident", listed=lambda side: mask_name(side.followup_dependant.name)
    ),
    "POST /me/check-in/": Case(
        audience="resident",
        body=report,
        writes=True,
        ok=(302,),
        # Someone the resident does not look after: the page reports for the resident, who is
        # under no order, and says so.
        outside=(200,),
    ),
}
