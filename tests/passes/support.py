"""Couriers' passes as claims, signed or forged, and whitelist entries in the test city, for
the passes tests."""

import datetime
import itertools

from django.utils import timezone

from fangyi.codes import format as fmt
from fangyi.health import services as health
from fangyi.passes import services
from tests.factories import HouseholdFactory, PersonFactory

NOW = 1_800_000_000
HOUR = 3600
# A street's path and a grid below it; a pass for the street opens the grid too.
STREET, GRID, OTHER_STREET = "350102001", "350102001001001", "350102002"


def courier(changes=None, **fields):
    """A green courier's pass tested 10 hours ago, alive five minutes from NOW - 60."""
    values = {
        "issuer": "fangyi-test",
        "subject": "k3Jd8sQ1mZpX0aLw",
        "issued_at": NOW - 60,
        "expires_at": NOW + 240,
        "masked_name": "张*三",
        "id_tail": "002X",
        "policy_version": "2022-06-9th.v1",
        "colour": "green",
        "organisation": "闽运快递",
        "plate": "闽A12345",
        "areas": [STREET],
        "area_names": "东街街道",
        "valid_until": "2027-01-31",
        "tested_at": NOW - 10 * HOUR,
        "test_hours": 48,
    } | fields
    claims = fmt.pass_claims(**values)
    claims[fmt.PRIVATE].update(changes or {})
    return claims


_ROOMS = itertools.count(601)


def courier_person(city):
    """A new resident of building A, in a room of their own."""
    room = str(next(_ROOMS))
    return PersonFactory(household=HouseholdFactory(building=city.building_a, room=room))


def whitelist(officer, city, *, person=None, **fields):
    """An active pass over the street for `person`, or for a new resident of building A when
    neither a person nor an ID number is given."""
    if person is None and "id_number" not in fields:
        person = courier_person(city)
    today = timezone.localdate()
    values = {
        "region": city.street,
        "areas": [city.street],
        "role": "courier",
        "organisation": "闽运快递",
        "plate": "闽A12345",
        "valid_from": today,
        "valid_until": today + datetime.timedelta(days=30),
    } | fields
    return services.create_pass(actor=officer, person=person, **values)


def sampled(officer, person, at: datetime.datetime, outcome: str = "negative"):
    return health.record_fact(
        actor=officer,
        source="manual",
        person=person,
        kind="test_result",
        outcome=outcome,
        variant="single",
        occurred_at=at,
    )
