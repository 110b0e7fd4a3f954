"""The 12345 hotline (issue 17): every call a ticket, dispatched to a handling unit, worked
within the limit of its category on the official working-time calendar, escalated when late,
called back, and linked to the work it asks for (a supply request, a health-code appeal, a
field-work task)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Periodic, Urls, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    REVEAL,
    VIEW,
    Role,
)

# 接线员: takes calls, dispatches tickets, calls callers back; sees every ticket of the
# regions they answer for, psychological-help ones included.
OPERATOR = "operator"

# Tickets. The matrix says where a role may act; `TicketQuerySet.restrict` narrows that to
# the tickets of the handling units the user belongs to, except for operators (all) and the
# command centre (all but the confidential ones).
TICKET = "hotline_ticket"
# Categories, handling units, routing rules and the calendar's days entered by hand.
HOTLINE_SETUP = "hotline_setup"

_SEE = frozenset({VIEW})

# The hotline's links sit in the command centre's menu group (指挥调度: command and dispatch),
# named by its key: nothing imports the command area, which reads this one.
HOTLINE_GROUP = "command"

HOTLINE_AREA = register(
    Area(
        name="hotline",
        roles=(Role(OPERATOR, _("接线员"), 94),),
        grants={
            TICKET: {
                ADMIN: ALL,
                OPERATOR: frozenset({VIEW, ADD, CHANGE, REVEAL}),
                # 督办: the command centre follows up late tickets and writes notes on them.
                COMMANDER: frozenset({VIEW, CHANGE}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                # Grid staff take requests in on their rounds and work their team's tickets.
                GRID_LEADER: frozenset({VIEW, ADD, CHANGE}),
                GRID_WORKER: frozenset({VIEW, ADD, CHANGE}),
            },
            HOTLINE_SETUP: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, ADD, CHANGE}),
                OFFICER: _SEE,
                OPERATOR: _SEE,
            },
        },
        nav=(
            NavLink(
                _("热线待办"), "hotline:inbox", ((TICKET, VIEW),), group=HOTLINE_GROUP, order=10
            ),
            NavLink(_("督办"), "hotline:overdue", ((TICKET, VIEW),), group=HOTLINE_GROUP, order=20),
            NavLink(
                _("待回访"), "hotline:callbacks", ((TICKET, ADD),), group=HOTLINE_GROUP, order=30
            ),
        ),
        cards=(
            Card(
                key="hotline-waiting",
                title=_("本单位待办工单"),
                empty=_("本单位没有待办工单。"),
                url_name="hotline:inbox",
                roles=frozenset({OFFICER, GRID_LEADER, GRID_WORKER}),
                shown_to=(TICKET, CHANGE),
                compute="fangyi.hotline.home.waiting_for_my_units",
                order=55,
            ),
            Card(
                key="hotline-overdue",
                title=_("超时未办结的热线工单"),
                empty=_("没有超时的热线工单。"),
                url_name="hotline:overdue",
                roles=frozenset({ADMIN, COMMANDER}),
                shown_to=(TICKET, VIEW),
                compute="fangyi.hotline.home.overdue",
                order=56,
            ),
            Card(
                key="hotline-callbacks",
                title=_("待回访"),
                empty=_("没有待回访的工单。"),
                url_name="hotline:callbacks",
                roles=frozenset({OPERATOR}),
                shown_to=(TICKET, ADD),
                compute="fangyi.hotline.home.callbacks_due",
                order=57,
            ),
        ),
        urls=(Urls("hotline/", "fangyi.hotline.urls"),),
        api=(ApiRouter("/hotline", "fangyi.hotline.api.router"),),
        periodic=(
            # 80 % of a 30-minute limit is 24 minutes: a minute late is as late as it gets.
            Periodic(
                "hotline.escalate",
                every=timedelta(minutes=1),
                task="fangyi.hotline.tasks.escalate_due_task",
            ),
        ),
    )
)

# Open311, the day's problem list, the setup pages and the residents' side add their
# declarations to the hotline's (after the constants above, which they import).
from .open311.area import with_open311  # noqa: E402
from .problems.area import with_problem_lists  # noqa: E402
from .residents.area import with_residents  # noqa: E402
from .setup.area import with_setup  # noqa: E402

register(with_residents(with_setup(with_problem_lists(with_open311(HOTLINE_AREA)))))
