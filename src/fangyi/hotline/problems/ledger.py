"""The day's problem lists as a ledger to export (急难愁盼清单): one row per item of the lists
of the export's region, over the last days, with its outcome and the unit's note.

Export only: the lists are made from the tickets and answered on their pages.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from fangyi.core.permissions import EXPORT
from fangyi.ledgers.registry import ERROR, Column, Ledger, Row, register

from ..models import ProblemItem
from . import services
from .area import PROBLEM_LIST

EXPORT_ONLY = gettext_lazy("急难愁盼清单只能导出，不能导入。")
DAYS = {
    "1": gettext_lazy("今天"),
    "7": gettext_lazy("最近 7 天"),
    "30": gettext_lazy("最近 30 天"),
}
DEFAULT_DAYS = "7"


@register
class ProblemListLedger(Ledger):
    slug = "hotline-problems"
    title = gettext_lazy("急难愁盼清单")
    resource = PROBLEM_LIST
    export_action = EXPORT
    export_filters = {"days": DAYS}
    importable = False
    columns = [
        Column("day", "日期"),
        Column("region_code", "区域代码"),
        Column("region", "区域"),
        Column("kind", "类型"),
        Column("title", "问题"),
        Column("count", "工单数"),
        Column("ticket", "工单号"),
        Column("unit", "责任单位"),
        Column("fix_today", "当日解决"),
        Column("outcome", "办理结果"),
        Column("note", "单位说明"),
    ]

    @classmethod
    def missing_columns_message(cls, present: set[str]) -> str:
        return str(EXPORT_ONLY)

    def plan(self, rows: list[Row]) -> None:
        for row in rows:
            row.error("day", str(EXPORT_ONLY))
            row.action = ERROR

    def write(self, rows: list[Row]) -> None:
        raise ValidationError(str(EXPORT_ONLY))

    def export_rows(self, *, region, reveal: bool, filters: dict) -> Iterator[list]:
        until = services.beijing_today()
        since = until - datetime.timedelta(days=int(filters.get("days") or DEFAULT_DAYS) - 1)
        lists = (
            services.lists_for(self.actor, EXPORT)
            .filter(region_path__startswith=region.path, day__gte=since, day__lte=until)
            .values("pk")
        )
        items = (
            ProblemItem.objects.filter(problem_list__in=lists)
            .select_related("problem_list__region", "ticket", "unit")
            .order_by("-problem_list__day", "problem_list__region_path", "created_at", "id")
        )
        for item in items.iterator(chunk_size=500):
            yield [
                item.problem_list.day.isoformat(),
                item.problem_list.region.code,
                item.problem_list.region.name,
                str(item.get_kind_display()),
                item.title,
                item.count,
                item.ticket.number if item.ticket else "",
                item.unit.name if item.unit else "",
                "是" if item.fix_today else "",
                str(item.get_outcome_display()),
                item.note,
            ]
