"""Venues: created, changed and stopped through services, by whom, where, and audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fangyi.checkpoints import services
from fangyi.checkpoints.models import Venue
from fangyi.core.models import ObjectChange
from fangyi.core.permissions import VIEW


def test_a_grid_leader_registers_a_venue_in_their_grid_and_it_is_audited(city, leader_a):
    venue = services.create_venue(
        actor=leader_a, name="  三坊超市 ", kind="supermarket", region=city.grid_a
    )
    assert venue.name == "三坊超市" and venue.region_path == city.grid_a.path
    assert venue.active and venue.created_by == leader_a
    assert len(venue.sub) >= 16
    change = ObjectChange.objects.get(object_id=str(venue.pk))
    assert change.action == ObjectChange.CREATE and change.actor == leader_a
    assert change.after["name"] == "三坊超市" and change.region_path == city.grid_a.path
    assert "sub" not in change.after


def test_each_venue_gets_its_own_random_subject(city, leader_a, venue_a):
    other = services.create_venue(actor=leader_a, name="药店", kind="other", region=city.grid_a)
    assert other.sub != venue_a.sub


def test_a_grid_worker_may_not_register_venues(city, worker_a):
    with pytest.raises(PermissionDenied):
        services.create_venue(actor=worker_a, name="药店", kind="other", region=city.grid_a)


def test_a_leader_of_another_grid_may_neither_add_nor_change_there(city, leader_b, venue_a):
    with pytest.raises(PermissionDenied):
        services.create_venue(actor=leader_b, name="药店", kind="other", region=city.grid_a)
    with pytest.raises(PermissionDenied):
        services.update_venue(actor=leader_b, venue=venue_a, changes={"name": "改名"})
    venue_a.refresh_from_db()
    assert venue_a.name == "三坊超市"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": "  "}, "name"), ({"kind": "casino"}, "kind"), ({"name": "x" * 101}, "name")],
)
def test_invalid_fields_name_the_field(city, leader_a, fields, field):
    with pytest.raises(ValidationError) as caught:
        services.create_venue(
            actor=leader_a, **({"name": "药店", "kind": "other", "region": city.grid_a} | fields)
        )
    assert field in caught.value.message_dict
    assert not Venue.objects.exists()


def test_changes_are_audited_with_before_and_after(city, leader_a, venue_a):
    services.update_venue(
        actor=leader_a, venue=venue_a, changes={"name": "三坊便利店", "kind": "other"}
    )
    change = ObjectChange.objects.get(object_id=str(venue_a.pk), action=ObjectChange.UPDATE)
    assert change.before["name"] == "三坊超市" and change.after["name"] == "三坊便利店"
    assert change.after["kind"] == "other"


def test_an_unchanged_save_writes_nothing(city, leader_a, venue_a):
    services.update_venue(actor=leader_a, venue=venue_a, changes={"name": "三坊超市"})
    assert not ObjectChange.objects.filter(action=ObjectChange.UPDATE).exists()


def test_moving_a_venue_needs_the_right_where_it_goes(city, leader_a, venue_a):
    with pytest.raises(PermissionDenied):
        services.update_venue(actor=leader_a, venue=venue_a, changes={"region": city.grid_b})
    venue_a.refresh_from_db()
    assert venue_a.region_path == city.grid_a.path


def test_an_officer_moves_a_venue_and_its_scope_follows(city, officer, venue_a):
    services.update_venue(actor=officer, venue=venue_a, changes={"region": city.grid_b})
    venue_a.refresh_from_db()
    assert venue_a.region_path == city.grid_b.path


def test_only_known_fields_may_be_changed(city, leader_a, venue_a):
    with pytest.raises(ValidationError) as caught:
        services.update_venue(actor=leader_a, venue=venue_a, changes={"sub": "mine"})
    assert "sub" in caught.value.message_dict


def test_deactivating_keeps_the_venue_and_audits(city, leader_a, venue_a):
    services.deactivate_venue(actor=leader_a, venue=venue_a)
    venue_a.refresh_from_db()
    assert not venue_a.active
    change = ObjectChange.objects.get(object_id=str(venue_a.pk), action=ObjectChange.UPDATE)
    assert change.before["active"] is True and change.after["active"] is False


def test_a_worker_sees_the_venues_of_their_grid_only(city, worker_a, worker_b, venue_a, venue_b):
    assert list(Venue.objects.restrict(worker_a, VIEW)) == [venue_a]
    assert list(Venue.objects.restrict(worker_b, VIEW)) == [venue_b]


def test_an_officer_sees_every_venue_of_the_street(city, officer, venue_a, venue_b):
    assert set(Venue.objects.restrict(officer, VIEW)) == {venue_a, venue_b}
