"""What core brings to the registry: today's roles, the audit log, the home link and the
"管理" menu that other areas' administrative pages join."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from .areas import ApiRouter, Area, NavGroup, NavLink, Periodic, Urls, register
from .permissions import (
    ADMIN,
    ALL,
    AUDIT,
    CHECKPOINT,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    LAB,
    OFFICER,
    SAMPLER,
    VIEW,
    VOLUNTEER,
    Role,
)

MANAGE_GROUP = "manage"

register(
    Area(
        name="core",
        roles=(
            Role(ADMIN, _("系统管理员"), 10),
            Role(COMMANDER, _("指挥部"), 20),
            Role(OFFICER, _("街道/社区干部"), 30),
            Role(GRID_LEADER, _("网格长"), 40),
            Role(GRID_WORKER, _("网格员"), 50),
            Role(VOLUNTEER, _("志愿者"), 60),
            Role(CHECKPOINT, _("卡点人员"), 70),
            Role(SAMPLER, _("采样人员"), 80),
            Role(LAB, _("检测机构"), 90),
        ),
        grants={
            AUDIT: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW}),
                OFFICER: frozenset({VIEW}),
                GRID_LEADER: frozenset({VIEW}),
            },
        },
        groups=(NavGroup(MANAGE_GROUP, _("管理"), 900),),
        nav=(
            NavLink(_("首页"), "core:home", order=0),
            NavLink(
                _("审计日志"), "core:audit-log", ((AUDIT, VIEW),), group=MANAGE_GROUP, order=20
            ),
        ),
        urls=(Urls("", "fangyi.core.urls"),),
        api=(ApiRouter("/audit", "fangyi.core.api.router"),),
        periodic=(
            # A worker killed outright leaves its jobs "running"; this finds and resumes them
            # (or fails them with the reason) on every backend, whichever machine they ran on.
            Periodic(
                "core.recover-jobs",
                every=timedelta(minutes=1),
                task="fangyi.core.tasks.recover_jobs_task",
            ),
            # Rate-limit windows counted in the database (core/ratelimit.py) that have ended.
            Periodic(
                "core.purge-rate-counters",
                every=timedelta(minutes=10),
                task="fangyi.core.tasks.purge_rate_counters_task",
            ),
        ),
    )
)
