"""The hotline pages' part of the scope world: the community's team, whose members are the
side's grid worker, grid leader and officer; a food ticket past its limit in its inbox, and a
resolved one waiting for its callback, one accepted (to reply to and resolve), and the
district's rule that sends food to the community's team."""

import datetime

from fangyi.core import permissions as p
from fangyi.hotline import services
from fangyi.hotline.models import Category, PlaceLevel, State
from tests.hotline import pages_support


def objects(side, users) -> None:
    side.hl_unit = pages_support.unit(
        side.community,
        code=f"team-{side.community.code}",
        name=f"{side.community.name}专班",
        members=[users[p.GRID_WORKER], users[p.GRID_LEADER], users[p.OFFICER]],
    )
    side.hl_ticket = pages_support.ticket(
        region=side.building,
        handled_by=side.hl_unit,
        due_in=-datetime.timedelta(hours=1),
        received_ago=datetime.timedelta(hours=5),
        caller=side.person,
        caller_phone=side.person.phone,
    )
    side.hl_resolved = pages_support.ticket(
        region=side.building, state=State.RESOLVED, handled_by=side.hl_unit
    )
    side.hl_callback = pages_support.pending_callback(side.hl_resolved)
    side.hl_accepted = pages_support.ticket(
        region=side.building, state=State.ACCEPTED, handled_by=side.hl_unit, category="utilities"
    )
    # Food in the district goes to the community's team: what "dispatch by the rules" finds.
    services.create_rule(
        actor=users[p.ADMIN],
        region=side.district,
        category=Category.objects.get(code="food"),
        place_level=PlaceLevel.COMMUNITY,
    )
