"""Isolation orders in each side of the scope world: a site with four rooms, an order waiting
to be placed and one running past its planned end, ready for release, each of new persons."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.health import services as health
from fangyi.isolation import proposals, services, sites
from fangyi.isolation.area import SITE_STAFF
from fangyi.isolation.models import Order
from tests.factories import HouseholdFactory, PersonFactory

ROLES = {SITE_STAFF: "street"}
DAY = datetime.timedelta(days=1)


def _proposed(admin, person) -> Order:
    fact = health.record_fact(
        actor=admin,
        source="manual",
        person=person,
        kind="close_contact",
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
    )
    # The world is built in one transaction: the commit's signal never comes.
    proposals.propose([fact])
    return Order.objects.select_related("person").get(reason_fact=fact)


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    household = HouseholdFactory(building=side.building, room="301")
    waiting_person = PersonFactory(household=household)
    running_person = PersonFactory(household=HouseholdFactory(building=side.building, room="302"))
    side.iso_site = sites.create_site(
        actor=admin, name=f"{side.city.name}隔离酒店", address="滨江路 1 号", region=side.community
    )
    sites.add_rooms(actor=admin, site=side.iso_site, numbers="101-104", capacity=2)
    side.iso_room_free = side.iso_site.rooms.get(number="104")
    side.iso_waiting = _proposed(admin, waiting_person)
    running = _proposed(admin, running_person)
    services.place(actor=admin, orders=[running], site=side.iso_site)
    start = timezone.now() - (running.term_days + 1) * DAY
    Order.objects.filter(pk=running.pk).update(
        started_at=start, planned_end_at=start + running.term_days * DAY
    )
    for day in running.test_days:
        health.record_fact(
            actor=admin,
            source="lab",
            person=running_person,
            kind="test_result",
            outcome="negative",
            variant="single",
            occurred_at=start + (day - 1) * DAY + datetime.timedelta(hours=2),
        )
    side.iso_running = Order.objects.select_related("person", "room").get(pk=running.pk)
