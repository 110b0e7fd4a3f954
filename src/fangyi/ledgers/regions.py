"""The regions ledger (区划台账): streets down to buildings, one row per region; and the
region-boundaries ledger (区域边界台账): a region's outline as GeoJSON, one row per region.

A region is matched by its code: a known code with a new name renames it, an unknown code
creates it under its parent, which must exist already or come earlier in the file (a tree
exported by fangyi is in that order). The level and parent follow from the code; if the file
states them they must agree.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangyi.core.models import ObjectChange
from fangyi.core.permissions import ADD, CHANGE, VIEW, Actor
from fangyi.regions.area import REGION
from fangyi.regions.boundaries import clean_geometry
from fangyi.regions.models import Boundary, Level, Region, path_from_code

from . import normalise
from .exporting import keyset_chunks
from .locations import RegionIndex, RegionRef, region_code
from .registry import CREATE, ERROR, UNCHANGED, UPDATE, Column, Ledger, Row, ScopeCache, register
from .writing import AuditWriter, max_length

LEVEL_BY_LENGTH = {9: Level.STREET, 12: Level.COMMUNITY, 15: Level.GRID, 18: Level.BUILDING}
LEVEL_SPELLINGS = {
    "街道": Level.STREET,
    "乡镇": Level.STREET,
    "镇": Level.STREET,
    "乡": Level.STREET,
    "street": Level.STREET,
    "社区": Level.COMMUNITY,
    "村": Level.COMMUNITY,
    "社区(村)": Level.COMMUNITY,
    "community": Level.COMMUNITY,
    "网格": Level.GRID,
    "grid": Level.GRID,
    "楼栋": Level.BUILDING,
    "楼": Level.BUILDING,
    "building": Level.BUILDING,
}
MAX_NAME_LENGTH = max_length(Region, "name")


def parent_code_of(code: str) -> str:
    """A street's parent is its district (six digits); below that, three digits fewer."""
    return code[:6] if len(code) == 9 else code[:-3]


# How a region code's column may be headed, in every ledger of regions.
CODE_SYNONYMS = ("代码", "编码", "区域代码", "行政区划代码", "区划编码", "code")


