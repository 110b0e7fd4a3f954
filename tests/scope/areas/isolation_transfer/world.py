"""Transfer in each side of the scope world: a site of the community, the side's driver, and
four new persons waiting to be placed: one spare, one in a planned batch, one waiting in a
batch under way and one picked up in another, ready to arrive."""

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.health import services as health
from fangyi.isolation import proposals, sites
from fangyi.isolation.area import DRIVER
from fangyi.isolation.models import Order
from fangyi.isolation.transfer import services
from tests.factories import HouseholdFactory, PersonFactory

ROLES = {DRIVER: "street"}


def _to_place(admin, side, room: str) -> Order:
    person = PersonFactory(household=HouseholdFactory(building=side.building, room=room))
    fact = health.record_fact(
        actor=admin,
        source="manual",
        person=person,
        kind="close_contact",
        occurred_at=timezone.now(),
    )
    # The world is built in one transaction: the commit's signal never comes.
    proposals.propose([fact])
    return Order.objects.select_related("person").get(reason_fact=fact)


def _batch(admin, side, driver, order):
    return services.create_batch(
        actor=admin,
        region=side.community,
        vehicle=f"闽A{side.city.code}",
        driver=driver,
        orders=[order],
        planned_at=timezone.now(),
        site=side.tr_site,
    )


def objects(side, users) -> None:
    admin, driver = users[p.ADMIN], users[DRIVER]
    side.tr_driver = driver
    side.tr_site = sites.create_site(
        actor=admin,
        name=f"{side.city.name}转运隔离点",
        address="江滨路 9 号",
        region=side.community,
    )
    sites.add_rooms(actor=admin, site=side.tr_site, numbers="201-202", capacity=2)
    side.tr_spare = _to_place(admin, side, "901")
    side.tr_planned = _batch(admin, side, driver, _to_place(admin, side, "902"))
    side.tr_moving = _batch(admin, side, driver, _to_place(admin, side, "903"))
    services.depart(actor=driver, batch=side.tr_moving)
    side.tr_moving_passenger = side.tr_moving.passengers.get()
    side.tr_arriving = _batch(admin, side, driver, _to_place(admin, side, "904"))
    services.depart(actor=driver, batch=side.tr_arriving)
    services.pick_up(
        actor=driver, batch=side.tr_arriving, passenger=side.tr_arriving.passengers.get()
    )
