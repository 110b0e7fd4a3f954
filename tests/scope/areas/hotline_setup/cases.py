"""The hotline's setup (热线设置), its pages and its API under /api/v1/hotline/setup: read by
who holds hotline_setup/view, changed by who may add or change it (administrators, the command
centre). Units, rules and keys are scoped by their region; categories and calendar days belong
to the whole installation."""

from fangyi.core import permissions as p
from fangyi.hotline.area import HOTLINE_SETUP
from tests.scope.cases import Case

from .world import ENTERED_DAY

ROOT = "/hotline/setup"
SEE = (HOTLINE_SETUP, p.VIEW)
MAKE = (HOTLINE_SETUP, p.ADD)
EDIT = (HOTLINE_SETUP, p.CHANGE)
# A form naming a region out of the user's scope comes back with its error.
REFUSED_FORM = (400,)
CONFIRMED = {"confirmed": "on"}


def food(w, side, user):
    from fangyi.hotline.models import Category

    return {"pk": Category.objects.get(code="food").pk}


def category_form(w, side, user):
    return {
        "code": "vaccination",
        "name": "疫苗接种",
        "parent": "",
        "kind": "help",
        "limit_working_days": "2",
        "order": "5",
    }


def category_edit_form(w, side, user):
    return {"name": "食品和生活物资", "parent": "", "kind": "help", "order": "2", "active": "on"}


def unit_form(w, side, user):
    return {
        "code": f"district-{side.district.code}",
        "name": f"{side.district.name}民政局",
        "kind": "department",
        "region": side.district.code,
        "phone": "12345",
        "members": "",
        "supervisors": "",
    }


def rule_form(w, side, user):
    return {"region": side.district.code, "category": "medical", "place_level": "street"}


def rule_edit_form(w, side, user):
    return {"category": "medical", "unit": str(side.hl_team.pk), "place_level": ""}


def key_form(w, side, user):
    return {"partner": "城市服务 App", "region": side.district.code}


def unit_pk(w, side, user):
    return {"pk": str(side.hl_team.pk)}


def rule_pk(w, side, user):
    return {"pk": str(side.hl_rule.pk)}


def key_pk(w, side, user):
    return {"pk": str(side.setup_key.pk)}


def day(w, side, user):
    return {"day": ENTERED_DAY.isoformat()}


