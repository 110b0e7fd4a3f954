"""Placing orders at a site: households together in one room, refused when beds are short;
starting records a quarantine_start fact and the colour follows."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.health.models import Fact, Status
from fangyi.isolation import services
from fangyi.isolation.area import SITE_STAFF
from fangyi.isolation.models import Order, OrderState
from tests.factories import staff
from tests.isolation.support_orders import members, proposed, site_with_rooms

pytestmark = pytest.mark.django_db


def test_a_household_stays_together_in_one_room(city, officer):
    family = [city.person_a, *members(city.household_a, 2)]
    orders = [proposed(officer, person) for person in family]
    single = proposed(officer, city.person_b)
    site = site_with_rooms(officer, city.community, "101-103", capacity=3)
    services.place(actor=officer, orders=[*orders, single], site=site)
    rooms = {order.room_id for order in Order.objects.filter(pk__in=[o.pk for o in orders])}
    assert len(rooms) == 1
    single.refresh_from_db()
    assert single.room_id not in rooms


def test_a_household_larger_than_any_room_is_split_over_the_roomiest(city, officer):
    family = [city.person_a, *members(city.household_a, 2)]
    orders = [proposed(officer, person) for person in family]
    site = site_with_rooms(officer, city.community, "101-102", capacity=2)
    services.place(actor=officer, orders=orders, site=site)
    assert Order.objects.filter(state=OrderState.ACTIVE).count() == 3


def test_two_households_are_not_placed_in_one_room_even_with_beds_to_spare(city, officer):
    orders = [proposed(officer, city.person_a), proposed(officer, city.person_b)]
    site = site_with_rooms(officer, city.community, "101", capacity=2)
    with pytest.raises(ValidationError) as refused:
        services.place(actor=officer, orders=orders, site=site)
    assert "还有 1 人（1 户）无法安置" in str(refused.value)
    assert Order.objects.filter(state=OrderState.TO_PLACE).count() == 2


def test_placing_starts_the_order_records_the_fact_and_colours(city, officer):
    order = proposed(officer, city.person_a)
    site = site_with_rooms(officer, city.community)
    services.place(actor=officer, orders=[order], site=site, reason="集中隔离")
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE
    assert order.kind == "centralised"
    assert order.planned_end_at - order.started_at == services.rules.DAY * order.term_days
    fact = Fact.objects.get(pk=order.start_fact_id)
    assert (fact.kind, fact.variant, fact.source) == (
        "quarantine_start",
        "centralised",
        "isolation",
    )
    assert Status.objects.get(person=city.person_a).colour == "red"
    event = order.events.order_by("at", "id").last()
    assert (event.from_state, event.to_state, event.reason) == ("to_place", "active", "集中隔离")
    assert event.actor == officer
    assert ObjectChange.objects.filter(object_id=str(order.pk), action="update").exists()


def test_rooms_with_someone_in_them_take_no_other_household(city, officer):
    site = site_with_rooms(officer, city.community, "101", capacity=2)
    services.place(actor=officer, orders=[proposed(officer, city.person_a)], site=site)
    with pytest.raises(ValidationError):
        services.place(actor=officer, orders=[proposed(officer, city.person_b)], site=site)


def test_grid_workers_cannot_place(city, officer, worker_a):
    order = proposed(officer, city.person_a)
    site = site_with_rooms(officer, city.community)
    with pytest.raises(PermissionDenied):
        services.place(actor=worker_a, orders=[order], site=site)


def test_only_orders_to_place_are_placed(city, officer):
    order = proposed(officer, city.person_a)
    site = site_with_rooms(officer, city.community)
    services.place(actor=officer, orders=[order], site=site)
    with pytest.raises(ValidationError):
        services.place(actor=officer, orders=[order], site=site)


def test_starting_at_home_records_home_quarantine(city, officer):
    order = proposed(officer, city.person_a)
    services.start_at_home(actor=officer, orders=[order], kind="home")
    order.refresh_from_db()
    assert (order.state, order.kind, order.site_id) == ("active", "home", None)
    assert Fact.objects.get(pk=order.start_fact_id).variant == "home"
    with pytest.raises(ValidationError):
        services.start_at_home(actor=officer, orders=[proposed(officer, city.person_b)], kind="x")


def test_transfer_then_arrival_starts_the_order_in_the_room(city, officer):
    order = proposed(officer, city.person_a)
    site = site_with_rooms(officer, city.community)
    services.start_transfer(actor=officer, orders=[order])
    order.refresh_from_db()
    assert order.state == OrderState.IN_TRANSFER and order.started_at is None
    room = site.rooms.get(number="102")
    services.arrive(actor=officer, order=order, room=room)
    order.refresh_from_db()
    assert (order.state, order.room_id, order.site_id) == ("active", room.pk, site.pk)
    assert order.start_fact_id is not None
    with pytest.raises(ValidationError):
        services.arrive(actor=officer, order=order, room=room)


def test_moving_rooms_checks_out_of_one_and_into_another(city, officer):
    order = proposed(officer, city.person_a)
    site = site_with_rooms(officer, city.community, "101-102", capacity=1)
    services.place(actor=officer, orders=[order], site=site)
    order.refresh_from_db()
    other = site.rooms.exclude(pk=order.room_id).get()
    services.move(actor=officer, order=order, room=other)
    order.refresh_from_db()
    assert order.room_id == other.pk
    assert order.events.order_by("at", "id").last().details["move"] is True
    taken = proposed(officer, city.person_b)
    services.place(actor=officer, orders=[taken], site=site)
    taken.refresh_from_db()
    with pytest.raises(ValidationError):
        services.move(actor=officer, order=taken, room=other)


def test_site_staff_receive_arrivals_and_grid_workers_do_not(city, officer, worker_a):
    site = site_with_rooms(officer, city.community)
    receptionist = staff(SITE_STAFF, city.street, username="receptionist")
    order = proposed(officer, city.person_a)
    services.start_transfer(actor=officer, orders=[order])
    room = site.rooms.get(number="101")
    with pytest.raises(PermissionDenied):
        services.arrive(actor=worker_a, order=order, room=room)
    services.arrive(actor=receptionist, order=order, room=room)
    order.refresh_from_db()
    assert order.state == OrderState.ACTIVE


def test_no_one_moves_into_a_room_of_another_household(city, officer):
    site = site_with_rooms(officer, city.community, "101-102", capacity=2)
    first = proposed(officer, city.person_a)
    second = proposed(officer, city.person_b)
    services.place(actor=officer, orders=[first, second], site=site)
    first.refresh_from_db()
    second.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.move(actor=officer, order=second, room=first.room)
    assert "每间只住一户" in str(refused.value)
