"""The briefing's problem list is the hotline's: the day's items with their ticket counts, and
the day before's with their outcomes and how many were fixed."""

import datetime

from django.utils import timezone

from fangyi.command.briefings import services
from fangyi.command.briefings.problems import problems_of
from fangyi.hotline.models import Outcome, ProblemItem, ProblemKind, ProblemList

from .support import docx_rows, docx_text, pdf_text, yesterday


def problem_list(region, day: datetime.date, items: list[tuple[str, int, str]]) -> None:
    now = timezone.now()
    made = ProblemList.objects.create(
        region=region, region_path=region.path, day=day, since=now, made_at=now
    )
    for title, count, outcome in items:
        ProblemItem.objects.create(
            problem_list=made,
            kind=ProblemKind.CATEGORY,
            key=title,
            title=title,
            count=count,
            outcome=outcome,
        )


def test_the_days_items_and_the_day_befores_outcomes(city, commander):
    day = yesterday()
    problem_list(
        city.city,
        day - datetime.timedelta(days=1),
        [("小区门口积水", 3, Outcome.FIXED), ("快递无法进小区", 5, Outcome.NOT_FIXED)],
    )
    problem_list(
        city.city, day, [("药品配送慢", 2, Outcome.PENDING), ("核酸排队久", 7, Outcome.PENDING)]
    )

    problems = problems_of(city.city, day)
    assert [(line.title, line.count) for line in problems.today] == [
        ("核酸排队久", 7),
        ("药品配送慢", 2),
    ]
    assert [(line.title, line.fixed) for line in problems.yesterday] == [
        ("快递无法进小区", False),
        ("小区门口积水", True),
    ]
    assert problems.yesterday_fixed == 1

    briefing = services.generate(actor=commander, region=city.city, day=day)
    text = pdf_text(bytes(briefing.pdf))
    assert "核酸排队久 7" in text and "当日无问题清单。" not in text
    assert "前一日问题 2 项，已解决 1 项。" in text
    rows = docx_rows(bytes(briefing.docx))
    assert ["核酸排队久", "7"] in rows and ["小区门口积水", "已解决"] in rows
    assert "前一日问题 2 项，已解决 1 项。" in docx_text(bytes(briefing.docx))
