"""The hotline's setup through the API (/api/v1/hotline/setup): each section read, made,
changed and removed (or stopped) through its service, bad input a 422 naming the field, and
every change seen at once by the setup each process holds (an intake routes and times the
next ticket by it)."""

from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from fangyi.api import api
from fangyi.core.models import ObjectChange
from fangyi.hotline import services
from fangyi.hotline.models import CalendarDay, Category, HandlingUnit, Open311Key
from fangyi.hotline.open311.services import digest_of
from tests.hotline.support import beijing, take
from tests.support import client_for, post, send

pytestmark = pytest.mark.django_db

BASE = "/api/v1/hotline/setup"
FILING = "/open311/v2/requests.json"


def fields_of(response) -> set[str]:
    assert response["Content-Type"].startswith("application/json"), response.content
    return {error["field"] for error in response.json()["detail"]}


def actions_on(pk) -> list[str]:
    return list(
        ObjectChange.objects.filter(object_id=str(pk))
        .order_by("time")
        .values_list("action", flat=True)
    )


def test_the_category_tree_is_extended_changed_and_stopped(city, hotline):
    api = client_for(hotline.city_admin)
    codes = [item["code"] for item in api.get(f"{BASE}/categories?limit=200").json()["items"]]
    assert codes == sorted(codes) and "psychological" in codes
    body = {
        "code": "oxygen",
        "name": "制氧机和氧气",
        "parent": "medical",
        "kind": "emergency",
        "limit_minutes": 120,
        "limit_working_days": 1,
    }
    both = post(api, f"{BASE}/categories", body)
    assert both.status_code == 422 and fields_of(both) == {"limit_minutes"}
    made = post(api, f"{BASE}/categories", body | {"limit_working_days": None})
    assert made.status_code == 201, made.content
    assert made.json() == {
        "code": "oxygen",
        "name": "制氧机和氧气",
        "parent": "medical",
        "kind": "emergency",
        "limit_minutes": 120,
        "limit_working_days": None,
        "confidential": False,
        "active": True,
        "order": 0,
    }
    assert fields_of(post(api, f"{BASE}/categories", body | {"limit_minutes": None})) == {"code"}
    assert fields_of(post(api, f"{BASE}/categories", body | {"parent": "nope"})) == {"parent"}
    loop = send(api, "patch", f"{BASE}/categories/medical", {"parent": "oxygen"})
    assert loop.status_code == 422 and fields_of(loop) == {"parent"}
    assert api.get(f"{BASE}/categories/nope").status_code == 404
    ticket = {
        "channel": "phone",
        "category": "oxygen",
        "description": "家里制氧机坏了",
        "region": city.building_a.code,
    }
    operator = client_for(hotline.operator)
    assert post(operator, "/api/v1/hotline/tickets", ticket).status_code == 201
    changed = send(
        api,
        "patch",
        f"{BASE}/categories/oxygen",
        {"limit_minutes": None, "limit_working_days": 1, "active": False},
    )
    assert changed.status_code == 200, changed.content
    shown = api.get(f"{BASE}/categories/oxygen").json()
    assert shown["name"] == "制氧机和氧气" and shown["parent"] == "medical"
    assert (shown["limit_minutes"], shown["limit_working_days"], shown["active"]) == (
        None,
        1,
        False,
    )
    # The intake reads the category from the setup it holds: stopped, it takes no ticket.
    refused = post(operator, "/api/v1/hotline/tickets", ticket)
    assert refused.status_code == 422 and fields_of(refused) == {"category"}
    in_use = [item["code"] for item in operator.get("/api/v1/hotline/categories").json()]
    assert "oxygen" not in in_use
    assert actions_on(Category.objects.get(code="oxygen").pk) == ["create", "update"]


