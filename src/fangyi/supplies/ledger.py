"""The daily costs of supplies as a ledger to export (物资费用日汇总): one row per community
and day, with the requests made and their cost by how it is paid.

Export only: the amounts are written on the requests themselves, nothing comes back through a
file. The region is the export's own; `days` says how far back it reaches (today included).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangyi.core.permissions import EXPORT
from fangyi.ledgers.registry import ERROR, Column, Ledger, Row, register

from . import services
from .area import SUPPLY_REQUEST

EXPORT_ONLY = gettext_lazy("物资费用日汇总只能导出，不能导入。")
DAYS = {
    "7": gettext_lazy("最近 7 天"),
    "30": gettext_lazy("最近 30 天"),
    "90": gettext_lazy("最近 90 天"),
}
DEFAULT_DAYS = "30"


@register
class CostsLedger(Ledger):
    slug = "supplies-costs"
    title = gettext_lazy("物资费用日汇总")
    resource = SUPPLY_REQUEST
    export_action = EXPORT
    export_filters = {"days": DAYS}
    importable = False
    columns = [
        Column("day", "日期"),
        Column("community_code", "社区代码"),
        Column("community", "社区"),
        Column("requests", "需求数"),
        Column("amount", "金额"),
        Column("paid", "已支付"),
        Column("to_pay", "待支付"),
        Column("subsidised", "困难群众补助"),
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
        until = timezone.localdate()
        since = until - datetime.timedelta(days=int(filters.get("days") or DEFAULT_DAYS) - 1)
        for total in services.daily_totals(
            self.actor, since=since, until=until, within=region.path, action=EXPORT
        ):
            yield [
                total.day.isoformat(),
                total.community,
                total.community_name,
                total.requests,
                str(total.amount),
                str(total.paid),
                str(total.to_pay),
                str(total.subsidised),
            ]
