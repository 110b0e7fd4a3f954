"""The households ledger (户台账): one row per household, by building, unit and room.

A household is matched by building, unit and room; a known one can only have its notes
changed here (moving a household is done on its page), an unknown one is created.
"""

from __future__ import annotations

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, EXPORT, Actor
from fangyi.people.area import HOUSEHOLD
from fangyi.people.models import Household, short_address
from fangyi.regions.models import Level

from .exporting import keyset_chunks
from .locations import RegionIndex
from .registry import CREATE, ERROR, UNCHANGED, UPDATE, Ledger, Row, ScopeCache, register
from .residents import (
    LOCATION_COLUMNS,
    MAX_ROOM_LENGTH,
    NOTES_COLUMN,
    HouseholdBook,
    resolve_building,
)
from .writing import AuditWriter, CountDeltas, household_writer, own_field


@register
class HouseholdsLedger(Ledger):
    slug = "households"
    title = gettext_lazy("户台账")
    resource = HOUSEHOLD
    export_action = EXPORT
    columns = [
        *LOCATION_COLUMNS,
        NOTES_COLUMN,
    ]

    def __init__(self, *, actor: Actor) -> None:
        super().__init__(actor=actor)
        self.index = RegionIndex(actor=actor)
        self.households = HouseholdBook()
        self.allowed = ScopeCache(actor)
        self.seen: dict[tuple, int] = {}
        self.households_created = 0

    def plan(self, rows: list[Row]) -> None:
        buildings = {}
        for row in rows:
            building = resolve_building(self.index, row)
            v = row.values
            room, unit = v.get("room", ""), v.get("unit", "")
            if not room:
                row.error("room", _("请填写房号。"))
            elif len(room) > MAX_ROOM_LENGTH or len(unit) > MAX_ROOM_LENGTH:
                row.error("room", _("单元和房号最多 %(n)d 个字符。") % {"n": MAX_ROOM_LENGTH})
            if building is None or row.errors:
                continue
            key = (building.id, unit, room)
            first = self.seen.get(key)
            if first is not None:
                row.error("room", _("与第 %(row)d 行是同一户。") % {"row": first})
                continue
            self.seen[key] = row.number
            buildings[row.number] = building
        self.households.load(b.id for b in buildings.values())
        for row in rows:
            building = buildings.get(row.number)
            if row.errors or building is None:
                row.action = ERROR
                continue
            v = row.values
            unit, room, notes = v.get("unit", ""), v["room"], v.get("notes", "")
            found = self.households.get(building.id, unit, room)
            if found is None:
                if not self.allowed(HOUSEHOLD, ADD, building.path):
                    row.error("building", _("您没有在该楼栋新建户的权限。"))
                    row.action = ERROR
                    continue
                household_id = self.households.plan_new(building.id, unit, room, notes)
                self.households_created += 1
                row.action = CREATE
                row.plan = (household_id, building, notes)
            elif row.given("notes") and notes != found[1]:
                if not self.allowed(HOUSEHOLD, CHANGE, building.path):
                    row.error("notes", _("您没有修改该户的权限。"))
                    row.action = ERROR
                    continue
                row.action = UPDATE
                row.plan = (found[0], building, found[1])
                self.households.by_building[building.id][(unit, room)] = (found[0], notes)
            else:
                row.action = UNCHANGED

    def write(self, rows: list[Row]) -> None:
        now = timezone.now()
        audit = AuditWriter(actor=self.actor, time=now)
        counts = CountDeltas()
        created, updated = [], []
        for row in rows:
            household_id, building, notes = row.plan
            v = row.values
            unit, room = v.get("unit", ""), v["room"]
            address = short_address(building.name, unit, room)
            if row.action == CREATE:
                record = (household_id, building.id, unit, room, building.path, notes)
                created.append(record)
                counts.add(building.path, households=1)
                audit.household_created(record, repr_=address)
            elif row.action == UPDATE:
                updated.append((v["notes"], now, household_id))
                audit.add(
                    obj_type="people.household",
                    obj_id=household_id,
                    repr_=address,
                    path=building.path,
                    action=ObjectChange.UPDATE,
                    before={"notes": notes},
                    after={"notes": v["notes"]},
                )
        household_writer(now).write(created)
        if updated:
            table = connection.ops.quote_name(Household._meta.db_table)
            fields = [own_field(Household, f) for f in ("notes", "updated_at", "id")]
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET notes = %s, updated_at = %s WHERE id = %s",
                    [
                        [
                            f.get_db_prep_save(value, connection)
                            for f, value in zip(fields, row, strict=True)
                        ]
                        for row in updated
                    ],
                )
        counts.apply()
        audit.flush()

    def export_count(self, *, region, filters: dict) -> int | None:
        return region.household_count

    def export_rows(self, *, region, reveal: bool, filters: dict):
        index = RegionIndex(actor=self.actor, within=region.path, levels=list(Level)[3:])
        households = Household.objects.restrict(self.actor, EXPORT, within=region.path)
        fields = ["region_path", "id", "building_id", "unit", "room", "notes"]
        for chunk in keyset_chunks(households, fields):
            for path, _id, building_id, unit, room, notes in chunk:
                building = index.by_id.get(building_id)
                yield [
                    building.code if building else "",
                    index.ancestor_name(path, Level.STREET),
                    index.ancestor_name(path, Level.COMMUNITY),
                    index.ancestor_name(path, Level.GRID),
                    building.name if building else "",
                    unit,
                    room,
                    notes,
                ]
