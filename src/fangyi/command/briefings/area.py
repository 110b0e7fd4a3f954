"""What the morning briefings add to the command area's declarations: who reads and makes
them, their pages, API and the morning job. Kept here, so that the command area's area.py
stays as its figures need it."""

import dataclasses
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, NavLink, Periodic, Urls
from fangyi.core.permissions import ADD, ADMIN, CHANGE, COMMANDER, VIEW

from ..area import COMMAND_GROUP

BRIEFINGS = "command_briefings"
BRIEFING_TEMPLATE = "command_briefing_template"


def with_briefings(area: Area) -> Area:
    return dataclasses.replace(
        area,
        grants={
            **area.grants,
            BRIEFINGS: {ADMIN: frozenset({VIEW, ADD}), COMMANDER: frozenset({VIEW, ADD})},
            BRIEFING_TEMPLATE: {ADMIN: frozenset({VIEW, CHANGE})},
        },
        nav=(
            *area.nav,
            NavLink(
                _("每日简报"),
                "command_briefings:list",
                ((BRIEFINGS, VIEW),),
                group=COMMAND_GROUP,
                order=20,
            ),
        ),
        urls=(*area.urls, Urls("command/briefings/", "fangyi.command.briefings.urls")),
        api=(*area.api, ApiRouter("/command/briefings", "fangyi.command.briefings.api.router")),
        periodic=(
            *area.periodic,
            # Looks every quarter of an hour whether the configured hour has come; a region's
            # briefing of a day is made once, so later runs of the day find nothing to do.
            Periodic(
                "command.briefings",
                every=timedelta(minutes=15),
                task="fangyi.command.briefings.tasks.morning_briefings_task",
            ),
        ),
    )
