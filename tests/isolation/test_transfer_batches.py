"""Making transfer batches: from orders to place, by an officer, each order in one open batch;
passengers added and removed while the batch has not left; who sees which batch."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fangyi.core.models import ObjectChange
from fangyi.isolation import services as orders
from fangyi.isolation.models import OrderState, Passenger, TransferState
from fangyi.isolation.transfer import services
from tests.isolation.support_orders import members, proposed, site_with_rooms
from tests.isolation.transfer_support import batch_of, driver, planned

pytestmark = pytest.mark.django_db


def test_an_officer_makes_a_batch_of_people_to_place_and_it_is_audited(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a, city.person_b], driven_by=chauffeur)
    assert batch.state == TransferState.PLANNED
    assert batch.passengers.count() == 2
    assert ObjectChange.objects.filter(object_id=str(batch.pk), action="create").exists()


def test_only_orders_to_place_go_into_a_batch(city, officer):
    site = site_with_rooms(officer, city.community)
    order = proposed(officer, city.person_a)
    orders.place(actor=officer, orders=[order], site=site)
    with pytest.raises(ValidationError) as refused:
        batch_of(officer, city.community, [order], driven_by=driver(city.street), site=site)
    assert "orders" in refused.value.message_dict


def test_an_order_is_in_one_open_batch_at_a_time(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    order = batch.passengers.get().order
    with pytest.raises(ValidationError):
        batch_of(officer, city.community, [order], driven_by=chauffeur, site=batch.site)


def test_the_destination_is_a_site_or_a_hospital_and_the_driver_may_drive_there(city, officer):
    order = proposed(officer, city.person_a)
    with pytest.raises(ValidationError) as refused:
        batch_of(officer, city.community, [order], driven_by=driver(city.street))
    assert "site" in refused.value.message_dict
    stranger = driver(city.grid_b, username="grid_b_driver")
    with pytest.raises(ValidationError) as refused:
        batch_of(officer, city.community, [order], driven_by=stranger, hospital="市一医院")
    assert "driver" in refused.value.message_dict


def test_a_driver_may_not_make_a_batch(city, officer):
    chauffeur = driver(city.street)
    order = proposed(officer, city.person_a)
    with pytest.raises(PermissionDenied):
        services.create_batch(
            actor=chauffeur,
            region=city.community,
            vehicle="闽A1",
            driver=chauffeur,
            orders=[order],
            planned_at=timezone.now(),
            hospital="市一医院",
        )


def test_passengers_are_added_and_removed_only_while_planned(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    more = [proposed(officer, person) for person in members(city.household_a, 2)]
    services.add_passengers(actor=officer, batch=batch, orders=more)
    assert batch.passengers.count() == 3
    services.remove_passenger(actor=officer, batch=batch, passenger=batch.passengers.last())
    assert batch.passengers.count() == 2
    services.depart(actor=chauffeur, batch=batch)
    with pytest.raises(ValidationError):
        services.remove_passenger(actor=officer, batch=batch, passenger=batch.passengers.first())


def test_a_driver_sees_and_works_only_the_batches_they_drive(city, officer, commander):
    mine, theirs = driver(city.street), driver(city.street, username="other_driver")
    batch = planned(officer, city, [city.person_a], driven_by=theirs)
    assert not services.batches_for(mine).filter(pk=batch.pk).exists()
    assert services.batches_for(theirs).filter(pk=batch.pk).exists()
    assert services.batches_for(commander).filter(pk=batch.pk).exists()
    with pytest.raises(PermissionDenied):
        services.depart(actor=mine, batch=batch)
    assert batch.passengers.get().order.state == OrderState.TO_PLACE


def test_cancelling_an_under_way_batch_returns_its_people_to_the_queue(city, officer):
    chauffeur = driver(city.street)
    batch = planned(officer, city, [city.person_a], driven_by=chauffeur)
    services.depart(actor=chauffeur, batch=batch)
    with pytest.raises(PermissionDenied):
        services.cancel(actor=chauffeur, batch=batch, reason="车辆故障")
    services.cancel(actor=officer, batch=batch, reason="车辆故障")
    passenger = Passenger.objects.select_related("order").get(batch=batch)
    assert passenger.order.state == OrderState.TO_PLACE
    assert passenger.order.events.last().reason == "车辆故障"
