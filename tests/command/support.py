"""What the command tests share: a hand-counted day in the `city` fixture.

The day is yesterday in Beijing, at fixed hours, so nothing depends on the time of day.
In grid A: person_a and a new resident found positive at 10:00 in the community, and a
resident under a running home order since two days before, found positive at 11:00 (under
control). In grid B: person_b under a centralised order to place, and a request overdue.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from fangyi.health import services as health
from fangyi.health.models import Policy
from fangyi.isolation.models import Order, OrderState
from tests.factories import HouseholdFactory, PersonFactory


def beijing(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


def positive(person, *, actor, at):
    return health.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind="test_result",
        outcome="positive",
        variant="single",
        occurred_at=at,
    )


def order(person, *, kind, state, started_at=None):
    return Order.objects.create(
        person=person,
        household=person.household,
        region_path=person.region_path,
        kind=kind,
        reason="close_contact",
        policy=Policy.objects.get(in_force=True),
        term_days=7,
        state=state,
        started_at=started_at,
    )


@dataclass
class Day:
    day: datetime.date
    community_cases: list
    controlled_case: object


def counted_day(city, superuser) -> Day:
    day = yesterday()
    second = PersonFactory(household=HouseholdFactory(building=city.building_a, room="102"))
    quarantined = PersonFactory(household=HouseholdFactory(building=city.building_a, room="103"))
    order(
        quarantined,
        kind="home",
        state=OrderState.ACTIVE,
        started_at=beijing(day - datetime.timedelta(days=2), 9),
    )
    order(city.person_b, kind="centralised", state=OrderState.TO_PLACE)
    positive(city.person_a, actor=superuser, at=beijing(day, 10))
    positive(second, actor=superuser, at=beijing(day, 10))
    positive(quarantined, actor=superuser, at=beijing(day, 11))
    return Day(day=day, community_cases=[city.person_a, second], controlled_case=quarantined)
