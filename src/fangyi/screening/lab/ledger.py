"""The lab-results ledger (检测结果): one row per tube, as labs export them from their machines.

Rows are checked like results sent to the API (`lab.check_item`, `lab.check_against`), with
the row's number in every message, and written by the lab service's bulk writer, so a file
causes exactly what the same results sent any other way cause: facts, retest tasks and
statuses. A tube given twice in a file with the same result is written once; with another
result, the later row is refused. The ledger is scoped by LAB_TUBE: labs import it, and an
export holds barcodes and results only, never a name.
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.paths import under
from fangyi.core.permissions import VIEW, Actor
from fangyi.health.models import TestOutcome
from fangyi.ledgers import normalise
from fangyi.ledgers.exporting import keyset_chunks
from fangyi.ledgers.normalise import CellError
from fangyi.ledgers.registry import ERROR, UNCHANGED, UPDATE, Column, Ledger, Row, register
from fangyi.screening import common
from fangyi.screening.area import LAB_TUBE
from fangyi.screening.lab import services as lab
from fangyi.screening.models import Round, TubeState

RESULT_SPELLINGS = {
    "阴性": TestOutcome.NEGATIVE.value,
    "阳性": TestOutcome.POSITIVE.value,
    "无效": TestOutcome.INVALID.value,
    "negative": TestOutcome.NEGATIVE.value,
    "positive": TestOutcome.POSITIVE.value,
    "invalid": TestOutcome.INVALID.value,
}
parse_result = normalise.choices(RESULT_SPELLINGS, labels=["阴性", "阳性", "无效"])

# Excel's day count from 1899-12-30 (serials before March 1900 are not test times).
_EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_MIN_SERIAL, _MAX_SERIAL = 36526, 73051  # 2000-01-01, 2100-01-01
_MOMENT = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]*(\d{1,2})[:时](\d{1,2})"
    r"(?:[:分](\d{1,2})(?:\.(\d{1,6}))?秒?)?\s*(Z|[+-]\d{2}:?\d{2})?"
)


def _bad_moment(value: Any) -> CellError:
    return CellError(
        _("无法识别的检测时间：%(value)s，请写成 2022-03-14 08:30（到分钟）。")
        % {"value": normalise.text(value)}
    )


def _aware(moment: datetime.datetime) -> datetime.datetime:
    """A time without an offset is the lab's local time, as its machines print it."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def parse_moment(value: Any) -> datetime.datetime | None:
    """A test time from an Excel date-time cell, an Excel serial, or text such as
    2022-03-14 08:30, 2022/3/14 8:30:15, 2022-03-14T08:30:00+08:00 or 2022年3月14日 8时30分.
    A date alone is refused: a result needs the time it was tested."""
    cls = value.__class__
    if value is None:
        return None
    if cls is datetime.datetime:
        return _aware(value)
    if cls is float or cls is int:
        if _MIN_SERIAL <= value < _MAX_SERIAL and not (cls is int or value.is_integer()):
            # Serials carry floating-point noise: rounded to the second.
            return _aware(_EXCEL_EPOCH + datetime.timedelta(seconds=round(value * 86400)))
        raise _bad_moment(value)
    cleaned = normalise.text(value)
    if not cleaned:
        return None
    match = _MOMENT.fullmatch(cleaned)
    if match is None:
        raise _bad_moment(value)
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = datetime.datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        raise _bad_moment(value) from None
    if offset:
        if offset == "Z":
            return moment.replace(tzinfo=datetime.UTC)
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        delta = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        if delta > datetime.timedelta(hours=14):
            raise _bad_moment(value)
        return moment.replace(tzinfo=datetime.timezone(sign * delta))
    return _aware(moment)


def parse_ct(value: Any) -> float | None:
    """A Ct value, 0 to 50; blank when the lab gives none."""
    if value is None:
        return None
    if value.__class__ in (int, float):
        number = float(value)
    else:
        cleaned = normalise.text(value)
        if not cleaned:
            return None
        try:
            number = float(cleaned)
        except ValueError:
            number = math.nan
    if not math.isfinite(number) or not 0 <= number <= lab.MAX_CT:
        raise CellError(_("Ct 值应为 0 到 %(max)d 之间的数字。") % {"max": lab.MAX_CT})
    return number


def parse_barcode(value: Any) -> str:
    barcode = normalise.text(value)
    if barcode and not common.BARCODE.fullmatch(barcode):
        raise CellError(common.bad_barcode())
    return barcode


class RoundChoices(Mapping):
    """The rounds an export may be limited to: the latest ones, read when the form is shown
    (a class attribute cannot hold what changes with every new round)."""

    SHOWN = 20

    def _rounds(self):
        return Round.objects.select_related("campaign").order_by("-starts_at", "-id")

    def _label(self, found: Round) -> str:
        return f"{found.campaign.name} {found}"

    def __getitem__(self, key: str) -> str:
        try:
            found = self._rounds().get(pk=uuid.UUID(str(key)))
        except (ValueError, Round.DoesNotExist):
            raise KeyError(key) from None
        return self._label(found)

    def __iter__(self) -> Iterator[str]:
        return (str(found.pk) for found in self._rounds()[: self.SHOWN])

    def __len__(self) -> int:
        return min(self._rounds().count(), self.SHOWN)

    def items(self):
        return [(str(found.pk), self._label(found)) for found in self._rounds()[: self.SHOWN]]


