"""Isolation documents in the scope world: an active order (its notice) and a released one
(its release certificate) in each side, for persons of their own."""

from django.utils import timezone

from fangyi.health.models import Policy, QuarantineSetting
from fangyi.isolation.area import SITE_STAFF
from fangyi.isolation.models import Order, OrderReason, OrderState
from tests.factories import HouseholdFactory, PersonFactory

# Site staff work in a street's sites.
ROLES = {SITE_STAFF: "street"}


def _order(side, state: str, room: str) -> Order:
    person = PersonFactory(household=HouseholdFactory(building=side.building, room=room))
    now = timezone.now().replace(microsecond=0)
    return Order.objects.create(
        person=person,
        household=person.household,
        region_path=person.region_path,
        kind=QuarantineSetting.HOME,
        reason=OrderReason.CLOSE_CONTACT,
        policy=Policy.objects.in_force(),
        term_days=7,
        test_days=[1, 7],
        state=state,
        state_changed_at=now,
        started_at=now,
        planned_end_at=now + timezone.timedelta(days=7),
        ended_at=now if state == OrderState.RELEASED else None,
    )


def objects(side, users) -> None:
    side.noticed_order = _order(side, OrderState.ACTIVE, "501")
    side.released_order = _order(side, OrderState.RELEASED, "502")
