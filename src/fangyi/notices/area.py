"""Notices to every household (通知): officers write and publish them to regions; residents
read and confirm them on the portal; those who never log in to the portal get an SMS; grid
staff see the households not reached and mark those they told in person."""

import datetime

from django.utils.translation import gettext_lazy as _

from fangyi.core.area import MANAGE_GROUP
from fangyi.core.areas import ApiRouter, Area, NavLink, Periodic, Urls, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    VIEW,
)

NOTICE = "notice"
# Reaching households: the list of those not reached, and "told in person".
NOTICE_REACH = "notice_reach"

register(
    Area(
        name="notices",
        grants={
            NOTICE: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, ADD, CHANGE}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: frozenset({VIEW}),
                GRID_WORKER: frozenset({VIEW}),
            },
            NOTICE_REACH: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW, ADD}),
                GRID_LEADER: frozenset({VIEW, ADD}),
                GRID_WORKER: frozenset({VIEW, ADD}),
            },
        },
        # In the 管理 menu: an administrator's bar has no room for another menu at 1280 px
        # in English; a grid worker, whose 管理 menu holds only this, sees it as a link.
        nav=(NavLink(_("通知"), "notices:list", ((NOTICE, VIEW),), group=MANAGE_GROUP, order=5),),
        urls=(
            Urls("notices/", "fangyi.notices.urls"),
            Urls("me/notices/", "fangyi.notices.portal_urls"),
        ),
        api=(
            ApiRouter("/notices", "fangyi.notices.api.router"),
            ApiRouter("/me/notices", "fangyi.notices.api.resident_router", order=90),
        ),
        periodic=(
            Periodic(
                "notices.send-sms",
                every=datetime.timedelta(minutes=1),
                task="fangyi.notices.tasks.send_sms_task",
            ),
        ),
    )
)