@register
class LabResultsLedger(Ledger):
    slug = "lab-results"
    title = gettext_lazy("检测结果")
    resource = LAB_TUBE
    export_action = VIEW
    # Without a round, an export holds every resulted tube of the region.
    export_filters = {"round": RoundChoices()}
    columns = [
        Column(
            "barcode",
            "试管条码",
            parse_barcode,
            synonyms=("条码", "条码号", "试管编号", "采样管条码", "barcode", "tube"),
            required=True,
            description=gettext_lazy("4 到 32 位字母、数字或短横线，与采样时扫描的一致"),
            example="FZ20220314-0001",
        ),
        Column(
            "result",
            "检测结果",
            parse_result,
            synonyms=("结果", "result"),
            required=True,
            description=gettext_lazy("阴性、阳性或无效（也可写 negative、positive、invalid）"),
            example="阴性",
        ),
        Column(
            "ct_value",
            "Ct 值",
            parse_ct,
            synonyms=("Ct", "CT值", "ct value"),
            description=gettext_lazy("可不填；0 到 50 之间的数字"),
            example="36.5",
        ),
        Column(
            "tested_at",
            "检测时间",
            parse_moment,
            synonyms=("检测日期时间", "报告时间", "tested at", "tested_at"),
            required=True,
            description=gettext_lazy("到分钟，如 2022-03-14 08:30；不带时区时按本地时间"),
            example="2022-03-14 08:30",
        ),
    ]

    def __init__(self, *, actor: Actor) -> None:
        super().__init__(actor=actor)
        # barcode → (row number, result, whether that row was sound) of its first row in the
        # file, from the chunks planned before: a file may give a tube twice.
        self.seen: dict[str, tuple[int, str, bool]] = {}

    def plan(self, rows: list[Row]) -> None:
        now = timezone.now()
        firsts: dict[str, Row] = {}
        candidates: list[tuple[Row, lab.ResultInput]] = []
        repeats: list[tuple[Row, str]] = []
        for row in rows:
            item = self._item(row, now)
            if item is None:
                continue
            earlier = self.seen.get(item.barcode)
            first = firsts.get(item.barcode)
            if earlier is not None:
                number, result = earlier[:2]
            elif first is not None:
                number, result = first.number, first.values["result"]
            else:
                firsts[item.barcode] = row
                candidates.append((row, item))
                continue
            if result != item.result:
                row.error("result", lab.same_tube_conflict(_("第 %(row)d 行") % {"row": number}))
            else:
                repeats.append((row, item.barcode))
        tubes = lab.tubes_by_barcode(
            self.actor, [item.barcode for _row, item in candidates], lock=False
        )
        for row, item in candidates:
            tube = tubes.get(item.barcode)
            if tube is None:
                row.error("barcode", lab.unknown_barcode(item.barcode))
                continue
            problem = lab.check_against(tube, item)
            if problem is not None:
                row.error(*problem)
            elif lab.is_repeat(tube, item):
                row.action = UNCHANGED
            else:
                row.action = UPDATE
                row.plan = (tube, item)
        for barcode, row in firsts.items():
            self.seen[barcode] = (row.number, row.values["result"], not row.errors)
        for row, barcode in repeats:
            number, _result, sound = self.seen[barcode]
            if sound:
                row.action = UNCHANGED
            else:
                row.error("barcode", _("与第 %(row)d 行是同一试管，该行有误。") % {"row": number})
        for row in rows:
            if row.errors:
                row.action = ERROR

    def _item(self, row: Row, now) -> lab.ResultInput | None:
        values = row.values
        for key, message in (
            ("barcode", _("请填写试管条码。")),
            ("result", _("请填写检测结果。")),
            ("tested_at", _("请填写检测时间。")),
        ):
            if not row.given(key) and not row.has_error(key):
                row.error(key, message)
        if row.errors:
            return None
        item = lab.ResultInput(
            barcode=values["barcode"],
            result=values["result"],
            tested_at=values["tested_at"],
            ct_value=values.get("ct_value"),
        )
        for key, message in lab.check_item(item, now=now).items():
            row.error(key, message)
        return None if row.errors else item

    def write(self, rows: list[Row]) -> None:
        lab.write_results(actor=self.actor, planned=[row.plan for row in rows])

    def export_rows(self, *, region, reveal: bool, filters: dict):
        tubes = lab.lab_tubes(self.actor, VIEW).filter(under("region_path", region.path))
        if filters.get("round"):
            tubes = tubes.filter(round_id=filters["round"])
        else:
            tubes = tubes.filter(state=TubeState.RESULTED)
        labels = {value: str(label) for value, label in TestOutcome.choices}
        fields = ["barcode", "id", "result", "ct_value", "tested_at"]
        for chunk in keyset_chunks(tubes, fields):
            for barcode, _id, result, ct_value, tested_at in chunk:
                yield [
                    barcode,
                    labels.get(result, ""),
                    "" if ct_value is None else normalise.text(ct_value),
                    ""
                    if tested_at is None
                    else timezone.localtime(tested_at).strftime("%Y-%m-%d %H:%M:%S"),
                ]
