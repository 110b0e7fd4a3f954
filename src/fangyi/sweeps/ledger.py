"""A sweep's coverage as a ledger to export (入户排查进度表): one row per region of the export's
subtree that the sweep reaches, from the region itself down to each building, with the same
figures as the coverage page. Export only, like the screening missing list: nothing comes back
through it. The sweep is a filter (`sweep`, its id) that an export must give."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.permissions import EXPORT, VIEW
from fangyi.ledgers.registry import ERROR, Column, Ledger, Row, register
from fangyi.regions.models import Region

from . import coverage
from .area import SWEEP
from .models import Sweep
from .services import visible_sweeps

EXPORT_ONLY = gettext_lazy("入户排查进度表只能导出，不能导入。")


class SweepChoices(Mapping):
    """The `sweep` filter: a sweep's id → its title; the latest `LISTED` are offered."""

    label = gettext_lazy("入户排查")
    LISTED = 50

    def _latest(self):
        return Sweep.objects.order_by("-created_at", "-id")[: self.LISTED]

    def __getitem__(self, key) -> str:
        try:
            pk = uuid.UUID(str(key))
        except ValueError as exc:
            raise KeyError(key) from exc
        found = Sweep.objects.filter(pk=pk).first()
        if found is None:
            raise KeyError(key)
        return found.title

    def __iter__(self) -> Iterator[str]:
        return (str(found.pk) for found in self._latest())

    def __len__(self) -> int:
        return len(self._latest())

    def items(self):
        return [(str(found.pk), found.title) for found in self._latest()]


@register
class SweepCoverageLedger(Ledger):
    slug = "sweep-coverage"
    title = gettext_lazy("入户排查进度表")
    resource = SWEEP
    export_action = EXPORT
    export_filters = {"sweep": SweepChoices()}
    importable = False
    columns = [
        Column("code", "区域代码"),
        Column("region", "区域"),
        Column("households", "应走访户数"),
        Column("visited", "已走访户数"),
        Column("to_visit", "未走访户数"),
        Column("not_answered", "敲门未应户数"),
        Column("listed", "交社区户数"),
        Column("confirmed", "核实人数"),
        Column("newcomers", "新增人数"),
        Column("arrivals", "风险地区返回人数"),
        Column("conflicts", "重复走访户数"),
    ]

    @classmethod
    def missing_columns_message(cls, present: set[str]) -> str:
        return str(EXPORT_ONLY)

    def plan(self, rows: list[Row]) -> None:
        for row in rows:
            row.error("code", str(EXPORT_ONLY))
            row.action = ERROR

    def write(self, rows: list[Row]) -> None:
        raise ValidationError(str(EXPORT_ONLY))

    def _sweep(self, filters: dict) -> Sweep:
        if not filters.get("sweep"):
            raise ValidationError({"sweep": _("请选择入户排查。")})
        found = visible_sweeps(self.actor, VIEW).filter(pk=filters["sweep"]).first()
        if found is None:
            raise ValidationError({"sweep": _("没有这次入户排查，或您无权查看。")})
        return found

    def export_rows(self, *, region, reveal: bool, filters: dict) -> Iterator[list]:
        sweep = self._sweep(filters)
        totals = coverage.rolled_up(coverage.by_building(self.actor, sweep, within=region.path))
        paths = sorted(path for path in totals if path.startswith(region.path))
        names = dict(Region.objects.filter(path__in=paths).values_list("path", "name"))
        codes = dict(Region.objects.filter(path__in=paths).values_list("path", "code"))
        for path in paths:
            counts = totals[path]
            figures = [
                counts.households,
                counts.visited,
                counts.to_visit,
                counts.not_answered,
                counts.listed,
                counts.confirmed,
                counts.newcomers,
                counts.arrivals,
                counts.conflicts,
            ]
            # The engine writes every cell as text (xlsx's fast path, CSV's formula escape).
            yield [codes.get(path, path), names.get(path, ""), *map(str, figures)]
