"""Daily follow-up's objects in each side: a quarantine site of the grid with a room, two new
persons of a new household under running orders (one at home, one at the site), a fever
reported yesterday at the site (an open alert), and the side's resident confirmed as looking
after the one at home, so that the portal's check-in has someone to report for."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.isolation.area import SITE_STAFF
from fangyi.isolation.followup import services
from tests.factories import HouseholdFactory, PersonFactory
from tests.isolation.followup_support import (
    at,
    days_ago,
    look_after,
    quarantine_site,
    room,
    running_order,
)

# Over the street: whatever level the sites of the world are drawn at, its staff reach them.
ROLES = {SITE_STAFF: "street"}


def objects(side: SimpleNamespace, users: dict) -> None:
    household = HouseholdFactory(building=side.building, room="401")
    # Masked, the two sides' names differ: "福*家" at home, "厦*家" away.
    at_home = PersonFactory(household=household, name=f"{side.city.name[0]}居家")
    at_site = PersonFactory(household=household, name=f"{side.city.name[0]}集中")
    site = quarantine_site(side.grid, f"{side.grid.name}隔离点")
    side.followup_site = site
    side.followup_home_order = running_order(at_home, started_at=days_ago(3))
    side.followup_site_order = running_order(
        at_site, site=site, room=room(site), started_at=days_ago(3)
    )
    side.followup_dependant = at_home
    side.followup_guardianship = look_after(side.person, at_home)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    recorded = services.record(
        actor=users[p.ADMIN],
        items=[
            services.CheckInInput(
                order_id=side.followup_site_order.pk,
                temperature=services.FEVER_FROM + 1,
            )
        ],
        slot=1,
        now=at(yesterday, 10),
    )
    side.followup_alert = recorded.check_ins[0]
