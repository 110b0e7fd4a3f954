"""Notices in each side of the scope world: a draft and a published notice (asking for
confirmation) for the side's grid, kept by its street, and a household of its own (room 2301)
not reached yet, for "told in person"."""

from fangyi.core import permissions as p
from fangyi.notices import services
from tests.factories import HouseholdFactory, PersonFactory


def objects(side, users) -> None:
    admin = users[p.ADMIN]
    side.notice_draft = services.create_notice(
        actor=admin, title=f"{side.grid.name}草稿", body="正文", regions=[side.grid]
    )
    published = services.create_notice(
        actor=admin,
        title=f"{side.grid.name}核酸通知",
        body="周六上午采样",
        regions=[side.grid],
        ask_confirm=True,
    )
    side.notice_published = services.publish_notice(actor=admin, notice=published)
    side.notice_household = HouseholdFactory(building=side.building, room="2301")
    PersonFactory(household=side.notice_household, phone="")