def test_a_unit_is_made_with_its_staff_changed_and_stopped_the_rules_skip_it(city, hotline):
    api = client_for(hotline.city_admin)
    body = {
        "code": "sanfang",
        "name": "三坊社区专班",
        "kind": "community",
        "region": city.community.code,
        "members": ["street_officer", "nobody"],
        "supervisors": ["street_chief"],
    }
    unknown = post(api, f"{BASE}/units", body)
    assert unknown.status_code == 422 and fields_of(unknown) == {"members"}
    assert "nobody" in unknown.json()["detail"][0]["message"]
    wrong_level = post(api, f"{BASE}/units", body | {"members": [], "region": city.street.code})
    assert fields_of(wrong_level) == {"region"}
    made = post(api, f"{BASE}/units", body | {"members": ["street_officer"]})
    assert made.status_code == 201, made.content
    unit = made.json()
    assert (unit["region"], unit["members"], unit["supervisors"], unit["active"]) == (
        city.community.code,
        ["street_officer"],
        ["street_chief"],
        True,
    )
    rule = post(api, f"{BASE}/rules", {"region": city.community.code, "place_level": "community"})
    assert rule.status_code == 201, rule.content
    sanfang = HandlingUnit.objects.get(code="sanfang")
    assert services.route(take(hotline.operator, city.building_a)) == sanfang
    changed = send(api, "patch", f"{BASE}/units/{unit['id']}", {"active": False, "members": []})
    assert changed.status_code == 200, changed.content
    after = changed.json()
    assert (after["name"], after["members"], after["supervisors"], after["active"]) == (
        "三坊社区专班",
        [],
        ["street_chief"],
        False,
    )
    assert services.route(take(hotline.operator, city.building_a)) == hotline.team
    listed = {item["code"]: item for item in api.get(f"{BASE}/units").json()["items"]}
    assert set(listed) == {"dongjie", "health", "sanfang"} and not listed["sanfang"]["active"]
    assert api.get(f"{BASE}/units/{unit['id']}").json() == after
    update = ObjectChange.objects.get(object_id=unit["id"], action="update")
    assert update.before["members"] == ["street_officer"] and update.after["members"] == []


