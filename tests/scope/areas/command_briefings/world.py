"""The briefings' part of the scope world: in each side, the city's briefing of yesterday,
made by the side's admin."""

import datetime

from fangyi.command import services as command
from fangyi.command.briefings import services
from fangyi.core import permissions as p


def objects(side, users) -> None:
    yesterday = command.today() - datetime.timedelta(days=1)
    side.briefing = services.generate(actor=users[p.ADMIN], region=side.city, day=yesterday)