PAGES = {
    f"GET {ROOT}/": Case(need=SEE),
    f"GET {ROOT}/categories/": Case(need=SEE),
    f"GET {ROOT}/categories/new/": Case(need=MAKE),
    f"POST {ROOT}/categories/new/": Case(
        need=MAKE,
        body=category_form,
        writes=True,
        ok=(302,),
        outside=(),
        bad_bodies=[
            {"code": "有空格 的代码", "name": "x", "kind": "help", "order": "0"},
            lambda w, side, user: category_form(w, side, user) | {"code": "food"},
            lambda w, side, user: category_form(w, side, user) | {"limit_minutes": "30"},
            lambda w, side, user: category_form(w, side, user) | {"kind": "party"},
        ],
    ),
    f"GET {ROOT}/categories/<int:pk>/": Case(need=EDIT, path=food, outside=()),
    f"POST {ROOT}/categories/<int:pk>/": Case(
        need=EDIT,
        path=food,
        body=category_edit_form,
        writes=True,
        ok=(302,),
        outside=(),
        bad_bodies=[
            lambda w, side, user: category_edit_form(w, side, user) | {"parent": "food"},
            lambda w, side, user: category_edit_form(w, side, user) | {"name": ""},
        ],
    ),
    f"GET {ROOT}/units/": Case(need=SEE, listed=lambda side: side.hl_team.code),
    f"GET {ROOT}/units/new/": Case(need=MAKE),
    f"POST {ROOT}/units/new/": Case(
        need=MAKE,
        body=unit_form,
        writes=True,
        ok=(302,),
        outside=REFUSED_FORM,
        bad_bodies=[
            lambda w, side, user: unit_form(w, side, user) | {"members": "nobody_at_all"},
            lambda w, side, user: unit_form(w, side, user) | {"kind": "street"},
            lambda w, side, user: unit_form(w, side, user) | {"code": side.hl_team.code},
        ],
    ),
    f"GET {ROOT}/units/<uuid:pk>/": Case(need=EDIT, path=unit_pk),
    f"POST {ROOT}/units/<uuid:pk>/": Case(
        need=EDIT,
        path=unit_pk,
        body=lambda w, side, user: {"name": "专班", "phone": "", "members": "", "active": "on"},
        writes=True,
        ok=(302,),
        bad_bodies=[{"name": "专班", "supervisors": "nobody_at_all"}],
    ),
    f"GET {ROOT}/rules/": Case(need=SEE, listed=lambda side: side.street.name),
    f"GET {ROOT}/rules/new/": Case(need=MAKE),
    f"POST {ROOT}/rules/new/": Case(
        need=MAKE,
        body=rule_form,
        writes=True,
        ok=(302,),
        outside=REFUSED_FORM,
        bad_bodies=[
            lambda w, side, user: rule_form(w, side, user) | {"place_level": ""},
            lambda w, side, user: (
                rule_form(w, side, user) | {"unit": str(side.hl_team.pk), "place_level": "street"}
            ),
            lambda w, side, user: (
                rule_form(w, side, user) | {"unit": str(w.away.hl_team.pk), "place_level": ""}
            ),
        ],
    ),
    f"GET {ROOT}/rules/<uuid:pk>/": Case(need=EDIT, path=rule_pk),
    f"POST {ROOT}/rules/<uuid:pk>/": Case(
        need=EDIT,
        path=rule_pk,
        body=rule_edit_form,
        writes=True,
        ok=(302,),
        bad_bodies=[
            {"category": "*", "place_level": ""},
            lambda w, side, user: rule_edit_form(w, side, user) | {"place_level": "street"},
            lambda w, side, user: rule_edit_form(w, side, user) | {"unit": str(w.away.hl_team.pk)},
        ],
    ),
    f"GET {ROOT}/rules/<uuid:pk>/delete/": Case(need=EDIT, path=rule_pk),
    f"POST {ROOT}/rules/<uuid:pk>/delete/": Case(
        need=EDIT,
        path=rule_pk,
        body=lambda w, side, user: CONFIRMED,
        writes=True,
        ok=(302,),
        bad_bodies=[{"confirmed": ""}, {}],
    ),
    f"GET {ROOT}/calendar/": Case(need=SEE, bad_queries=[{"cursor": "garbage"}]),
    f"POST {ROOT}/calendar/": Case(
        need=EDIT,
        body=lambda w, side, user: {"day": "2031-02-11", "is_workday": "0", "note": "春节"},
        writes=True,
        ok=(302,),
        outside=(),
        bad_bodies=[{"day": "2031-02-30", "is_workday": "0"}, {"day": "2031-02-11"}],
    ),
    f"GET {ROOT}/calendar/<str:day>/delete/": Case(need=EDIT, path=day, outside=()),
    f"POST {ROOT}/calendar/<str:day>/delete/": Case(
        need=EDIT,
        path=day,
        body=lambda w, side, user: CONFIRMED,
        writes=True,
        ok=(302,),
        outside=(),
        bad_bodies=[{}],
    ),
    f"GET {ROOT}/keys/": Case(need=SEE, listed=lambda side: side.setup_key.prefix),
    f"GET {ROOT}/keys/new/": Case(need=MAKE),
    f"POST {ROOT}/keys/new/": Case(
        need=MAKE,
        body=key_form,
        writes=True,
        outside=REFUSED_FORM,
        bad_bodies=[{"partner": "", "region": "350100"}, {"partner": "x", "region": "abc"}],
    ),
    f"GET {ROOT}/keys/<uuid:pk>/revoke/": Case(need=MAKE, path=key_pk),
    f"POST {ROOT}/keys/<uuid:pk>/revoke/": Case(
        need=MAKE,
        path=key_pk,
        body=lambda w, side, user: CONFIRMED,
        writes=True,
        ok=(302,),
        bad_bodies=[{"confirmed": ""}, {}],
    ),
}


API_ROOT = "/api/v1/hotline/setup"
PAGING = [
    ({"cursor": "\x00"}, "cursor"),
    ({"cursor": "bm90IGEgY3Vyc29y"}, "cursor"),
    ({"limit": 10**30}, "limit"),
]
UNKNOWN = "6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61"


def category_body(w, side, user):
    return {
        "code": "vaccination",
        "name": "疫苗接种",
        "parent": "medical",
        "kind": "help",
        "limit_working_days": 2,
        "order": 5,
    }


def unit_body(w, side, user):
    return {
        "code": f"setup-{side.district.code}",
        "name": f"{side.district.name}民政局",
        "kind": "department",
        "region": side.district.code,
        "members": [],
        "supervisors": [],
    }


def rule_body(w, side, user):
    return {"category": "medical", "region": side.district.code, "place_level": "community"}


def rule_change(w, side, user):
    return {"category": "medical", "unit": str(side.hl_team.pk)}


def food_code(w, side, user):
    return {"category_code": "food"}


def unit_id(w, side, user):
    return {"unit_id": str(side.hl_team.pk)}


def rule_id(w, side, user):
    return {"rule_id": str(side.hl_rule.pk)}


def key_id(w, side, user):
    return {"key_id": str(side.setup_key.pk)}


