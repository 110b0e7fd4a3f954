"""Mass screening: campaigns with their rounds and sites, samples taken, tubes at the lab; the
核酸筛查 menu, the tubes card, and the sampling and lab screens as starting screens."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangyi.core.areas import (
    ApiRouter,
    Area,
    Card,
    NavGroup,
    NavLink,
    Periodic,
    Urls,
    WorkScreen,
    register,
)
from fangyi.core.permissions import (
    ADD,
    ADMIN,
    ALL,
    CHANGE,
    COMMANDER,
    GRID_LEADER,
    GRID_WORKER,
    LAB,
    OFFICER,
    SAMPLER,
    VIEW,
)

CAMPAIGN, SAMPLE, LAB_TUBE = "campaign", "sample", "lab_tube"
SCREENING_GROUP = "screening"

_VIEW = frozenset({VIEW})

register(
    Area(
        name="screening",
        grants={
            CAMPAIGN: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, ADD, CHANGE}),
                OFFICER: frozenset({VIEW, ADD, CHANGE}),
                GRID_LEADER: _VIEW,
                GRID_WORKER: _VIEW,
                SAMPLER: _VIEW,
            },
            SAMPLE: {
                ADMIN: ALL,
                COMMANDER: _VIEW,
                OFFICER: _VIEW,
                GRID_LEADER: _VIEW,
                GRID_WORKER: _VIEW,
                SAMPLER: frozenset({VIEW, ADD}),
            },
            LAB_TUBE: {
                ADMIN: ALL,
                COMMANDER: _VIEW,
                OFFICER: _VIEW,
                LAB: frozenset({VIEW, ADD, CHANGE}),
            },
        },
        groups=(NavGroup(SCREENING_GROUP, pgettext_lazy("navigation", "核酸筛查"), 60),),
        nav=(
            NavLink(
                _("筛查活动"),
                "screening:campaign-list",
                ((CAMPAIGN, VIEW),),
                group=SCREENING_GROUP,
                order=10,
            ),
            NavLink(
                _("采样"), "screening:sampling", ((SAMPLE, ADD),), group=SCREENING_GROUP, order=20
            ),
            NavLink(
                _("实验室"), "screening:lab", ((LAB_TUBE, CHANGE),), group=SCREENING_GROUP, order=30
            ),
        ),
        cards=(
            Card(
                key="tubes-awaiting-results",
                title=_("待出结果的试管"),
                empty=_("近 3 天采集的试管都已出结果。"),
                url_name="screening:lab",
                roles=frozenset({ADMIN, COMMANDER, OFFICER, LAB}),
                shown_to=(LAB_TUBE, VIEW),
                compute="fangyi.screening.home.tubes_awaiting_results",
                order=70,
            ),
        ),
        work_screens=(
            WorkScreen(SAMPLER, url_name="screening:sampling"),
            WorkScreen(LAB, url_name="screening:lab"),
        ),
        urls=(Urls("screening/", "fangyi.screening.urls"),),
        api=(ApiRouter("/screening", "fangyi.screening.api.router"),),
        # Residents of a running round who cannot come to a site get a home visit; each sweep
        # adds only those newly missing.
        periodic=(
            Periodic(
                "screening.home-tasks",
                every=timedelta(minutes=10),
                task="fangyi.screening.tasks.home_tasks_for_running_rounds_task",
            ),
        ),
    )
)
