"""Checkpoints: venues and their place codes, checkpoint scans, residents' check-ins; the scan
page is where checkpoint staff start."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    CHECKPOINT,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    VIEW,
)

VENUE, SCAN, CHECKIN = "venue", "scan", "checkin"
CHECKPOINTS_GROUP = "checkpoints"

register(
    Area(
        name="checkpoints",
        grants={
            VENUE: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, ADD, CHANGE}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: frozenset({VIEW, ADD, CHANGE}),
                GRID_WORKER: frozenset({VIEW}),
                CHECKPOINT: frozenset({VIEW}),
            },
            SCAN: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW}),
                CHECKPOINT: frozenset({VIEW, ADD}),
            },
            CHECKIN: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW}),
            },
        },
        groups=(NavGroup(CHECKPOINTS_GROUP, pgettext_lazy("navigation", "卡点"), 70),),
        nav=(
            NavLink(_("扫码核验"), "checkpoints:scan", ((SCAN, ADD),), group=CHECKPOINTS_GROUP),
            NavLink(
                _("场所"),
                "checkpoints:venue-list",
                ((VENUE, VIEW),),
                group=CHECKPOINTS_GROUP,
                order=110,
            ),
        ),
        work_screens=(WorkScreen(CHECKPOINT, url_name="checkpoints:scan"),),
        urls=(Urls("checkpoints/", "fangyi.checkpoints.urls"),),
        api=(ApiRouter("/checkpoints", "fangyi.checkpoints.api.router"),),
        periodic=(
            Periodic(
                "checkpoints.purge",
                every=timedelta(hours=1),
                task="fangyi.checkpoints.tasks.purge_old_task",
            ),
        ),
    )
)
