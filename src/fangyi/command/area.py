"""The command centre (指挥中心): the city's figures per region and day, their daily snapshots,
the screen and its API. Read-only: it reads every other area and nothing imports it."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import (
    ApiRouter,
    Area,
    NavGroup,
    NavLink,
    Periodic,
    Urls,
    WorkScreen,
    register,
)
from fangyi.core.permissions import ADMIN, COMMANDER, OFFICER, VIEW

FIGURES = "command_figures"
# The command centre's menu: the screen, the briefings and enterprises back at work.
COMMAND_GROUP = "command"

_SEE = frozenset({VIEW})

COMMAND_AREA = register(
    Area(
        name="command",
        grants={FIGURES: {ADMIN: _SEE, COMMANDER: _SEE, OFFICER: _SEE}},
        groups=(NavGroup(COMMAND_GROUP, _("指挥调度"), order=5),),
        nav=(
            NavLink(
                _("指挥中心"), "command:screen", ((FIGURES, VIEW),), group=COMMAND_GROUP, order=10
            ),
        ),
        work_screens=(WorkScreen(COMMANDER, url_name="command:screen"),),
        urls=(Urls("command/", "fangyi.command.urls"),),
        api=(ApiRouter("/command", "fangyi.command.api.router"),),
        periodic=(
            # Today's row is taken again every hour, so the last one of the day stands as its
            # history; a day once past is never taken again by the schedule.
            Periodic(
                "command.snapshot",
                every=timedelta(hours=1),
                task="fangyi.command.tasks.snapshot_today_task",
            ),
        ),
    )
)

# The morning briefings add their declarations to the command area's.
from .briefings.area import with_briefings  # noqa: E402

register(with_briefings(COMMAND_AREA))
