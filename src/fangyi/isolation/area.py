"""Isolation: quarantine sites, isolation orders, daily check-ins and transfers."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Periodic, Urls, WorkScreen, register
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
    Role,
)

ORDER = "isolation_order"
SITE = "isolation_site"
TRANSFER = "transfer"

# Staff of a centralised quarantine site: they check people in and out of rooms and take
# their temperatures, in the site's region.
SITE_STAFF = "site_staff"

_MANAGE = frozenset({VIEW, ADD, CHANGE})
_WORK = frozenset({VIEW, CHANGE})
_SEE = frozenset({VIEW})

register(
    Area(
        name="isolation",
        roles=(Role(SITE_STAFF, _("隔离点工作人员"), 75),),
        grants={
            ORDER: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: _MANAGE,
                GRID_LEADER: _WORK,
                GRID_WORKER: _WORK,
                SITE_STAFF: _WORK,
            },
            SITE: {ADMIN: ALL, COMMANDER: _SEE, OFFICER: _MANAGE, SITE_STAFF: _WORK},
            TRANSFER: {ADMIN: ALL, COMMANDER: _SEE, OFFICER: _MANAGE, SITE_STAFF: _SEE},
        },
        nav=(
            # Daily follow-up
            NavLink(_("健康打卡"), "followup:sheet", ((ORDER, CHANGE),), order=46),
            NavLink(_("发热预警"), "followup:alerts", ((ORDER, VIEW),), order=47),
        ),
        # Daily follow-up: site staff start at their site's phone sheet.
        work_screens=(WorkScreen(SITE_STAFF, url_name="followup:sheet"),),
        cards=(
            # Daily follow-up
            Card(
                key="fever-alerts",
                title=_("发热预警"),
                empty=_("没有待处理的发热预警。"),
                url_name="followup:alerts",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(ORDER, VIEW),
                compute="fangyi.isolation.followup.home.fever_alerts",
                order=20,
            ),
            Card(
                key="missed-check-ins",
                title=_("今日未打卡"),
                empty=_("今天没有漏报健康打卡的隔离人员。"),
                url_name="followup:missed",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(ORDER, VIEW),
                compute="fangyi.isolation.followup.home.missed_today",
                order=21,
            ),
        ),
        urls=(
            # Daily follow-up: before "isolation/", whose patterns might take "check-ins/".
            Urls("isolation/check-ins/", "fangyi.isolation.followup.urls"),
            Urls("isolation/", "fangyi.isolation.urls"),
        ),
        api=(
            ApiRouter("/isolation", "fangyi.isolation.api.router"),
            # Daily follow-up: mounted before "/isolation", whose "/{id}" might take "check-ins".
            ApiRouter("/isolation/check-ins", "fangyi.isolation.followup.api.router", order=90),
            ApiRouter("/me/check-ins", "fangyi.isolation.followup.api.resident_router", order=90),
        ),
        periodic=(
            # Daily follow-up: today's test tasks and the missed check-ins of the day.
            Periodic(
                "isolation.follow-up",
                every=timedelta(minutes=15),
                task="fangyi.isolation.followup.tasks.daily_sweep_task",
            ),
        ),
    )
)
