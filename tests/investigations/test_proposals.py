import datetime

import pytest
from django.core.exceptions import ValidationError

from fangyi.checkpoints import services as checkpoints
from fangyi.checkpoints.models import Scan
from fangyi.core.models import AccessEvent
from fangyi.health.models import Fact
from fangyi.investigations import services
from fangyi.investigations.models import ContactState, PlaceSource
from tests.checkpoints.support import visit

from .support import hours_ago, opened, resident


@pytest.fixture
def venue(city, superuser):
    return checkpoints.create_venue(
        actor=superuser, name="永辉超市", kind="supermarket", region=city.grid_a
    )


def test_check_ins_become_places_and_people_met_there_proposed_contacts(city, tracer, venue):
    case = opened(city.person_a, actor=tracer)
    at = hours_ago(30)
    visit(city.person_a, venue, at)
    visit(city.person_b, venue, at + datetime.timedelta(minutes=10))
    stranger = resident(city.building_b)
    visit(stranger, venue, at + datetime.timedelta(hours=3))
    proposal = services.propose(actor=tracer, investigation=case, window_minutes=30)
    assert (proposal.places, proposal.contacts, proposal.truncated) == (1, 1, False)
    place = case.places.get()
    assert place.venue == venue and place.source == PlaceSource.CHECKIN and place.start == at
    contact = case.contacts.get()
    assert contact.person == city.person_b
    assert contact.state == ContactState.PROPOSED and contact.place == place
    # A proposal is not a fact yet: confirming it is.
    assert not Fact.objects.filter(source="investigation").exists()
    assert AccessEvent.objects.filter(
        kind="investigation", object_id=str(city.person_a.pk)
    ).exists()


def test_proposing_again_adds_only_what_is_new(city, tracer, venue):
    case = opened(city.person_a, actor=tracer)
    at = hours_ago(30)
    visit(city.person_a, venue, at)
    visit(city.person_b, venue, at)
    services.propose(actor=tracer, investigation=case)
    again = services.propose(actor=tracer, investigation=case)
    assert (again.places, again.contacts) == (0, 0)
    assert case.places.count() == 1 and case.contacts.count() == 1


def test_checkpoint_scans_of_the_case_are_places_too(city, tracer, venue):
    case = opened(city.person_a, actor=tracer)
    Scan.objects.create(
        client_id="6f1c3c1e-5d0a-4a7e-9a55-1b2c3d4e5f61",
        venue=venue,
        person=city.person_a,
        scanned_at=hours_ago(5),
        result="valid",
        region_path=venue.region_path,
    )
    services.propose(actor=tracer, investigation=case)
    assert case.places.get().source == PlaceSource.SCAN


def test_a_proposed_contact_confirmed_gets_their_fact(city, tracer, venue):
    case = opened(city.person_a, actor=tracer)
    visit(city.person_a, venue, hours_ago(30))
    visit(city.person_b, venue, hours_ago(30))
    services.propose(actor=tracer, investigation=case)
    contact = case.contacts.get()
    services.confirm_contact(actor=tracer, contact=contact, category="secondary")
    contact.refresh_from_db()
    assert contact.state == ContactState.LINKED
    assert Fact.objects.get(pk=contact.fact_id).kind == "secondary_contact"
    with pytest.raises(ValidationError):
        services.confirm_contact(actor=tracer, contact=contact, category="close")


def test_the_window_and_the_days_are_bounded(city, tracer):
    case = opened(city.person_a, actor=tracer)
    with pytest.raises(ValidationError):
        services.propose(actor=tracer, investigation=case, days=0)
    with pytest.raises(ValidationError):
        services.propose(actor=tracer, investigation=case, window_minutes=10_000)
