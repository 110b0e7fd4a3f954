"""Supplies: the catalogue and households' requests for goods, medicines and daily help."""

import datetime

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Card, NavGroup, NavLink, Periodic, Urls, register
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
        groups=(NavGroup("supplies", _("物资保供"), order=55),),
        nav=(
            NavLink(
                _("需求看板"),
                "supplies:board",
                ((SUPPLY_REQUEST, VIEW),),
                group="supplies",
                order=10,
            ),
            NavLink(
                _("本网格需求"),
                "supplies:grid",
                ((SUPPLY_REQUEST, CHANGE),),
                group="supplies",
                order=20,
            ),
            NavLink(
                _("代报需求"), "supplies:new", ((SUPPLY_REQUEST, ADD),), group="supplies", order=30
            ),
            NavLink(
                _("物资目录"),
                "supplies:catalogue",
                ((CATALOGUE, VIEW),),
                group="supplies",
                order=40,
            ),
            NavLink(
                _("配送批次"),
                "supplies_cycle:list",
                ((SUPPLY_REQUEST, VIEW),),
                group="supplies",
                order=45,
            ),
            NavLink(
                _("费用汇总"),
                "supplies:totals",
                ((SUPPLY_REQUEST, EXPORT),),
                group="supplies",
                order=50,
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
