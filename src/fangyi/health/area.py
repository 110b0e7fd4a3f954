"""Health status: facts about persons, zones, the policy in force, appeals and manual colour
decisions; the 健康状态 menu and the officers' cards."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangyi.core.areas import ApiRouter, Area, Card, NavGroup, NavLink, Periodic, Urls, register
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

FACT, ZONE, POLICY, APPEAL, DECISION = "fact", "zone", "policy", "appeal", "decision"
HEALTH_GROUP = "health"

_VIEW = frozenset({VIEW})
_VIEW_ADD = frozenset({VIEW, ADD})
_VIEW_ADD_CHANGE = frozenset({VIEW, ADD, CHANGE})

register(
    Area(
        name="health",
        grants={
            FACT: {
                ADMIN: ALL,
                COMMANDER: _VIEW_ADD,
                OFFICER: _VIEW_ADD,
                GRID_LEADER: _VIEW_ADD,
                GRID_WORKER: _VIEW_ADD,
            },
            ZONE: {
                ADMIN: ALL,
                COMMANDER: _VIEW_ADD_CHANGE,
                OFFICER: _VIEW_ADD_CHANGE,
                GRID_LEADER: _VIEW,
                GRID_WORKER: _VIEW,
            },
            POLICY: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, CHANGE}),
                OFFICER: _VIEW,
                GRID_LEADER: _VIEW,
                GRID_WORKER: _VIEW,
            },
            APPEAL: {
                ADMIN: ALL,
                COMMANDER: _VIEW_ADD_CHANGE,
                OFFICER: _VIEW_ADD_CHANGE,
                GRID_LEADER: _VIEW_ADD,
                GRID_WORKER: _VIEW_ADD,
            },
            DECISION: {
                ADMIN: ALL,
                COMMANDER: _VIEW_ADD_CHANGE,
                OFFICER: _VIEW_ADD_CHANGE,
                GRID_LEADER: _VIEW,
            },
        },
        groups=(NavGroup(HEALTH_GROUP, pgettext_lazy("navigation", "健康状态"), 40),),
        nav=(
            NavLink(
                _("管控区域"), "health:zone-list", ((ZONE, VIEW),), group=HEALTH_GROUP, order=10
            ),
            NavLink(
                _("申诉"), "health:appeal-list", ((APPEAL, VIEW),), group=HEALTH_GROUP, order=20
            ),
            NavLink(
                _("人工判定"),
                "health:decision-list",
                ((DECISION, VIEW),),
                group=HEALTH_GROUP,
                order=30,
            ),
            NavLink(
                _("防控方案"), "health:policy-list", ((POLICY, VIEW),), group=HEALTH_GROUP, order=40
            ),
        ),
        cards=(
            Card(
                key="appeals",
                title=_("待处理申诉"),
                empty=_("没有待处理的申诉。"),
                url_name="health:appeal-list",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(APPEAL, CHANGE),
                compute="fangyi.health.home.open_appeals",
                order=10,
            ),
            Card(
                key="decisions",
                title=_("待审批的人工判定"),
                empty=_("没有待审批的人工判定。"),
                url_name="health:decision-list",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(DECISION, CHANGE),
                compute="fangyi.health.home.decisions_to_approve",
                order=20,
            ),
            Card(
                key="zones",
                title=_("可解除的管控区域"),
                empty=_("没有达到解除条件的管控区域。"),
                url_name="health:zone-list",
                roles=frozenset({ADMIN, COMMANDER, OFFICER}),
                shown_to=(ZONE, CHANGE),
                compute="fangyi.health.home.zones_to_lift",
                order=30,
            ),
        ),
        urls=(Urls("health/", "fangyi.health.urls"),),
        api=(
            ApiRouter("/persons", "fangyi.health.api.persons_router"),
            ApiRouter("/health", "fangyi.health.api.router"),
            ApiRouter("/zones", "fangyi.health.api.zones_router"),
        ),
        # Colours whose period ended turn at the next minute, not at the next page view.
        periodic=(
            Periodic(
                "health.recompute-due",
                every=timedelta(minutes=1),
                task="fangyi.health.tasks.recompute_due_task",
            ),
        ),
    )
)
