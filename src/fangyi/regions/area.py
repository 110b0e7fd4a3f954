"""The region tree: its permission resource, its link, the "my regions" card, and the grid
page as the starting screen of those who work in one grid."""

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, Card, NavLink, Urls, WorkScreen, register
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
    SAMPLER,
    VIEW,
    VOLUNTEER,
)

REGION = "region"

register(
    Area(
        name="regions",
        grants={
            REGION: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: frozenset({VIEW}),
                GRID_WORKER: frozenset({VIEW}),
                VOLUNTEER: frozenset({VIEW}),
                SAMPLER: frozenset({VIEW}),
                CHECKPOINT: frozenset({VIEW}),
            },
        },
        nav=(NavLink(_("区域"), "regions:tree", ((REGION, VIEW),), order=10),),
        cards=(
            Card(
                key="regions",
                title=_("我的辖区"),
                empty=_("没有可查看的区域。"),
                url_name="regions:tree",
                roles=frozenset({ADMIN, COMMANDER, OFFICER, GRID_LEADER, GRID_WORKER}),
                shown_to=(REGION, VIEW),
                compute="fangyi.regions.home.my_regions",
                order=900,
            ),
        ),
        work_screens=tuple(
            WorkScreen(role, locate="fangyi.regions.home.own_grid")
            for role in (GRID_WORKER, GRID_LEADER, VOLUNTEER)
        ),
        urls=(Urls("regions/", "fangyi.regions.urls"),),
        api=(ApiRouter("/regions", "fangyi.regions.api.router"),),
    )
)
