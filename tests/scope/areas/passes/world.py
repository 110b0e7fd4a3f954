"""Couriers' passes in each side of the scope world: an active pass and a suspended one kept
by the side's grid (so its grid leader sees them), for new persons of the side's building
(rooms 16xx), and the side's resident holds a pass too, for their own pass page."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.passes import services
from tests.factories import HouseholdFactory, PersonFactory


def _pass(admin, side, person):
    today = timezone.localdate()
    return services.create_pass(
        actor=admin,
        person=person,
        region=side.grid,
        areas=[side.grid],
        role="courier",
        organisation=f"{side.city.name}保供公司",
        plate="闽A12345",
        valid_from=today,
        valid_until=today + datetime.timedelta(days=10),
    )


def _courier(side, room: str):
    return PersonFactory(household=HouseholdFactory(building=side.building, room=room))


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    side.pass_active = _pass(admin, side, _courier(side, "1601"))
    side.pass_suspended = _pass(admin, side, _courier(side, "1602"))
    services.suspend_pass(actor=admin, supply_pass=side.pass_suspended, reason="核查中")
    side.pass_resident = _pass(admin, side, side.person)
