"""A batch on the road: departing puts orders in transfer, a person not found goes back to the
queue, arriving at a site checks people in with households together, at a hospital ends the
orders, stops a case's transfer clock, and records how long each person waited."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from fangyi.health.models import Fact
from fangyi.isolation.models import Order, OrderEvent, OrderState, PassengerState, TransferState
from fangyi.isolation.transfer import services
from tests.investigations.support import opened
from tests.isolation.support_orders import members, proposed, site_with_rooms
from tests.isolation.transfer_support import batch_of, driver, planned

pytestmark = pytest.mark.django_db


def test_departing_puts_every_order_in_transfer(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a, city.person_b], driven_by=chauffeur)
    services.depart(actor=chauffeur, batch=batch)
    batch.refresh_from_db()
    assert batch.state == TransferState.UNDER_WAY and batch.departed_at
    states = set(Order.objects.filter(passengers__batch=batch).values_list("state", flat=True))
    assert states == {OrderState.IN_TRANSFER}


def test_a_person_not_found_goes_back_to_the_queue_with_why(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    services.depart(actor=chauffeur, batch=batch)
    passenger = batch.passengers.get()
    services.not_found(actor=chauffeur, batch=batch, passenger=passenger, reason="家中无人")
    passenger.refresh_from_db()
    assert passenger.state == PassengerState.NOT_FOUND and passenger.note == "家中无人"
    event = OrderEvent.objects.filter(order=passenger.order_id).last()
    assert (event.from_state, event.to_state) == (OrderState.IN_TRANSFER, OrderState.TO_PLACE)
    assert "家中无人" in event.reason


def test_arrival_waits_until_everyone_is_picked_up_or_not_found(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    with pytest.raises(ValidationError):
        services.pick_up(actor=chauffeur, batch=batch, passenger=batch.passengers.get())
    services.depart(actor=chauffeur, batch=batch)
    with pytest.raises(ValidationError):
        services.arrive(actor=chauffeur, batch=batch)


def test_arriving_at_a_site_keeps_households_together_and_starts_the_orders(city, officer):
    chauffeur = driver(city.street)
    family = [city.person_a, *members(city.household_a, 2)]
    site = site_with_rooms(officer, city.community, "101-103", capacity=3)
    batch = planned(officer, city, [*family, city.person_b], driven_by=chauffeur, site=site)
    services.depart(actor=chauffeur, batch=batch)
    for passenger in batch.passengers.all():
        services.pick_up(actor=chauffeur, batch=batch, passenger=passenger)
    services.arrive(actor=chauffeur, batch=batch)
    batch.refresh_from_db()
    assert batch.state == TransferState.DONE
    placed = Order.objects.filter(passengers__batch=batch)
    assert set(placed.values_list("state", flat=True)) == {OrderState.ACTIVE}
    family_rooms = set(placed.filter(person__in=family).values_list("room", flat=True))
    assert len(family_rooms) == 1
    assert placed.get(person=city.person_b).room_id not in family_rooms
    assert Fact.objects.filter(kind="quarantine_start", person=city.person_a).exists()
    for passenger in batch.passengers.all():
        assert passenger.state == PassengerState.ARRIVED
        assert services.waited_hours(passenger) is not None


def test_arriving_at_a_hospital_ends_the_orders(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur, hospital="市一医院")
    services.depart(actor=chauffeur, batch=batch)
    services.pick_up(actor=chauffeur, batch=batch, passenger=batch.passengers.get())
    services.arrive(actor=chauffeur, batch=batch)
    order = batch.passengers.get().order
    order.refresh_from_db()
    assert order.state == OrderState.HOSPITAL
    assert "市一医院" in order.events.last().reason


def test_a_cases_arrival_stops_its_transfer_clock(city, officer):
    chauffeur = driver(city.street)
    order = proposed(officer, city.person_a)
    investigation = opened(city.person_a, actor=officer)
    investigation.report_confirmed_at = timezone.now()
    investigation.save(update_fields=["report_confirmed_at"])
    batch = batch_of(officer, city.community, [order], driven_by=chauffeur, hospital="市一医院")
    services.depart(actor=chauffeur, batch=batch)
    services.pick_up(actor=chauffeur, batch=batch, passenger=batch.passengers.get())
    services.arrive(actor=chauffeur, batch=batch)
    investigation.refresh_from_db()
    assert investigation.transfer_arrived_at == batch.passengers.get().arrived_at


def test_the_waiting_list_puts_the_longest_waiting_first(city, officer):
    with freeze_time(timezone.now() - datetime.timedelta(hours=30)):
        first = proposed(officer, city.person_a)
    second = proposed(officer, city.person_b)
    rows = list(services.waiting(officer).order_by("found", "id"))
    assert [row.pk for row in rows] == [first.pk, second.pk]
    assert services.hours(rows[0].found, timezone.now()) >= 30
