"""Taking a ticket in: numbers, limits, callers and places, and what is refused."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.hotline import services
from fangyi.hotline.models import State, Ticket
from tests.hotline.support import beijing, category, take

pytestmark = pytest.mark.django_db


def test_numbers_count_up_per_beijing_day(city, hotline):
    first = take(hotline.operator, city.building_a, received_at=beijing("2026-12-06 09:00"))
    second = take(hotline.operator, city.building_a, received_at=beijing("2026-12-06 23:59"))
    # 00:30 on the 7th in Beijing is still the 6th in UTC: the Beijing day counts.
    third = take(hotline.operator, city.building_a, received_at=beijing("2026-12-07 00:30"))
    assert first.number == "12345-20261206-000001"
    assert second.number == "12345-20261206-000002"
    assert third.number == "12345-20261207-000001"


def test_the_limit_comes_from_the_category_and_urgency(city, hotline):
    monday = beijing("2026-03-09 09:00")
    food = take(hotline.operator, city.building_a, received_at=monday)
    assert food.due_at == beijing("2026-03-11 18:00")
    urgent = take(hotline.operator, city.building_a, received_at=monday, urgency="urgent")
    assert urgent.due_at == beijing("2026-03-10 00:00")
    line = take(hotline.operator, city.building_a, "hospital_line", received_at=monday)
    assert line.due_at == monday + datetime.timedelta(minutes=30)
    assert line.warn_at == monday + datetime.timedelta(minutes=24)


def test_a_day_entered_by_an_administrator_moves_the_limit(city, hotline):
    services.set_calendar_day(
        actor=hotline.admin, day=datetime.date(2026, 3, 10), is_workday=False, note="本地调休"
    )
    food = take(hotline.operator, city.building_a, received_at=beijing("2026-03-09 09:00"))
    assert food.due_at == beijing("2026-03-12 18:00")


def test_a_resident_caller_and_an_anonymous_one(city, hotline):
    known = take(
        hotline.operator,
        city.building_a,
        caller=services.CallerInput(person=city.person_a),
    )
    assert known.caller == city.person_a
    assert known.caller_phone == city.person_a.phone
    anonymous = take(hotline.operator, city.city, address="鼓楼区某小区门口")
    assert anonymous.caller is None and anonymous.caller_phone == ""
    assert not anonymous.place_resolved and known.place_resolved
    assert anonymous.state == State.NEW
    events = list(known.events.values_list("kind", flat=True))
    assert events == ["intake"]
    assert ObjectChange.objects.filter(object_id=str(known.pk), action="create").exists()


def test_a_grid_worker_takes_a_request_in_on_their_round(city, hotline, worker_a):
    ticket = services.intake(
        actor=worker_a,
        channel="grid",
        category=category("food"),
        region=city.building_a,
        description="独居老人需要买菜",
    )
    assert ticket.intake_by == worker_a
    assert Ticket.objects.restrict(worker_a).filter(pk=ticket.pk).exists()
    with pytest.raises(PermissionDenied):
        take(worker_a, city.building_b)


def test_a_resident_asks_on_the_portal(city, hotline):
    ticket = services.intake_for_resident(
        holder=city.person_b, category=category("utilities"), description="暖气不热"
    )
    assert ticket.channel == "portal"
    assert ticket.caller == city.person_b
    assert ticket.region == city.building_b


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": "  "}, "description"),
        ({"description": "x" * 2001}, "description"),
        ({"caller": services.CallerInput(phone="138-0000")}, "caller_phone"),
        ({"urgency": "whenever"}, "urgency"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_input_is_refused_by_field(city, hotline, changes, field):
    arguments = {
        "actor": hotline.operator,
        "channel": "phone",
        "category": category("food"),
        "region": city.building_a,
        "description": "需要帮助",
    } | changes
    with pytest.raises(ValidationError) as error:
        services.intake(**arguments)
    assert field in error.value.message_dict
    assert not Ticket.objects.exists()


def test_a_time_received_in_the_future_is_refused(city, hotline):
    with pytest.raises(ValidationError) as error:
        take(hotline.operator, city.building_a, received_at=beijing("2100-01-01 00:00"))
    assert "received_at" in error.value.message_dict
