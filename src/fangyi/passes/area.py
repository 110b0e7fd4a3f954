"""Couriers' passes: officers keep the whitelist (add, change); commanders and grid leaders see
it. The holder sees their own pass on the phone, as a resident; checkpoints verify it offline on
the scanning page, which needs no right of this area."""

from django.utils.translation import gettext_lazy as _

from fangyi.checkpoints.area import CHECKPOINTS_GROUP
from fangyi.core.areas import ApiRouter, Area, NavLink, Urls, register
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    GRID_LEADER,
    OFFICER,
    VIEW,
)

SUPPLY_PASS = "supply_pass"

register(
    Area(
        name="passes",
        grants={
            SUPPLY_PASS: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: frozenset({VIEW}),
            },
        },
        nav=(
            NavLink(
                _("保供通行证"),
                "passes:list",
                ((SUPPLY_PASS, VIEW),),
                group=CHECKPOINTS_GROUP,
                order=120,
            ),
        ),
        urls=(Urls("passes/", "fangyi.passes.urls"),),
        api=(ApiRouter("/passes", "fangyi.passes.api.router"),),
    )
)
