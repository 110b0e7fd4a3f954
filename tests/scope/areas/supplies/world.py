"""Supplies in each side of the scope world: a vegetable package in the community's catalogue,
a request made by staff for a new household with an infant (room 701, a priority), and a
medicine request with a prescription photo that the side's resident made on the portal."""

from decimal import Decimal

from fangyi.core import permissions as p
from fangyi.supplies import services
from tests.factories import HouseholdFactory, PersonFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    side.sup_item = services.add_item(
        actor=admin,
        region=side.community,
        kind="package",
        name=f"{side.city.name}蔬菜包",
        unit="份",
        price=Decimal("39.90"),
    )
    household = HouseholdFactory(building=side.building, room="701")
    PersonFactory(household=household, is_infant=True)
    side.sup_household = household
    side.sup_request = services.submit(
        actor=admin,
        household=household,
        draft=services.Draft(
            kind="package", items=[services.ItemInput(quantity=1, catalogue_item=side.sup_item)]
        ),
    )
    side.sup_mine = services.submit_for_resident(
        holder=side.person,
        draft=services.Draft(
            kind="medicine",
            items=[services.ItemInput(quantity=2, name="二甲双胍", unit="盒", dose="每日两次")],
            chronic_condition="糖尿病",
            prescription=services.Photo(PNG),
        ),
    )
