"""The hotline's problem lists (问题清单), read for the briefing.

The problem lists are models of the hotline's `problems` part, built on another branch; until
it is merged there is no such model and the briefing says the list is not available. Read
through the app registry so that this module works before and after the merge unchanged.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps

from fangyi.regions.models import Region


@dataclass(frozen=True)
class ProblemLine:
    title: str
    count: int
    # The outcome's label (fixed, not fixed, awaiting feedback) and whether it was fixed.
    outcome: str
    fixed: bool


@dataclass(frozen=True)
class Problems:
    today: list[ProblemLine]
    yesterday: list[ProblemLine]

    @property
    def yesterday_fixed(self) -> int:
        return sum(1 for line in self.yesterday if line.fixed)


def _model(name: str):
    try:
        return apps.get_model("hotline", name)
    except LookupError:
        return None


def _lines(model, region: Region, day: datetime.date) -> list[ProblemLine]:
    items = model.objects.filter(problem_list__region=region, problem_list__day=day).order_by(
        "-count", "title"
    )
    return [
        ProblemLine(
            title=item.title,
            count=item.count,
            outcome=str(item.get_outcome_display()),
            fixed=item.outcome == "fixed",
        )
        for item in items
    ]


def problems_of(region: Region, day: datetime.date) -> Problems | None:
    """The region's problem list of `day` and the day before's with their outcomes; None
    where the hotline's problem lists are not installed."""
    model = _model("ProblemItem")
    if model is None:
        return None
    return Problems(
        today=_lines(model, region, day),
        yesterday=_lines(model, region, day - datetime.timedelta(days=1)),
    )
