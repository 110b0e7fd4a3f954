"""The hotline's setup pages (热线设置): the category tree, handling units, routing rules,
calendar days and Open311 keys, each changed through its service, the destructive actions
only once confirmed, read-only for who may only look."""

import datetime

import pytest
from django.test import Client

from fangyi.core.models import ObjectChange
from fangyi.hotline import services
from fangyi.hotline.forms import category_choices
from fangyi.hotline.models import CalendarDay, Category, HandlingUnit, Open311Key, RoutingRule
from fangyi.hotline.open311.services import digest_of
from tests.support import signed_in

from .support import take

pytestmark = pytest.mark.django_db

ROOT = "/hotline/setup"


def changes_of(obj) -> list[str]:
    return list(
        ObjectChange.objects.filter(object_id=str(obj.pk))
        .order_by("time")
        .values_list("action", flat=True)
    )


def test_the_category_tree_is_extended_and_edited_without_loops(hotline):
    page = signed_in(hotline.city_admin)
    assert "心理援助" in page.get(f"{ROOT}/categories/").content.decode()
    both = page.post(
        f"{ROOT}/categories/new/",
        {
            "code": "oxygen",
            "name": "制氧机和氧气",
            "parent": "medical",
            "kind": "emergency",
            "limit_minutes": "120",
            "limit_working_days": "1",
            "order": "3",
        },
    )
    assert both.status_code == 400 and "只能填一种" in both.content.decode()
    made = page.post(
        f"{ROOT}/categories/new/",
        {
            "code": "oxygen",
            "name": "制氧机和氧气",
            "parent": "medical",
            "kind": "emergency",
            "limit_minutes": "120",
            "order": "3",
        },
    )
    assert made.status_code == 302
    oxygen = Category.objects.get(code="oxygen")
    assert oxygen.parent.code == "medical" and oxygen.limit_minutes == 120
    assert changes_of(oxygen) == ["create"]
    medical = Category.objects.get(code="medical")
    loop = page.post(
        f"{ROOT}/categories/{medical.pk}/",
        {"name": medical.name, "parent": "oxygen", "kind": "emergency", "order": "0"},
    )
    assert loop.status_code == 400 and "不能是它自己或它的下级" in loop.content.decode()
    page.post(
        f"{ROOT}/categories/{oxygen.pk}/",
        {
            "name": "氧气",
            "parent": "medical",
            "kind": "help",
            "limit_working_days": "1",
            "order": "3",
        },
    )
    oxygen.refresh_from_db()
    assert (oxygen.name, oxygen.kind, oxygen.limit_minutes, oxygen.active) == (
        "氧气",
        "help",
        None,
        False,
    )
    assert changes_of(oxygen) == ["create", "update"]
    assert "oxygen" not in dict(category_choices())


def test_a_unit_is_made_with_its_staff_and_stopped_the_rules_skip_it(city, hotline):
    page = signed_in(hotline.city_admin)
    form = {
        "code": "sanfang",
        "name": "三坊社区专班",
        "kind": "community",
        "region": city.community.code,
        "members": "street_officer， nobody",
        "supervisors": "street_chief",
    }
    unknown = page.post(f"{ROOT}/units/new/", form)
    assert unknown.status_code == 400 and "nobody" in unknown.content.decode()
    away = page.post(f"{ROOT}/units/new/", form | {"members": "", "region": "350200"})
    assert "没有这个区域代码，或其不在您的辖区内。" in away.content.decode()
    assert page.post(f"{ROOT}/units/new/", form | {"members": "street_officer"}).status_code == 302
    unit = HandlingUnit.objects.get(code="sanfang")
    assert list(unit.members.all()) == [hotline.street_officer]
    assert list(unit.supervisors.all()) == [hotline.street_chief]
    listing = page.get(f"{ROOT}/units/").content.decode()
    assert "三坊社区专班" in listing and "东街街道专班" in listing
    services.create_rule(actor=hotline.admin, region=city.community, place_level="community")
    assert services.route(take(hotline.operator, city.building_a)) == unit
    page.post(
        f"{ROOT}/units/{unit.pk}/",
        {"name": "三坊社区专班", "phone": "0591-1234", "members": "", "supervisors": ""},
    )
    unit.refresh_from_db()
    assert not unit.active and unit.phone == "0591-1234" and not unit.members.exists()
    change = ObjectChange.objects.filter(object_id=str(unit.pk), action="update").get()
    assert change.before["members"] == ["street_officer"] and change.after["members"] == []
    assert services.route(take(hotline.operator, city.building_a)) == hotline.team


