"""Sites and rooms: created in scope, rooms in bulk by range, occupancy at a glance."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.core.models import ObjectChange
from fangyi.isolation import services, sites
from fangyi.isolation.models import Room
from tests.isolation.support_orders import members, proposed, site_with_rooms

pytestmark = pytest.mark.django_db


def test_rooms_are_added_by_range_and_list():
    assert sites.room_numbers("101-103") == ["101", "102", "103"]
    assert sites.room_numbers("A08-A10, 201") == ["A08", "A09", "A10", "201"]
    assert sites.room_numbers("1-3，5") == ["1", "2", "3", "5"]


@pytest.mark.parametrize("spec", ["", "130-101", "1-999", "101,101", "1 01", "房间"])
def test_bad_room_numbers_are_refused(spec):
    with pytest.raises(ValidationError):
        sites.room_numbers(spec)


def test_a_site_with_rooms_is_created_and_audited(city, officer):
    site = site_with_rooms(officer, city.community, "101-130", capacity=2)
    assert site.rooms.count() == 30
    assert ObjectChange.objects.filter(object_type="isolation.room").count() == 30
    assert ObjectChange.objects.filter(object_type="isolation.site", action="create").exists()
    with pytest.raises(ValidationError) as refused:
        sites.add_rooms(actor=officer, site=site, numbers="129-131")
    assert "129" in str(refused.value)


def test_occupancy_counts_beds_people_and_free_rooms(city, officer):
    site = site_with_rooms(officer, city.community, "101-103", capacity=2)
    family = [city.person_a, *members(city.household_a, 1)]
    services.place(actor=officer, orders=[proposed(officer, p) for p in family], site=site)
    figures = sites.occupancy([site.pk])[site.pk]
    assert (
        figures.rooms,
        figures.beds,
        figures.occupied,
        figures.free_beds,
        figures.free_rooms,
    ) == (
        3,
        6,
        2,
        4,
        2,
    )


def test_a_room_cannot_shrink_below_its_people(city, officer):
    site = site_with_rooms(officer, city.community, "101", capacity=2)
    family = [city.person_a, *members(city.household_a, 1)]
    services.place(actor=officer, orders=[proposed(officer, p) for p in family], site=site)
    room = Room.objects.get(site=site)
    with pytest.raises(ValidationError):
        sites.update_room(actor=officer, room=room, capacity=1, active=True)
    sites.update_room(actor=officer, room=room, capacity=3, active=True)


def test_sites_are_made_in_scope_only(city, officer, worker_a):
    with pytest.raises(PermissionDenied):
        sites.create_site(actor=worker_a, name="酒店", address="1 号", region=city.grid_a)
    with pytest.raises(PermissionDenied):
        sites.create_site(actor=officer, name="酒店", address="1 号", region=city.city)
    with pytest.raises(ValidationError):
        sites.create_site(actor=officer, name=" ", address="1 号", region=city.street)
