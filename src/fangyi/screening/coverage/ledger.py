"""The missing list of a screening round as a ledger to export (未采样人员名单): one row per
expected person under a region not sampled yet in the round (see `coverage`), by building.

Export only: a grid team takes it door to door, nothing comes back through it (samples come
from the sampling devices). Any file uploaded to it is refused with that reason before a
single row is read. The round is a filter (`round`, its id) that an export must give; the
region is the export's own. Names, ID numbers and phones are masked unless the export is
revealed with a logged reason, by someone who may reveal residents there, as for the
residents ledger.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.masking import mask_id_number, mask_name, mask_phone
from fangyi.core.permissions import EXPORT
from fangyi.ledgers.exporting import keyset_chunks
from fangyi.ledgers.locations import RegionIndex
from fangyi.ledgers.registry import ERROR, Column, Ledger, Row, register
from fangyi.people.area import PERSON
from fangyi.people.models import STORED_TAGS, TAG_LABELS, elderly_born_on_or_before, short_address
from fangyi.regions.models import Level
from fangyi.screening.coverage import services as coverage
from fangyi.screening.models import Round

EXPORT_ONLY = gettext_lazy("未采样人员名单只能导出，不能导入。")
TAG_FIELD_NAMES = [field for field, _slug, _label in STORED_TAGS]
TAG_FIELD_LABELS = [label for _field, _slug, label in STORED_TAGS]


class RoundChoices(Mapping):
    """The `round` filter: a round's id → its campaign and number.

    Any round can be looked up by id; only the latest `LISTED` are listed, which is what the
    ledgers' export page offers to choose from. Whether the exporter may see the round is the
    ledger's check, when the export starts.
    """

    label = gettext_lazy("筛查轮次")
    LISTED = 50

    def _latest(self):
        return Round.objects.select_related("campaign").order_by("-starts_at", "-id")[: self.LISTED]

    def __getitem__(self, key) -> str:
        try:
            pk = uuid.UUID(str(key))
        except ValueError as exc:
            raise KeyError(key) from exc
        found = Round.objects.select_related("campaign").filter(pk=pk).first()
        if found is None:
            raise KeyError(key)
        return _label(found)

    def __iter__(self) -> Iterator[str]:
        return (str(found.pk) for found in self._latest())

    def __len__(self) -> int:
        return len(self._latest())

    def items(self):
        return [(str(found.pk), _label(found)) for found in self._latest()]


def _label(found: Round) -> str:
    return f"{found.campaign.name} {found}"


@register
class MissingLedger(Ledger):
    slug = "screening-missing"
    title = gettext_lazy("未采样人员名单")
    resource = PERSON
    export_action = EXPORT
    export_filters = {"round": RoundChoices()}
    # Keeps the ledgers page from offering an upload at all (see the module's docstring).
    importable = False
    columns = [
        Column("name", "姓名"),
        Column("id_number", "证件号码"),
        Column("phone", "手机号"),
        Column("grid", "网格"),
        Column("building", "楼栋"),
        Column("household", "户"),
        Column("address", "地址"),
        Column("tags", "特殊人群", description=gettext_lazy("、分隔")),
    ]

    @classmethod
    def missing_columns_message(cls, present: set[str]) -> str:
        return str(EXPORT_ONLY)

    def plan(self, rows: list[Row]) -> None:
        for row in rows:
            row.error("name", str(EXPORT_ONLY))
            row.action = ERROR

    def write(self, rows: list[Row]) -> None:
        raise ValidationError(str(EXPORT_ONLY))

    def _round(self, filters: dict) -> Round:
        if not filters.get("round"):
            raise ValidationError({"round": _("请选择筛查轮次。")})
        found = coverage.visible_rounds(self.actor).filter(pk=filters["round"]).first()
        if found is None:
            raise ValidationError({"round": _("没有这个筛查轮次，或您无权查看。")})
        return found

    def export_count(self, *, region, filters: dict) -> int | None:
        """From the round's coverage counts (at most a few seconds old): the exporter's scope
        may hold fewer, which the export's progress bar can bear."""
        found = self._round(filters)
        coverage.check_region(found, self.actor, region)
        expected, sampled, _resulted, _positive = coverage.subtree_counts(found, region.path).get(
            region.path, [0, 0, 0, 0]
        )
        return max(0, expected - sampled)

    def export_rows(self, *, region, reveal: bool, filters: dict) -> Iterator[list]:
        found = self._round(filters)
        persons = coverage.missing_persons(found, user=self.actor, region=region, action=EXPORT)
        index = RegionIndex(actor=self.actor, within=region.path, levels=list(Level)[3:])
        elderly_before = elderly_born_on_or_before(timezone.localdate())
        elderly = str(TAG_LABELS["elderly"])
        flag_labels = [str(label) for label in TAG_FIELD_LABELS]
        fields = [
            "region_path",
            "id",
            "name",
            "id_number",
            "phone",
            "birth_date",
            "household__unit",
            "household__room",
            *TAG_FIELD_NAMES,
        ]
        places: dict[str, tuple[str, str, str]] = {}
        for rows in keyset_chunks(persons, fields):
            for path, _id, name, number, phone, born, unit, room, *flags in rows:
                place = places.get(path)
                if place is None:
                    street, community, grid, building = (
                        index.ancestor_name(path, level)
                        for level in (Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING)
                    )
                    place = places[path] = (grid, building, street + community)
                grid, building, above = place
                tags = [elderly] if born <= elderly_before else []
                tags += [label for label, flag in zip(flag_labels, flags, strict=True) if flag]
                yield [
                    name if reveal else mask_name(name),
                    number if reveal else mask_id_number(number),
                    phone if reveal else mask_phone(phone),
                    grid,
                    building,
                    short_address("", unit, room),
                    above + short_address(building, unit, room),
                    "、".join(tags),
                ]
