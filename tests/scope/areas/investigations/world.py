"""The investigations' part of the scope world: in each side, a case with an open
investigation, a contact linked, one proposed and one to locate, a place, and a second
positive resident not investigated yet. All of them new persons of the side's building."""

import datetime

from django.utils import timezone

from fangyi.checkpoints.models import CheckIn
from fangyi.core import permissions as p
from fangyi.health import services as health
from fangyi.investigations import services
from tests.factories import HouseholdFactory, PersonFactory

ROLES = {"investigator": "street"}


def _resident(side, room: str):
    return PersonFactory(household=HouseholdFactory(building=side.building, room=room))


def _positive(person, actor, hours: float):
    health.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind="test_result",
        outcome="positive",
        variant="single",
        occurred_at=timezone.now() - datetime.timedelta(hours=hours),
    )


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    side.case = _resident(side, "801")
    _positive(side.case, admin, 2)
    side.investigation, _created = services.open_investigation(actor=admin, person=side.case)
    side.new_case = _resident(side, "802")
    _positive(side.new_case, admin, 1)
    side.linked_contact = services.record_contact(
        actor=admin,
        investigation=side.investigation,
        category="close",
        exposure_at=timezone.now() - datetime.timedelta(hours=20),
        person=_resident(side, "803"),
    )
    side.locate_contact = services.record_contact(
        actor=admin,
        investigation=side.investigation,
        category="secondary",
        exposure_at=timezone.now() - datetime.timedelta(hours=20),
        name="赵六",
        phone="13700000007",
        address=f"{side.building.name} 901",
        region=side.grid,
    )
    side.found_person = _resident(side, "804")
    met = _resident(side, "805")
    at = timezone.now() - datetime.timedelta(hours=30)
    CheckIn.objects.create(person=side.case, venue=side.venue, at=at, colour="green")
    CheckIn.objects.create(person=met, venue=side.venue, at=at, colour="green")
    services.propose(actor=admin, investigation=side.investigation, days=3, window_minutes=30)
    side.proposed_contact = side.investigation.contacts.get(person=met)
    side.place = side.investigation.places.get()