@register
class RegionsLedger(Ledger):
    slug = "regions"
    title = gettext_lazy("区划台账")
    resource = REGION
    export_action = VIEW
    columns = [
        Column(
            "code",
            "区划代码",
            region_code,
            synonyms=CODE_SYNONYMS,
            required=True,
            description=gettext_lazy("街道9位、社区12位、网格15位、楼栋18位，以上级代码开头"),
            example="350102001001001001",
        ),
        Column(
            "name",
            "名称",
            normalise.words,
            synonyms=("区域名称", "区划名称", "名字", "name"),
            required=True,
            example="1号楼",
        ),
        Column(
            "level",
            "层级",
            partial(normalise.choice, mapping={k: str(int(v)) for k, v in LEVEL_SPELLINGS.items()}),
            synonyms=("级别", "区划层级", "level"),
            description=gettext_lazy("街道、社区、网格、楼栋；可不填，由代码长度推出"),
            example="楼栋",
        ),
        Column(
            "parent_code",
            "上级代码",
            region_code,
            synonyms=("上级编码", "父级代码", "上级区划代码", "parent code"),
            description=gettext_lazy("可不填，由代码推出"),
            example="350102001001001",
        ),
    ]

    def __init__(self, *, actor: Actor) -> None:
        super().__init__(actor=actor)
        self.index = RegionIndex(actor=actor)
        self.allowed = ScopeCache(actor)
        self.seen: dict[str, int] = {}

    def _check(self, row: Row) -> str | None:
        v = row.values
        code, name = v.get("code", ""), v.get("name", "")
        if not name:
            if not row.has_error("name"):
                row.error("name", _("请填写名称。"))
        elif len(name) > MAX_NAME_LENGTH:
            row.error("name", _("名称最多 %(n)d 个字。") % {"n": MAX_NAME_LENGTH})
        if not code:
            if not row.has_error("code"):
                row.error("code", _("请填写区划代码。"))
            return None
        level = LEVEL_BY_LENGTH.get(len(code))
        if level is None:
            row.error(
                "code", _("区划代码应为9、12、15或18位（街道到楼栋）：%(code)s") % {"code": code}
            )
            return None
        if v.get("level") and int(v["level"]) != level:
            row.error(
                "level",
                _("层级与代码不符：%(n)d 位代码是%(level)s。")
                % {"n": len(code), "level": Level(level).label},
            )
        parent_code = parent_code_of(code)
        if v.get("parent_code") and v["parent_code"] != parent_code:
            row.error(
                "parent_code",
                _("上级代码与代码不符：%(code)s 的上级应为 %(parent)s。")
                % {"code": code, "parent": parent_code},
            )
        first = self.seen.get(code)
        if first is not None:
            row.error("code", _("与第 %(row)d 行的区划代码重复。") % {"row": first})
            return None
        self.seen[code] = row.number
        return code

    def plan(self, rows: list[Row]) -> None:
        codes = {row.number: self._check(row) for row in rows}
        wanted = [c for c in codes.values() if c and c not in self.index.by_code]
        hidden = set(Region.objects.filter(code__in=wanted).values_list("code", flat=True))
        for row in rows:
            code = codes[row.number]
            if code in hidden:
                row.error(
                    "code", _("区划代码 %(code)s 已存在，且不在您的辖区内。") % {"code": code}
                )
            # A row without a code has its error already.
            if row.errors or code is None:
                row.action = ERROR
                continue
            existing = self.index.by_code.get(code)
            if existing is not None:
                self._plan_rename(row, existing)
            else:
                self._plan_create(row, code)

    def _plan_rename(self, row: Row, existing: RegionRef) -> None:
        name = row.values["name"]
        if name == existing.name:
            row.action = UNCHANGED
            return
        if not self.allowed(REGION, CHANGE, existing.path):
            row.error("name", _("您没有修改该区域的权限。"))
            row.action = ERROR
            return
        row.action = UPDATE
        row.plan = existing

    def _plan_create(self, row: Row, code: str) -> None:
        parent = self.index.by_code.get(parent_code_of(code))
        if parent is None:
            row.error(
                "code",
                _("上级 %(parent)s 不存在或不在您的辖区内；上级须已存在，或在文件中排在下级之前。")
                % {"parent": parent_code_of(code)},
            )
            row.action = ERROR
            return
        level = LEVEL_BY_LENGTH[len(code)]
        if parent.level != level - 1:
            row.error(
                "code",
                _("上级 %(parent)s 不是%(level)s。")
                % {"parent": parent.code, "level": Level(level - 1).label},
            )
            row.action = ERROR
            return
        if not self.allowed(REGION, ADD, parent.path):
            row.error("code", _("您没有在 %(parent)s 下新建区域的权限。") % {"parent": parent.name})
            row.action = ERROR
            return
        ref = RegionRef(
            uuid.uuid4(), code, path_from_code(code, level), level, row.values["name"], parent.id
        )
        # Later rows (its children) find it as if it existed.
        self.index.add(ref)
        row.action = CREATE
        row.plan = ref

    def write(self, rows: list[Row]) -> None:
        now = timezone.now()
        audit = AuditWriter(actor=self.actor, time=now)
        created, renamed = [], []
        for row in rows:
            ref = row.plan
            if row.action == CREATE:
                created.append(
                    Region(
                        id=ref.id,
                        code=ref.code,
                        name=ref.name,
                        level=ref.level,
                        parent_id=ref.parent_id,
                        path=ref.path,
                    )
                )
                audit.add(
                    obj_type="regions.region",
                    obj_id=ref.id,
                    repr_=ref.name,
                    path=ref.path,
                    action=ObjectChange.CREATE,
                    before=None,
                    after={
                        "code": ref.code,
                        "name": ref.name,
                        "level": ref.level,
                        "parent": str(ref.parent_id),
                    },
                )
            elif row.action == UPDATE:
                name = row.values["name"]
                renamed.append((name, ref.id))
                audit.add(
                    obj_type="regions.region",
                    obj_id=ref.id,
                    repr_=name,
                    path=ref.path,
                    action=ObjectChange.UPDATE,
                    before={"name": ref.name},
                    after={"name": name},
                )
                self.index.add(ref._replace(name=name))
        Region.objects.bulk_create(created, batch_size=2000)
        if renamed:
            table = connection.ops.quote_name(Region._meta.db_table)
            field = Region._meta.get_field("id")
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {table} SET name = %s WHERE id = %s",
                    [(name, field.get_db_prep_save(pk, connection)) for name, pk in renamed],
                )
        audit.flush()

    def export_count(self, *, region, filters: dict) -> int | None:
        return None

    def export_rows(self, *, region, reveal: bool, filters: dict):
        regions = Region.objects.restrict(self.actor, VIEW, within=region.path).filter(
            level__gte=Level.STREET
        )
        labels = dict(Level.choices)
        for chunk in keyset_chunks(regions, ["path", "id", "code", "name", "level"]):
            for _path, _id, code, name, level in chunk:
                yield [code, name, str(labels[level]), parent_code_of(code)]


