"""The residents' side: the relatives they look after, once a grid worker confirms."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Periodic, Urls, register
from fangyi.core.permissions import (
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    VIEW,
)
from fangyi.health.area import HEALTH_GROUP

# A resident looking after a relative: requests a grid worker confirms (change).
GUARDIANSHIP = "guardianship"

_CONFIRM = frozenset({VIEW, CHANGE})

register(
    Area(
        name="portal",
        grants={
            GUARDIANSHIP: {
                ADMIN: ALL,
                COMMANDER: _CONFIRM,
                OFFICER: _CONFIRM,
                GRID_LEADER: _CONFIRM,
                GRID_WORKER: _CONFIRM,
            },
        },
        nav=(
            NavLink(
                _("照顾关系核实"),
                "portal:guardianship-queue",
                ((GUARDIANSHIP, CHANGE),),
                group=HEALTH_GROUP,
                order=50,
            ),
        ),
        cards=(
            Card(
                key="guardianships",
                title=_("待核实的照顾关系"),
                empty=_("没有待核实的照顾关系申请。"),
                url_name="portal:guardianship-queue",
                roles=frozenset({GRID_WORKER, GRID_LEADER}),
                shown_to=(GUARDIANSHIP, CHANGE),
                compute="fangyi.portal.home.guardianships_to_confirm",
                order=40,
            ),
        ),
        urls=(Urls("me/", "fangyi.portal.urls"),),
        api=(ApiRouter("/me", "fangyi.portal.api.router", order=0),),
        periodic=(
            Periodic(
                "portal.purge",
                every=timedelta(hours=1),
                task="fangyi.portal.tasks.purge_expired_task",
            ),
        ),
    )
)