def test_a_rule_is_made_changed_and_removed_and_routing_follows_at_once(city, hotline):
    api = client_for(hotline.commander)
    made = post(
        api,
        f"{BASE}/rules",
        {"region": city.community.code, "category": "food", "unit": str(hotline.health.pk)},
    )
    assert made.status_code == 201, made.content
    rule = made.json()
    assert (rule["category"], rule["region"], rule["unit"], rule["place_level"]) == (
        "food",
        city.community.code,
        str(hotline.health.pk),
        "",
    )
    assert services.route(take(hotline.operator, city.building_a, "food")) == hotline.health
    twice = post(
        api,
        f"{BASE}/rules",
        {"region": city.community.code, "category": "food", "place_level": "street"},
    )
    assert twice.status_code == 422 and fields_of(twice) == {"category"}
    url = f"{BASE}/rules/{rule['id']}"
    changed = send(api, "patch", url, {"category": "testing"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["category"] == "testing" and changed.json()["unit"] == rule["unit"]
    assert services.route(take(hotline.operator, city.building_a, "food")) == hotline.team
    assert services.route(take(hotline.operator, city.building_a, "testing")) == hotline.health
    retargeted = send(api, "patch", url, {"place_level": "community"})
    assert (retargeted.json()["unit"], retargeted.json()["place_level"]) == (None, "community")
    neither = send(api, "patch", url, {"unit": None})
    assert neither.status_code == 422 and fields_of(neither) == {"unit"}
    assert api.get(url).json() == retargeted.json()
    listed = [item["id"] for item in api.get(f"{BASE}/rules").json()["items"]]
    assert rule["id"] in listed and len(listed) == 4
    removed = api.delete(url)
    assert removed.status_code == 204
    assert api.get(url).status_code == 404 and api.delete(url).status_code == 404
    assert services.route(take(hotline.operator, city.building_a, "testing")) == hotline.team
    assert actions_on(rule["id"]) == ["create", "update", "update", "delete"]


def test_a_day_entered_moves_the_limits_of_tickets_taken_in_after_it(city, hotline):
    api = client_for(hotline.city_admin)
    received = beijing("2026-03-09 09:00")
    usual = take(hotline.operator, city.building_a, received_at=received).due_at
    url = f"{BASE}/calendar/2026-03-10"
    entered = send(api, "put", url, {"is_workday": False, "note": "本地调休"})
    assert entered.status_code == 200, entered.content
    assert entered.json()["entered_by"] == "city_admin" and entered.json()["note"] == "本地调休"
    assert take(hotline.operator, city.building_a, received_at=received).due_at > usual
    worked = send(api, "put", url, {"is_workday": True})
    assert worked.json()["is_workday"] is True and worked.json()["note"] == ""
    assert take(hotline.operator, city.building_a, received_at=received).due_at == usual
    listed = api.get(f"{BASE}/calendar").json()["items"]
    assert [(item["day"], item["is_workday"]) for item in listed] == [("2026-03-10", True)]
    assert api.get(url).json()["day"] == "2026-03-10"
    bad = send(api, "put", f"{BASE}/calendar/2026-02-30", {"is_workday": False})
    assert bad.status_code == 422 and fields_of(bad) == {"day"}
    assert api.delete(url).status_code == 204
    assert not CalendarDay.objects.exists()
    assert api.delete(url).status_code == 404 and api.get(url).status_code == 404
    assert ObjectChange.objects.filter(object_type="hotline.calendarday", action="delete").exists()


def test_a_key_is_shown_once_listed_without_it_and_revoked(city, hotline):
    api = client_for(hotline.commander)
    away = post(api, f"{BASE}/keys", {"partner": "e厦门", "region": "350200"})
    assert away.status_code == 422 and fields_of(away) == {"region"}
    issued = post(api, f"{BASE}/keys", {"partner": "e福州", "region": city.district.code})
    assert issued.status_code == 201, issued.content
    assert issued["Cache-Control"] == "no-store"
    raw = issued.json()["key"]
    key = Open311Key.objects.get()
    assert digest_of(raw) == key.digest and issued.json()["prefix"] == raw[:8]
    listing = api.get(f"{BASE}/keys")
    assert [item["id"] for item in listing.json()["items"]] == [str(key.pk)]
    assert raw not in listing.content.decode() and key.digest not in listing.content.decode()
    assert "key" not in listing.json()["items"][0]
    filing = {"api_key": raw, "service_code": "food", "description": "缺米", "address_string": "x"}
    assert Client().post(FILING, filing).status_code == 201
    revoked = post(api, f"{BASE}/keys/{key.pk}/revoke", {})
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert revoked.json()["last_used_at"] is not None
    assert Client().post(FILING, filing).status_code == 403
    again = post(api, f"{BASE}/keys/{key.pk}/revoke", {})
    assert again.status_code == 422 and fields_of(again) == {"key_id"}


def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(city, hotline):
    api = client_for(hotline.city_admin)
    before = ObjectChange.objects.count()
    cases = [
        ("post", "categories", {"code": "has space", "name": "x", "kind": "help"}, "code"),
        ("post", "categories", {"code": "x", "name": "x", "kind": "party"}, "kind"),
        ("post", "categories", {"code": "x", "name": "x", "kind": "help", "order": -1}, "order"),
        ("patch", "categories/food", {"limit_minutes": 10_081}, "limit_minutes"),
        ("patch", "categories/food", {"name": None}, "name"),
        ("patch", "categories/food", {"colour": "red"}, "colour"),
        ("patch", f"units/{hotline.team.pk}", {"supervisors": ["nobody"]}, "supervisors"),
        ("patch", f"units/{hotline.team.pk}", {"region": city.city.code}, "region"),
        ("post", "rules", {"region": city.community.code, "place_level": "grid"}, "place_level"),
        (
            "post",
            "rules",
            {
                "region": city.community.code,
                "unit": str(hotline.health.pk),
                "place_level": "street",
            },
            "unit",
        ),
        ("put", "calendar/2031-01-01", {"is_workday": "perhaps"}, "is_workday"),
        ("put", "calendar/2031-01-01", {"is_workday": False, "note": "x" * 101}, "note"),
        ("post", "keys", {"partner": "", "region": city.city.code}, "partner"),
    ]
    for method, path, body, field in cases:
        response = send(api, method, f"{BASE}/{path}", body)
        assert response.status_code == 422, (path, body, response.status_code)
        assert field in fields_of(response), (path, body, response.json())
    assert ObjectChange.objects.count() == before


def test_no_setup_route_takes_the_url_name_of_another_route():
    """ninja names a route's URL after its function: a setup route called `list_keys` would
    take `reverse("api:list_keys")` from the codes' keys, which the scan page fetches."""
    patterns, _app, _namespace = api.urls
    names = Counter(pattern.name for pattern in patterns)
    setup = [
        pattern.name for pattern in patterns if str(pattern.pattern).startswith("hotline/setup/")
    ]
    assert len(setup) == 20
    assert [name for name in setup if names[name] > 1] == []
    assert reverse("api:list_keys") == "/api/v1/codes/keys"