def test_a_rule_is_made_and_removed_only_once_confirmed(city, hotline):
    page = signed_in(hotline.city_admin)
    made = page.post(
        f"{ROOT}/rules/new/",
        {"region": city.community.code, "category": "food", "unit": str(hotline.health.pk)},
    )
    assert made.status_code == 302
    rule = RoutingRule.objects.get(region_path=city.community.path)
    assert services.route(take(hotline.operator, city.building_a)) == hotline.health
    twice = page.post(
        f"{ROOT}/rules/new/",
        {"region": city.community.code, "category": "food", "place_level": "street"},
    )
    assert twice.status_code == 400 and "已有这个类别的派单规则" in twice.content.decode()
    asked = page.get(f"{ROOT}/rules/{rule.pk}/delete/").content.decode()
    assert "三坊社区" in asked and "食品和生活物资" in asked and 'id="confirm-button"' in asked
    unconfirmed = page.post(f"{ROOT}/rules/{rule.pk}/delete/", {})
    assert unconfirmed.status_code == 400 and RoutingRule.objects.filter(pk=rule.pk).exists()
    assert page.post(f"{ROOT}/rules/{rule.pk}/delete/", {"confirmed": "on"}).status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert changes_of(rule) == ["create", "delete"]
    assert services.route(take(hotline.operator, city.building_a)) == hotline.team


def test_calendar_days_entered_for_a_year_the_calendar_does_not_know_and_removed(hotline):
    page = signed_in(hotline.city_admin)
    empty = page.get(f"{ROOT}/calendar/").content.decode()
    assert "没有手工录入的日期" in empty
    holiday = datetime.date(2031, 1, 1)
    made = page.post(f"{ROOT}/calendar/", {"day": "2031-01-01", "is_workday": "0", "note": "元旦"})
    assert made.status_code == 302
    assert CalendarDay.objects.get(day=holiday).is_workday is False
    assert services.entered_days(holiday, holiday) == {holiday: False}
    assert "元旦" in page.get(f"{ROOT}/calendar/").content.decode()
    bad = page.post(f"{ROOT}/calendar/", {"day": "2031-02-30", "is_workday": "0"})
    assert bad.status_code == 400
    asked = page.get(f"{ROOT}/calendar/2031-01-01/delete/").content.decode()
    assert "2031-01-01" in asked and 'id="confirm-form"' in asked
    assert page.get(f"{ROOT}/calendar/2031-02-30/delete/").status_code == 404
    assert page.post(f"{ROOT}/calendar/2031-01-01/delete/", {"confirmed": "on"}).status_code == 302
    assert not CalendarDay.objects.exists()
    assert ObjectChange.objects.filter(object_type="hotline.calendarday", action="delete").exists()


def test_a_key_is_shown_once_and_revoked_only_once_confirmed(city, hotline):
    page = signed_in(hotline.commander)
    issued = page.post(f"{ROOT}/keys/new/", {"partner": "e福州", "region": city.district.code})
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    key = Open311Key.objects.get()
    raw = issued.content.decode().split('id="issued-key">')[1].split("</pre>")[0]
    assert digest_of(raw) == key.digest
    listing = page.get(f"{ROOT}/keys/").content.decode()
    assert key.prefix in listing and raw not in listing
    filing = {"api_key": raw, "service_code": "food", "description": "缺米", "address_string": "x"}
    assert Client().post("/open311/v2/requests.json", filing).status_code == 201
    assert 'id="confirm-form"' in page.get(f"{ROOT}/keys/{key.pk}/revoke/").content.decode()
    assert page.post(f"{ROOT}/keys/{key.pk}/revoke/", {}).status_code == 400
    assert Open311Key.objects.get().active
    assert page.post(f"{ROOT}/keys/{key.pk}/revoke/", {"confirmed": "on"}).status_code == 302
    assert not Open311Key.objects.get().active
    assert Client().post("/open311/v2/requests.json", filing).status_code == 403
    assert page.get(f"{ROOT}/keys/{key.pk}/revoke/").status_code == 404


def test_who_may_only_look_sees_no_forms_and_is_refused_writing(city, hotline):
    page = signed_in(hotline.operator)
    for section in ("", "categories/", "units/", "rules/", "calendar/", "keys/"):
        shown = page.get(f"{ROOT}/{section}")
        assert shown.status_code == 200, section
        text = shown.content.decode()
        assert '-create"' not in text and 'id="calendar-form"' not in text, section
        assert "删除…" not in text and "修改</a>" not in text, section
    assert page.get(f"{ROOT}/units/new/").status_code == 403
    assert page.get(f"{ROOT}/units/{hotline.team.pk}/").status_code == 403
    refused = page.post(f"{ROOT}/calendar/", {"day": "2031-01-01", "is_workday": "0"})
    assert refused.status_code == 403 and not CalendarDay.objects.exists()


def test_the_setup_pages_speak_english(hotline):
    page = signed_in(hotline.city_admin)
    page.cookies["django_language"] = "en"
    text = page.get(f"{ROOT}/rules/").content.decode()
    assert "Routing rule" in text and "Hotline set-up" in text
