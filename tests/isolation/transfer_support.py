"""What the transfer tests share: a driver, a site, and a batch of people waiting to be placed."""

from django.utils import timezone

from fangyi.isolation.area import DRIVER
from fangyi.isolation.transfer import services
from tests.factories import staff
from tests.isolation.support_orders import proposed, site_with_rooms


def driver(region, username: str = "driver"):
    return staff(DRIVER, region, username=username)


def batch_of(actor, region, orders, *, driven_by, site=None, hospital=""):
    return services.create_batch(
        actor=actor,
        region=region,
        vehicle="闽A12345",
        driver=driven_by,
        orders=orders,
        planned_at=timezone.now(),
        site=site,
        hospital=hospital,
    )


def planned(officer, city, people, *, driven_by, site=None, hospital=""):
    """A batch from the community of `city` for `people`, each with an order to place."""
    orders = [proposed(officer, person) for person in people]
    if site is None and not hospital:
        site = site_with_rooms(officer, city.community)
    return batch_of(
        officer, city.community, orders, driven_by=driven_by, site=site, hospital=hospital
    )
