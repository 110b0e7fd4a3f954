"""The daily cycle's lists as ledgers to export (xlsx or csv through the ledgers engine): the
supplier's pick list (配送拣货单: totals per item and community) and the delivery lists
(配送清单: building by building, priority households first). Export only.

The region is the export's own (a community, or a city for all of its lists); `day` chooses
the batches of today's or yesterday's cut-off. Names stay masked: these lists go to suppliers
and door to door.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangyi.core.paths import under
from fangyi.core.permissions import EXPORT
from fangyi.ledgers.registry import ERROR, Column, Ledger, Row, register

from ..area import SUPPLY_REQUEST
from ..models import RequestKind
from . import services
from .models import Batch

EXPORT_ONLY = gettext_lazy("配送清单只能导出，不能导入。")
DAYS = {"today": gettext_lazy("今天截单"), "yesterday": gettext_lazy("昨天截单")}


def _batches(actor, region, filters: dict):
    day = timezone.localdate()
    if filters.get("day") == "yesterday":
        day -= datetime.timedelta(days=1)
    return Batch.objects.restrict(actor, EXPORT).filter(under("region_path", region.path), day=day)


class _ExportOnly(Ledger):
    resource = SUPPLY_REQUEST
    export_action = EXPORT
    export_filters = {"day": DAYS}
    importable = False

    @classmethod
    def missing_columns_message(cls, present: set[str]) -> str:
        return str(EXPORT_ONLY)

    def plan(self, rows: list[Row]) -> None:
        for row in rows:
            row.error(self.columns[0].key, str(EXPORT_ONLY))
            row.action = ERROR

    def write(self, rows: list[Row]) -> None:
        raise ValidationError(str(EXPORT_ONLY))


@register
class PickListLedger(_ExportOnly):
    slug = "supplies-pick-list"
    title = gettext_lazy("配送拣货单")
    columns = [
        Column("community_code", "社区代码"),
        Column("community", "社区"),
        Column("item", "物资"),
        Column("unit", "单位"),
        Column("quantity", "数量"),
    ]

    def export_rows(self, *, region, reveal: bool, filters: dict) -> Iterator[list]:
        for line in services.pick_list(_batches(self.actor, region, filters)):
            yield [line.community, line.community_name, line.name, line.unit, str(line.quantity)]


@register
class DeliveryListLedger(_ExportOnly):
    slug = "supplies-delivery-lists"
    title = gettext_lazy("配送清单")
    columns = [
        Column("building_code", "楼栋代码"),
        Column("building", "楼栋"),
        Column("unit", "单元"),
        Column("room", "房号"),
        Column("priority", "优先保障"),
        Column("for_whom", "需求人"),
        Column("kind", "类型"),
        Column("items", "物资"),
        Column("request", "需求编号"),
    ]

    def export_rows(self, *, region, reveal: bool, filters: dict) -> Iterator[list]:
        kinds = dict(RequestKind.choices)
        for stop in services.delivery_stops(
            _batches(self.actor, region, filters), within=[region.path]
        ):
            yield [
                stop.building_code,
                stop.building,
                stop.unit,
                stop.room,
                "、".join(stop.priority_tags) if stop.priority else "",
                stop.for_whom,
                str(kinds.get(stop.kind, stop.kind)),
                "；".join(stop.lines),
                str(stop.request_id),
            ]
