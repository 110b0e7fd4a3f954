"""What the day's problem list (急难愁盼清单) adds to the hotline's declarations: its
permission, pages, API and the morning job. Kept here, so that the hotline's area.py stays
as its core wrote it."""

import dataclasses
import datetime

from django.utils.translation import gettext_lazy as _

from fangyi.core.areas import ApiRouter, Area, NavLink, Periodic, Urls
from fangyi.core.permissions import ADD, ADMIN, ALL, CHANGE, COMMANDER, EXPORT, OFFICER, VIEW

from ..area import HOTLINE_GROUP, OPERATOR

# The lists and their items. Members of an item's handling unit also record its outcome,
# wherever their roles are (services.set_outcome).
PROBLEM_LIST = "hotline_problem_list"


def with_problem_lists(area: Area) -> Area:
    return dataclasses.replace(
        area,
        grants={
            **area.grants,
            PROBLEM_LIST: {
                ADMIN: ALL,
                COMMANDER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
                OFFICER: frozenset({VIEW, ADD, CHANGE, EXPORT}),
                OPERATOR: frozenset({VIEW, ADD, EXPORT}),
            },
        },
        nav=(
            *area.nav,
            NavLink(
                _("急难愁盼清单"),
                "hotline_problems:lists",
                ((PROBLEM_LIST, VIEW),),
                group=HOTLINE_GROUP,
                order=40,
            ),
        ),
        urls=(*area.urls, Urls("hotline/problems/", "fangyi.hotline.problems.urls")),
        api=(*area.api, ApiRouter("/hotline/problem-lists", "fangyi.hotline.problems.api.router")),
        periodic=(
            *area.periodic,
            # Makes the day's lists once the configured hour has passed; idempotent, so the
            # job only needs to run often enough to be on time.
            Periodic(
                "hotline.problem-lists",
                every=datetime.timedelta(minutes=15),
                task="fangyi.hotline.problems.tasks.make_problem_lists_task",
            ),
        ),
    )