API = {
    f"GET {API_ROOT}/categories": Case(need=SEE, bad_queries=PAGING),
    f"POST {API_ROOT}/categories": Case(
        need=MAKE,
        body=category_body,
        writes=True,
        outside=(),
        bad_fields=[
            ({"code": "has space"}, "code"),
            ({"code": "food"}, "code"),
            ({"kind": "party"}, "kind"),
            ({"limit_minutes": 30}, "limit_minutes"),
            ({"parent": "nope"}, "parent"),
            ({"order": -1}, "order"),
        ],
    ),
    f"GET {API_ROOT}/categories/{{category_code}}": Case(need=SEE, path=food_code, outside=()),
    f"PATCH {API_ROOT}/categories/{{category_code}}": Case(
        need=EDIT,
        path=food_code,
        body=lambda w, side, user: {"name": "食品和生活物资", "order": 2},
        writes=True,
        outside=(),
        bad_fields=[
            ({"parent": "food"}, "parent"),
            ({"name": ""}, "name"),
            ({"kind": None}, "kind"),
            ({"limit_minutes": 0}, "limit_minutes"),
        ],
    ),
    f"GET {API_ROOT}/units": Case(
        need=SEE, listed=lambda side: side.hl_team.code, bad_queries=PAGING
    ),
    f"POST {API_ROOT}/units": Case(
        need=MAKE,
        body=unit_body,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"kind": "army"}, "kind"),
            ({"kind": "street"}, "region"),
            ({"region": "999"}, "region"),
            ({"members": ["nobody-at-all"]}, "members"),
            ({"code": "has space"}, "code"),
        ],
    ),
    f"GET {API_ROOT}/units/{{unit_id}}": Case(need=SEE, path=unit_id),
    f"PATCH {API_ROOT}/units/{{unit_id}}": Case(
        need=EDIT,
        path=unit_id,
        body=lambda w, side, user: {"name": "专班", "phone": "12345"},
        writes=True,
        bad_fields=[
            ({"supervisors": ["nobody-at-all"]}, "supervisors"),
            ({"name": " "}, "name"),
            ({"active": None}, "active"),
        ],
    ),
    f"GET {API_ROOT}/rules": Case(
        need=SEE, listed=lambda side: str(side.hl_rule.pk), bad_queries=PAGING
    ),
    f"POST {API_ROOT}/rules": Case(
        need=MAKE,
        body=rule_body,
        writes=True,
        outside=(422,),
        bad_fields=[
            ({"category": "nope"}, "category"),
            ({"place_level": "grid"}, "place_level"),
            ({"place_level": None}, "unit"),
            ({"unit": UNKNOWN}, "unit"),
        ],
    ),
    f"GET {API_ROOT}/rules/{{rule_id}}": Case(need=SEE, path=rule_id),
    f"PATCH {API_ROOT}/rules/{{rule_id}}": Case(
        need=EDIT,
        path=rule_id,
        body=rule_change,
        writes=True,
        bad_fields=[
            ({"category": "nope"}, "category"),
            ({"unit": UNKNOWN}, "unit"),
            ({"unit": None}, "unit"),
            ({"place_level": "street"}, "unit"),
            ({"place_level": "grid"}, "place_level"),
        ],
    ),
    f"DELETE {API_ROOT}/rules/{{rule_id}}": Case(need=EDIT, path=rule_id, writes=True),
    f"GET {API_ROOT}/calendar": Case(need=SEE, bad_queries=PAGING),
    f"GET {API_ROOT}/calendar/{{day}}": Case(need=SEE, path=day, outside=()),
    f"PUT {API_ROOT}/calendar/{{day}}": Case(
        need=EDIT,
        path=day,
        body=lambda w, side, user: {"is_workday": True, "note": "调休上班"},
        writes=True,
        outside=(),
        bad_ids=["2031-02-30", "2031-1-1x"],
        bad_fields=[({"is_workday": "perhaps"}, "is_workday"), ({"note": "x" * 101}, "note")],
    ),
    f"DELETE {API_ROOT}/calendar/{{day}}": Case(
        need=EDIT, path=day, writes=True, outside=(), bad_ids=["2031-02-30"]
    ),
    f"GET {API_ROOT}/keys": Case(
        need=SEE, listed=lambda side: side.setup_key.prefix, bad_queries=PAGING
    ),
    f"POST {API_ROOT}/keys": Case(
        need=MAKE,
        body=lambda w, side, user: {"partner": "城市服务 App", "region": side.district.code},
        writes=True,
        outside=(422,),
        bad_fields=[({"partner": ""}, "partner"), ({"region": "abc"}, "region")],
    ),
    f"POST {API_ROOT}/keys/{{key_id}}/revoke": Case(need=MAKE, path=key_id, writes=True),
}
