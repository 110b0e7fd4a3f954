"""Supplies: the catalogue and households' requests for goods, medicines and daily help."""

import datetime

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Periodic, Urls, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    EXPORT,
    GRID_LEADER,
    GRID_WORKER,
    OFFICER,
    VIEW,
    VOLUNTEER,
)

SUPPLY_REQUEST = "supply_request"
CATALOGUE = "supply_catalogue"

_SEE = frozenset({VIEW})

register(
    Area(
        name="supplies",
        grants={
            SUPPLY_REQUEST: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, EXPORT}),
                OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
                GRID_LEADER: frozenset({VIEW, ADD, CHANGE}),
                GRID_WORKER: frozenset({VIEW, ADD, CHANGE}),
                # Volunteers see the requests of the grid they deliver in.
                VOLUNTEER: _SEE,
            },
            CATALOGUE: {
                ADMIN: ALL,
                COMMANDER: _SEE,
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: _SEE,
                GRID_WORKER: _SEE,
            },
        },
        # In the isolation group's menu (隔离管控: the sealed and controlled areas are whom
        # supplies serve), as an administrator's bar has no room for another menu at 1280 px.
        nav=(
            NavLink(
                _("需求看板"),
                "supplies:board",
                ((SUPPLY_REQUEST, VIEW),),
                group="isolation",
                order=110,
            ),
            NavLink(
                _("本网格需求"),
                "supplies:grid",
                ((SUPPLY_REQUEST, CHANGE),),
                group="isolation",
                order=120,
            ),
            NavLink(
                _("代报需求"),
                "supplies:new",
                ((SUPPLY_REQUEST, ADD),),
                group="isolation",
                order=130,
            ),
            NavLink(
                _("物资目录"),
                "supplies:catalogue",
                ((CATALOGUE, VIEW),),
                group="isolation",
                order=140,
            ),
            NavLink(
                _("配送批次"),
                "supplies_cycle:list",
                ((SUPPLY_REQUEST, VIEW),),
                group="isolation",
                order=145,
            ),
            NavLink(
                _("费用汇总"),
                "supplies:totals",
                ((SUPPLY_REQUEST, EXPORT),),
                group="isolation",
                order=150,
            ),
        ),
        cards=(
            Card(
                key="supplies-overdue",
                title=_("超时未办结的物资需求"),
                empty=_("没有超时的物资需求。"),
                url_name="supplies:board",
                roles=frozenset({ADMIN, COMMANDER, OFFICER, GRID_LEADER, GRID_WORKER}),
                shown_to=(SUPPLY_REQUEST, VIEW),
                compute="fangyi.supplies.home.overdue",
                order=50,
            ),
        ),
        urls=(
            # Before supplies/, whose <uuid:pk>/ would not take "batches" but is tried first.
            Urls("supplies/batches/", "fangyi.supplies.cycle.urls"),
            Urls("supplies/", "fangyi.supplies.urls"),
            Urls("me/supplies/", "fangyi.supplies.portal_urls"),
        ),
        api=(
            ApiRouter("/supplies/batches", "fangyi.supplies.cycle.api.router"),
            ApiRouter("/supplies", "fangyi.supplies.api.router"),
            ApiRouter("/me/supplies", "fangyi.supplies.api.resident_router", order=90),
        ),
        periodic=(
            # Each community's batch at its cut-off: at most five minutes after it.
            Periodic(
                "supplies.form-batches",
                every=datetime.timedelta(minutes=5),
                task="fangyi.supplies.cycle.tasks.form_due_batches_task",
            ),
        ),
    )
)
