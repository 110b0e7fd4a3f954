"""What the isolation-order tests share: contact facts that propose orders, a site with
rooms, orders started and aged, tests and fevers on given days."""

import datetime

from django.utils import timezone

from fangyi.health import services as health
from fangyi.isolation import proposals, services, sites
from fangyi.isolation.models import Order, OrderState
from fangyi.people.models import Person
from tests.factories import PersonFactory

DAY = datetime.timedelta(days=1)


def contact(actor, person: Person, kind: str = "close_contact", hours_ago: float = 1):
    """Records a contact fact through the health services."""
    return health.record_fact(
        actor=actor,
        source="manual",
        person=person,
        kind=kind,
        occurred_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        details={"area": "上海"} if kind == "arrival_from_risk_area" else None,
    )


def proposed(actor, person: Person, kind: str = "close_contact") -> Order:
    """An order to place for a new contact fact (the signal's receiver's work, done here: a
    test's transaction never commits)."""
    proposals.propose([contact(actor, person, kind)])
    return Order.objects.select_related("person").get(person=person, state=OrderState.TO_PLACE)


def site_with_rooms(actor, region, numbers: str = "101-103", capacity: int = 2, name="隔离酒店"):
    site = sites.create_site(actor=actor, name=name, address="滨江路 1 号", region=region)
    sites.add_rooms(actor=actor, site=site, numbers=numbers, capacity=capacity)
    return site


def members(household, n: int) -> list[Person]:
    return [PersonFactory(household=household) for _ in range(n)]


def started(actor, person, site, days_ago: float) -> Order:
    """An order of `person` placed at `site`, as if placed `days_ago` days ago."""
    order = proposed(actor, person)
    services.place(actor=actor, orders=[order], site=site)
    return age(order, days_ago)


def age(order: Order, days_ago: float) -> Order:
    start = timezone.now() - days_ago * DAY
    Order.objects.filter(pk=order.pk).update(
        started_at=start, planned_end_at=start + order.term_days * DAY
    )
    order.refresh_from_db()
    return order


def results_on(actor, order: Order, days, outcome: str = "negative") -> None:
    """A test result on each of `days` of the order's term, two hours into the day."""
    for day in days:
        health.record_fact(
            actor=actor,
            source="lab",
            person=order.person,
            kind="test_result",
            outcome=outcome,
            variant="single",
            occurred_at=order.started_at + (day - 1) * DAY + datetime.timedelta(hours=2),
        )
