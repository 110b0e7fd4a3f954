"""The hotline's part of the scope world: the operator answers for the side's city; the
street's team (the side's officer, grid leader and grid worker; the officer supervises) gets
every ticket by its place. In each side: a ticket waiting for dispatch, one dispatched to the
team, one the team accepted, a resolved one waiting for its callback, and an accepted one
past its limit (escalated to the command centre)."""

import datetime

from django.utils import timezone

from fangyi.core import permissions as p
from fangyi.hotline import services
from fangyi.hotline.area import OPERATOR
from fangyi.hotline.models import Callback, Category

ROLES = {OPERATOR: "city"}


def objects(side, users) -> None:
    admin, operator = users[p.ADMIN], users[OPERATOR]
    team_staff = [users[p.OFFICER], users[p.GRID_LEADER], users[p.GRID_WORKER]]
    side.hl_team = services.create_unit(
        actor=admin,
        code=f"team-{side.city.code}",
        name=f"{side.street.name}专班",
        kind="street",
        region=side.street,
        members=team_staff,
        supervisors=[users[p.OFFICER]],
    )
    side.hl_rule = services.create_rule(actor=admin, region=side.street, place_level="street")
    food = Category.objects.get(code="food")

    def take(description: str, **kwargs):
        return services.intake(
            actor=operator,
            channel="phone",
            category=food,
            region=side.building,
            description=description,
            **kwargs,
        )

    side.hl_new = take("小区门口堆满垃圾")
    side.hl_dispatched = take("家里缺米缺油", dispatch_now=True)
    side.hl_accepted = take("独居老人需要代买药", dispatch_now=True)
    services.accept(actor=users[p.OFFICER], ticket=side.hl_accepted)
    resolved = take("暖气不热", dispatch_now=True)
    services.accept(actor=users[p.OFFICER], ticket=resolved)
    services.resolve(actor=users[p.OFFICER], ticket=resolved, text="已维修")
    side.hl_callback = Callback.objects.get(ticket=resolved)
    side.hl_late = take(
        "核酸结果一直查不到",
        received_at=timezone.now() - datetime.timedelta(days=30),
        dispatch_now=True,
    )
    services.escalate_due()
    for ticket in (side.hl_new, side.hl_dispatched, side.hl_accepted, side.hl_late):
        ticket.refresh_from_db()