def boundary_cell(value) -> dict | None:
    """A GeoJSON cell, checked as the region's outline (boundaries.clean_geometry)."""
    text = normalise.text(value)
    if not text:
        return None
    try:
        return clean_geometry(text)
    except ValidationError as exc:
        raise normalise.CellError(exc.messages[0]) from exc


def geometry_digest(geometry: dict) -> dict:
    """What the audit log keeps of an outline: its size and fingerprint, not its points."""
    text = json.dumps(geometry, separators=(",", ":"), sort_keys=True)
    return {"type": geometry["type"], "sha256": hashlib.sha256(text.encode()).hexdigest()}


# The map draws a region's children: the districts of a city, the streets of a district, and
# so on down to the grids of a community. Buildings have no outline to draw.
BOUNDARY_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)


@register
class BoundariesLedger(Ledger):
    slug = "region-boundaries"
    title = gettext_lazy("区域边界台账")
    resource = REGION
    export_action = VIEW
    columns = [
        Column(
            "code",
            "区划代码",
            region_code,
            synonyms=CODE_SYNONYMS,
            required=True,
            description=gettext_lazy("市、区县、街道、社区或网格的代码"),
            example="350102",
        ),
        Column(
            "boundary",
            "边界",
            boundary_cell,
            synonyms=("边界GeoJSON", "GeoJSON", "geojson", "geometry", "boundary"),
            required=True,
            description=gettext_lazy(
                "GeoJSON 的 Polygon 或 MultiPolygon（也可为含其一的 Feature），WGS84 经纬度，"
                "经度在前，最多 32000 个字符"
            ),
            example='{"type":"Polygon","coordinates":[[[119.28,26.07],[119.32,26.07],'
            "[119.32,26.10],[119.28,26.10],[119.28,26.07]]]}",
        ),
    ]

    def __init__(self, *, actor: Actor) -> None:
        super().__init__(actor=actor)
        self.index = RegionIndex(actor=actor, levels=list(BOUNDARY_LEVELS))
        self.allowed = ScopeCache(actor)
        self.seen: dict[str, int] = {}

    def _region(self, row: Row) -> RegionRef | None:
        code = row.values.get("code", "")
        if not code:
            if not row.has_error("code"):
                row.error("code", _("请填写区划代码。"))
            return None
        if not row.given("boundary") and not row.has_error("boundary"):
            row.error("boundary", _("请填写边界（GeoJSON）。"))
        first = self.seen.get(code)
        if first is not None:
            row.error("code", _("与第 %(row)d 行的区划代码重复。") % {"row": first})
            return None
        self.seen[code] = row.number
        ref = self.index.by_code.get(code)
        if ref is None:
            row.error(
                "code",
                _("没有代码为 %(code)s 的市、区县、街道、社区或网格，或它不在您的辖区内。")
                % {"code": code},
            )
            return None
        if not self.allowed(REGION, CHANGE, ref.path):
            row.error("code", _("您没有修改该区域的权限。"))
            return None
        return ref

    def plan(self, rows: list[Row]) -> None:
        found = {row.number: self._region(row) for row in rows}
        paths = [ref.path for ref in found.values() if ref is not None]
        stored = dict(Boundary.objects.filter(path__in=paths).values_list("path", "geometry"))
        for row in rows:
            ref = found[row.number]
            if row.errors or ref is None:
                row.action = ERROR
                continue
            before = stored.get(ref.path)
            geometry = row.values["boundary"]
            if before == geometry:
                row.action = UNCHANGED
                continue
            row.action = CREATE if before is None else UPDATE
            row.plan = (ref, before)

    def write(self, rows: list[Row]) -> None:
        now = timezone.now()
        audit = AuditWriter(actor=self.actor, time=now)
        created: list[Boundary] = []
        changed: list[Boundary] = []
        for row in rows:
            ref, before = row.plan
            geometry = row.values["boundary"]
            outline = Boundary(region_id=ref.id, path=ref.path, geometry=geometry, updated_at=now)
            (created if before is None else changed).append(outline)
            audit.add(
                obj_type="regions.boundary",
                obj_id=ref.id,
                repr_=ref.name,
                path=ref.path,
                action=ObjectChange.CREATE if before is None else ObjectChange.UPDATE,
                before=None if before is None else geometry_digest(before),
                after=geometry_digest(geometry),
            )
        Boundary.objects.bulk_create(created, batch_size=500)
        Boundary.objects.bulk_update(changed, ["geometry", "updated_at"], batch_size=500)
        audit.flush()

    def export_rows(self, *, region, reveal: bool, filters: dict):
        outlines = Boundary.objects.restrict(self.actor, VIEW, within=region.path)
        for chunk in keyset_chunks(outlines, ["path", "region_id", "region__code", "geometry"]):
            for _path, _id, code, geometry in chunk:
                yield [code, json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))]
