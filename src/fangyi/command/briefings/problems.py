"""The hotline's day's problem lists (问题清单), read for the briefing."""

import datetime
from dataclasses import dataclass

from fangyi.hotline.models import Outcome, ProblemItem
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


def _lines(region: Region, day: datetime.date) -> list[ProblemLine]:
    items = ProblemItem.objects.filter(problem_list__region=region, problem_list__day=day).order_by(
        "-count", "title"
    )
    return [
        ProblemLine(
            title=item.title,
            count=item.count,
            outcome=str(item.get_outcome_display()),
            fixed=item.outcome == Outcome.FIXED,
        )
        for item in items
    ]


def problems_of(region: Region, day: datetime.date) -> Problems:
    """The region's problem list of `day` and the day before's with their outcomes."""
    return Problems(
        today=_lines(region, day),
        yesterday=_lines(region, day - datetime.timedelta(days=1)),
    )
