"""Field work: tasks for grid teams and volunteers (home sampling, visits, deliveries)."""

import datetime

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
    VIEW,
    VOLUNTEER,
)

TASK = "task"

_ASSIGN = frozenset({VIEW, ADD, CHANGE})
# Workers and volunteers see and do the tasks given to them (fieldwork.models narrows it).
_DO = frozenset({VIEW, CHANGE})

register(
    Area(
        name="fieldwork",
        grants={
            TASK: {
                ADMIN: ALL,
                COMMANDER: _ASSIGN,
                OFFICER: _ASSIGN,
                GRID_LEADER: _ASSIGN,
                GRID_WORKER: _DO,
                VOLUNTEER: _DO,
            },
        },
        nav=(
            NavLink(_("任务"), "fieldwork:list", ((TASK, ADD),), order=50),
            NavLink(_("我的任务"), "fieldwork:mine", ((TASK, VIEW),), unless=(TASK, ADD), order=50),
            NavLink(
                _("我的配送"), "fieldwork:deliveries", ((TASK, VIEW),), unless=(TASK, ADD), order=51
            ),
        ),
        cards=(
            Card(
                key="tasks-to-assign",
                title=_("待分派任务"),
                empty=_("没有待分派的任务。"),
                url_name="fieldwork:list",
                roles=frozenset({ADMIN, COMMANDER, OFFICER, GRID_LEADER}),
                shown_to=(TASK, ADD),
                compute="fangyi.fieldwork.home.tasks_to_assign",
                order=50,
            ),
            Card(
                key="my-tasks",
                title=_("我的任务"),
                empty=_("没有待办的任务。"),
                url_name="fieldwork:mine",
                roles=frozenset({GRID_WORKER, VOLUNTEER}),
                shown_to=(TASK, VIEW),
                compute="fangyi.fieldwork.home.my_tasks",
                order=50,
            ),
        ),
        urls=(Urls("tasks/", "fangyi.fieldwork.urls"),),
        api=(ApiRouter("/tasks", "fangyi.fieldwork.api.router"),),
        periodic=(
            # Claims go back to the pool after 2 hours unmoved; five minutes late at most.
            Periodic(
                "fieldwork.release-stale-claims",
                every=datetime.timedelta(minutes=5),
                task="fangyi.fieldwork.tasks.release_stale_claims_task",
            ),
        ),
    )
)
