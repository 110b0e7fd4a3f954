"""The price-reports ledger (价格监测报表): one row per point, item and day, as markets keep
their daily sheets.

Rows are checked as the phone form's are (`services.check_entry`, `services.check_day`), with
the row number in every message; the point is named by its code and must be one the
importer may report at (a reporter's own points only). A point's item given twice for one
day in a file is an error on the later row. Writing goes through `services.write_reports`,
then the region figures and lights of what the chunk touched are recomputed, so an
imported sheet is on the lights page as soon as the import ends.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.paths import under
from fangyi.core.permissions import ADD, VIEW
from fangyi.ledgers import normalise
from fangyi.ledgers.exporting import keyset_chunks
from fangyi.ledgers.registry import CREATE, ERROR, UNCHANGED, UPDATE, Column, Ledger, Row, register

from . import services
from .area import PRICE_REPORT
from .models import Item, PriceReport


def parse_code(value: Any) -> str:
    return normalise.text(value).upper()


def parse_amount(value: Any) -> str:
    """Kept as text: services.check_entry reads it as a decimal and says what is wrong."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        # A spreadsheet's 5.2 is the float 5.2000000000000002: the cell as shown.
        return repr(round(value, 6))
    return normalise.text(value)


class ItemNames:
    """The basket by name and by code, read once per import."""

    def __init__(self) -> None:
        self.items = {}
        for item in Item.objects.all():
            self.items[item.code] = item
            self.items[item.name] = item

    def code(self, value: str) -> str:
        item = self.items.get(value) or self.items.get(value.lower())
        return item.code if item else value


@register
class PriceReportsLedger(Ledger):
    slug = "price-reports"
    title = gettext_lazy("价格监测报表")
    resource = PRICE_REPORT
    export_action = VIEW
    columns = [
        Column(
            "point",
            "监测点编号",
            parse_code,
            synonyms=("监测点", "编号", "point"),
            required=True,
            description=gettext_lazy("监测点的编号，见监测点列表"),
            example="FZ-GL-001",
        ),
        Column(
            "day",
            "日期",
            normalise.date,
            synonyms=("填报日期", "报价日期", "day", "date"),
            required=True,
            description=gettext_lazy("如 2022-03-14；可补报 30 天内"),
            example="2022-03-14",
        ),
        Column(
            "item",
            "品种",
            normalise.text,
            synonyms=("商品", "品名", "item"),
            required=True,
            description=gettext_lazy("监测品种的名称或代码，如 大米 或 rice"),
            example="大米",
        ),
        Column(
            "price",
            "价格",
            parse_amount,
            synonyms=("零售价", "单价", "price"),
            required=True,
            description=gettext_lazy("元，按品种的计价单位，最多两位小数"),
            example="5.20",
        ),
        Column(
            "stock",
            "库存",
            parse_amount,
            synonyms=("库存量", "stock"),
            description=gettext_lazy("可不填；按品种的计量单位"),
            example="1200",
        ),
        Column(
            "sales",
            "当日销量",
            parse_amount,
            synonyms=("销量", "日销量", "sales"),
            description=gettext_lazy("可不填；与库存一起算出可供应天数"),
            example="80",
        ),
    ]

    def __init__(self, *, actor) -> None:
        super().__init__(actor=actor)
        # (point code, item code, day) → the row number it first appeared on.
        self.seen: dict[tuple, int] = {}
        self.names: ItemNames | None = None
        self.basket: dict[str, Item] = {}

    def plan(self, rows: list[Row]) -> None:
        if self.names is None:
            self.names = ItemNames()
            self.basket = services.basket()
        codes = {row.values.get("point") for row in rows if row.given("point")}
        points = {
            point.code: point
            for point in services.points_for(self.actor, PRICE_REPORT, ADD).filter(code__in=codes)
        }
        candidates = []
        for row in rows:
            for key, message in (
                ("point", _("请填写监测点编号。")),
                ("day", _("请填写日期。")),
                ("item", _("请填写品种。")),
                ("price", _("请填写价格。")),
            ):
                if not row.given(key) and not row.has_error(key):
                    row.error(key, message)
            values = row.values
            point = points.get(values.get("point") or "")
            if row.given("point") and point is None:
                row.error(
                    "point",
                    _("没有这个监测点，或您不是它的报价员：%(code)s。") % {"code": values["point"]},
                )
            elif point is not None and not point.active:
                row.error("point", _("该监测点已停用。"))
            if row.given("day"):
                problem = services.check_day(values["day"])
                if problem:
                    row.error("day", problem)
            item_code = self.names.code(values.get("item") or "")
            entry = services.Entry(
                item=item_code,
                price=values.get("price"),
                stock=values.get("stock"),
                sales=values.get("sales"),
            )
            if row.given("price"):
                found, checked = services.check_entry(entry, self.basket)
                for key, message in found.items():
                    row.error(key, message)
            else:
                checked = None
            if row.errors or point is None or checked is None:
                row.action = ERROR
                continue
            repeat = (point.code, item_code, values["day"])
            first = self.seen.get(repeat)
            if first is not None:
                row.error("item", _("与第 %(row)d 行是同一监测点、品种和日期。") % {"row": first})
                row.action = ERROR
                continue
            self.seen[repeat] = row.number
            item, price, stock, sales = checked
            row.plan = (point, values["day"], item, price, stock, sales)
            candidates.append(row)
        self._against_stored(candidates)

    def _against_stored(self, rows: list[Row]) -> None:
        if not rows:
            return
        stored = {
            (report.point_id, report.item_id, report.day): report
            for report in PriceReport.objects.filter(
                point_id__in={row.plan[0].pk for row in rows},
                day__in={row.plan[1] for row in rows},
            )
        }
        for row in rows:
            point, day, item, price, stock, sales = row.plan
            report = stored.get((point.pk, item.pk, day))
            if report is None:
                row.action = CREATE
            elif (report.price, report.stock, report.sales) == (price, stock, sales):
                row.action = UNCHANGED
            else:
                row.action = UPDATE

    def write(self, rows: list[Row]) -> None:
        planned = [row.plan for row in rows]
        services.write_reports(actor=self.actor, rows=planned)
        services.refresh_and_recompute(
            {(item.pk, day) for _point, day, item, *_rest in planned},
            *{point.region_path for point, *_rest in planned},
        )

    def export_rows(self, *, region, reveal: bool, filters: dict):
        reports = services.reports_for(self.actor).filter(under("region_path", region.path))
        fields = [
            "region_path",
            "id",
            "point__code",
            "day",
            "item__name",
            "price",
            "stock",
            "sales",
        ]
        for chunk in keyset_chunks(reports, fields):
            for _path, _id, code, day, item, price, stock, sales in chunk:
                yield [
                    code,
                    day.isoformat(),
                    item,
                    normalise.text(price),
                    "" if stock is None else normalise.text(stock),
                    "" if sales is None else normalise.text(sales),
                ]
