"""The briefings' part of the command area: who reads and makes them, their pages, API and the
morning job. Imported by the command area's area.py."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, NavLink, Periodic, Urls, register
from fangyi.core.permissions import ADD, ADMIN, CHANGE, COMMANDER, VIEW

from ..area import COMMAND_GROUP

BRIEFINGS = "command_briefings"
BRIEFING_TEMPLATE = "command_briefing_template"

register(
    Area(
        name="command_briefings",
        grants={
            BRIEFINGS: {ADMIN: frozenset({VIEW, ADD}), COMMANDER: frozenset({VIEW, ADD})},
            BRIEFING_TEMPLATE: {ADMIN: frozenset({VIEW, CHANGE})},
        },
        nav=(
            NavLink(
                _("每日简报"),
                "command_briefings:list",
                ((BRIEFINGS, VIEW),),
                group=COMMAND_GROUP,
                order=20,
            ),
        ),
        urls=(Urls("command/briefings/", "fangyi.command.briefings.urls"),),
        api=(ApiRouter("/command/briefings", "fangyi.command.briefings.api.router"),),
        periodic=(
            # Looks every quarter of an hour whether the configured hour has come; a region's
            # briefing of a day is made once, so later runs of the day find nothing to do.
            Periodic(
                "command.briefings",
                every=timedelta(minutes=15),
                task="fangyi.command.briefings.tasks.morning_briefings_task",
            ),
        ),
    )
)
