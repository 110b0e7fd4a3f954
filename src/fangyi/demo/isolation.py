"""Demo isolation: two quarantine sites with rooms in the officer's first community, orders
in every state for residents of that community, and two transfer batches of the demo driver
(one planned, one under way with a person picked up), so the queue, the due list (ready and
overdue), the sites' rooms grids and the driver's phone have something to show.

Everything goes through the services as the demo street officer (audited like any other work),
from contact facts recorded through the health services. Only the ages of running orders are
set directly, as a seed cannot wait a week. Made once: nothing is added while the demo sites
exist.
"""

import dataclasses
import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from fangyi.accounts.models import User
from fangyi.core import permissions
from fangyi.core.paths import under
from fangyi.health import services as health
from fangyi.isolation import proposals, services, sites
from fangyi.isolation.area import DRIVER
from fangyi.isolation.models import Order, OrderState, Site, TransferBatch
from fangyi.isolation.transfer import services as transfer
from fangyi.people.models import Person
from fangyi.regions.models import Level

from .residents import demo_resident
from .staff import _first_region

SITES = [
    ("滨江隔离酒店", "滨江路 8 号", "101-130", 2),
    ("会展方舱隔离点", "会展路 1 号", "A01-A20", 1),
]
DAY = datetime.timedelta(days=1)


@dataclasses.dataclass
class IsolationSeed:
    sites: int
    rooms: int
    orders: dict[str, int]


def seed_isolation(*, now: datetime.datetime | None = None) -> IsolationSeed:
    """Creates the demo sites and orders once. Needs the demo city and the demo officer."""
    now = now or timezone.now()
    community = _first_region(Level.COMMUNITY)
    officer = User.objects.get(username=permissions.OFFICER)
    names = [name for name, *_rest in SITES]
    with transaction.atomic():
        if not Site.objects.filter(region=community, name__in=names).exists():
            made = [
                sites.create_site(actor=officer, name=name, address=address, region=community)
                for name, address, _numbers, _capacity in SITES
            ]
            for site, (_name, _address, numbers, capacity) in zip(made, SITES, strict=True):
                sites.add_rooms(actor=officer, site=site, numbers=numbers, capacity=capacity)
            _orders(officer, community, made, now)
        if not TransferBatch.objects.filter(region_path__startswith=community.path).exists():
            _transfers(officer, community, now)
    demo_sites = Site.objects.filter(region=community, name__in=names)
    counts = dict.fromkeys(OrderState.values, 0)
    for state in Order.objects.filter(region_path__startswith=community.path).values_list(
        "state", flat=True
    ):
        counts[state] += 1
    return IsolationSeed(
        sites=demo_sites.count(),
        rooms=sum(site.rooms.count() for site in demo_sites),
        orders=counts,
    )


def _people(community, count: int) -> list[Person]:
    """Residents of the community under no order, not the portal's demo resident."""
    people = Person.objects.filter(under("region_path", community.path)).exclude(
        Exists(Order.objects.filter(person=OuterRef("pk")))
    )
    spared = demo_resident()
    if spared is not None:
        people = people.exclude(pk=spared.pk)
    return list(people.order_by("id")[:count])


def _proposed(officer, person, kind: str = "close_contact", now=None) -> Order:
    fact = health.record_fact(
        actor=officer,
        source="demo",
        person=person,
        kind=kind,
        occurred_at=now - datetime.timedelta(hours=2),
        details={"area": "上海市浦东新区"} if kind == "arrival_from_risk_area" else None,
    )
    proposals.propose([fact], actor=officer)
    return Order.objects.select_related("person").get(reason_fact=fact)


def _aged(order: Order, days: float, now) -> Order:
    start = now - days * DAY
    Order.objects.filter(pk=order.pk).update(
        started_at=start, planned_end_at=start + order.term_days * DAY
    )
    order.refresh_from_db()
    return order


def _planned_end(order: Order) -> datetime.datetime:
    assert order.planned_end_at is not None  # set by _aged
    return order.planned_end_at


def _tested(officer, order: Order, days) -> None:
    for day in days:
        health.record_fact(
            actor=officer,
            source="demo",
            person=order.person,
            kind="test_result",
            outcome="negative",
            variant="single",
            occurred_at=order.started_at + (day - 1) * DAY + datetime.timedelta(hours=3),
        )


def _orders(officer, community, made: list[Site], now) -> None:
    people = _people(community, 12)
    if len(people) < 12:
        return
    hotel = made[0]
    kinds = ["close_contact", "close_contact", "arrival_from_risk_area"]
    for person, kind in zip(people[:3], kinds, strict=True):
        _proposed(officer, person, kind, now)
    services.start_transfer(actor=officer, orders=[_proposed(officer, people[3], now=now)])
    running = [_proposed(officer, person, now=now) for person in people[4:10]]
    services.place(actor=officer, orders=running[:5], site=hotel)
    services.start_at_home(
        actor=officer, orders=[_proposed(officer, people[10], "secondary_contact", now)]
    )
    ready, overdue, extended, released, hospital = running[:5]
    ready = _aged(ready, ready.term_days + 0.2, now)
    _tested(officer, ready, ready.test_days)
    overdue = _aged(overdue, overdue.term_days + 0.5, now)
    _tested(officer, overdue, overdue.test_days[:-1])
    # The last test day ends on an invalid result: the demo city's own screening results fall
    # at times of day of their own, and one could cover a day left untested.
    health.record_fact(
        actor=officer,
        source="demo",
        person=overdue.person,
        kind="test_result",
        outcome="invalid",
        variant="single",
        occurred_at=_planned_end(overdue) - datetime.timedelta(microseconds=1),
    )
    extended = _aged(extended, extended.term_days - 0.5, now)
    services.extend(
        actor=officer,
        order=extended,
        until=now + 2.5 * DAY,
        reason="第 5 天检测结果无效，延长观察",
    )
    released = _aged(released, released.term_days + 0.1, now)
    _tested(officer, released, released.test_days)
    services.release(actor=officer, orders=[released])
    services.move_to_hospital(actor=officer, order=hospital, reason="第 3 天核酸阳性，转定点医院")
    services.cancel(actor=officer, order=running[5], reason="流调复核：非密切接触者，撤销")
    _proposed(officer, people[11], "recovered", now)


def _transfers(officer, community, now) -> None:
    """A planned batch and one under way to the hotel, both driven by the demo driver."""
    driver = User.objects.filter(username=DRIVER).first()
    hotel = Site.objects.filter(region=community, name=SITES[0][0]).first()
    people = _people(community, 3)
    if driver is None or hotel is None or len(people) < 3:
        return
    orders = [_proposed(officer, person, now=now) for person in people]

    def batch(vehicle: str, chosen: list[Order], hours: float):
        return transfer.create_batch(
            actor=officer,
            region=community,
            vehicle=vehicle,
            driver=driver,
            orders=chosen,
            planned_at=now + datetime.timedelta(hours=hours),
            site=hotel,
        )

    batch("闽A·D2301", orders[:1], 2)
    moving = batch("闽A·D2302", orders[1:], -0.5)
    transfer.depart(actor=driver, batch=moving)
    transfer.pick_up(actor=driver, batch=moving, passenger=moving.passengers.order_by("pk")[0])
