"""Who may use the hotline's setup API: the rights of the setup pages. Operators and officers
read and are refused every write (403); a role without the setup's right is refused reading
too; the command centre of another city reads the installation's categories and days but
sees nothing of this city's units, rules and keys (404), nor names its regions or units."""

import datetime

import pytest

from fangyi.core.models import ObjectChange
from fangyi.core.permissions import COMMANDER
from fangyi.hotline import services
from fangyi.hotline.models import RoutingRule
from fangyi.hotline.open311 import services as open311
from fangyi.regions.models import Level
from tests.factories import region, staff
from tests.hotline.support import category
from tests.support import client_for, post, send

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotline/setup"
SECTIONS = ("categories", "units", "rules", "calendar", "keys")
DAY = datetime.date(2031, 1, 1)


def refused_with_a_reason(response, status: int) -> bool:
    return response.status_code == status and bool(response.json().get("detail"))


def writes(hotline, city, rule, key) -> list[tuple[str, str, dict | None]]:
    return [
        ("post", "categories", {"code": "x", "name": "x", "kind": "help"}),
        ("patch", "categories/food", {"name": "食品"}),
        (
            "post",
            "units",
            {"code": "u", "name": "u", "kind": "department", "region": city.city.code},
        ),
        ("patch", f"units/{hotline.team.pk}", {"active": False}),
        ("post", "rules", {"region": city.community.code, "place_level": "community"}),
        ("patch", f"rules/{rule.pk}", {"place_level": "community"}),
        ("delete", f"rules/{rule.pk}", None),
        ("put", "calendar/2031-01-01", {"is_workday": False}),
        ("delete", "calendar/2031-01-01", None),
        ("post", "keys", {"partner": "x", "region": city.city.code}),
        ("post", f"keys/{key.pk}/revoke", {}),
    ]


def test_who_may_only_look_reads_everything_and_writes_nothing(city, hotline):
    # On the street: the officer's scope, within the operator's city.
    rule = services.create_rule(
        actor=hotline.admin, region=city.street, category=category("testing"), unit=hotline.team
    )
    key, _raw = open311.issue_key(actor=hotline.admin, partner="群机器人", region=city.street)
    services.set_calendar_day(actor=hotline.admin, day=DAY, is_workday=False, note="元旦")
    clients = {user: client_for(user) for user in (hotline.operator, hotline.street_officer)}
    before = ObjectChange.objects.count()
    for user, api in clients.items():
        for section in SECTIONS:
            listed = api.get(f"{BASE}/{section}")
            assert listed.status_code == 200 and listed.json()["items"], (user, section)
        assert api.get(f"{BASE}/units/{hotline.team.pk}").status_code == 200
        assert api.get(f"{BASE}/rules/{rule.pk}").status_code == 200
        for method, path, body in writes(hotline, city, rule, key):
            response = send(api, method, f"{BASE}/{path}", body)
            assert refused_with_a_reason(response, 403), (user, method, path, response.status_code)
    assert ObjectChange.objects.count() == before


def test_a_role_without_the_setups_right_reads_nothing(city, hotline, worker_a):
    api = client_for(worker_a)
    for section in SECTIONS:
        assert refused_with_a_reason(api.get(f"{BASE}/{section}"), 403), section
    assert refused_with_a_reason(api.get(f"{BASE}/units/{hotline.team.pk}"), 403)
    assert refused_with_a_reason(api.get(f"{BASE}/categories/food"), 403)


def test_another_citys_command_centre_sees_nothing_of_this_citys_setup(city, hotline):
    xiamen = region("350200", "厦门市", Level.CITY, city.province)
    api = client_for(staff(COMMANDER, xiamen, username="xiamen_commander"))
    rule = RoutingRule.objects.get(region_path=city.city.path, category=None)
    key, raw = open311.issue_key(actor=hotline.admin, partner="群机器人", region=city.street)
    for section in ("units", "rules", "keys"):
        assert api.get(f"{BASE}/{section}").json()["items"] == [], section
    hidden = [
        ("get", f"units/{hotline.team.pk}", None),
        ("patch", f"units/{hotline.team.pk}", {"active": False}),
        ("get", f"rules/{rule.pk}", None),
        ("patch", f"rules/{rule.pk}", {"place_level": "community"}),
        ("delete", f"rules/{rule.pk}", None),
        ("post", f"keys/{key.pk}/revoke", {}),
    ]
    for method, path, body in hidden:
        response = send(api, method, f"{BASE}/{path}", body)
        assert refused_with_a_reason(response, 404), (method, path, response.status_code)
    not_theirs = post(api, f"{BASE}/rules", {"region": city.street.code, "place_level": "street"})
    assert not_theirs.status_code == 422
    assert {error["field"] for error in not_theirs.json()["detail"]} == {"region"}
    their_unit = post(api, f"{BASE}/rules", {"region": xiamen.code, "unit": str(hotline.team.pk)})
    assert their_unit.status_code == 422
    assert {error["field"] for error in their_unit.json()["detail"]} == {"unit"}
    # The category tree and the calendar belong to the installation, as on the pages.
    assert api.get(f"{BASE}/categories").json()["items"]
    assert send(api, "put", f"{BASE}/calendar/2031-01-01", {"is_workday": False}).status_code == 200
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    assert open311.key_for(raw) is not None
