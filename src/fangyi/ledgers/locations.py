"""Finding a building from what a ledger row says: its code, or street/community/grid/building
names. The regions a user may see are loaded once per import (a city of ten million has about
a hundred thousand of them), so a million rows resolve from memory."""

from __future__ import annotations

import re
from typing import NamedTuple

from django.utils.translation import gettext as _

from fangyi.core.permissions import EVERYWHERE, VIEW, scope_paths
from fangyi.regions.area import REGION
from fangyi.regions.models import PATH_LENGTHS, Level, Region, ancestor_paths

from . import normalise
from .normalise import FULL_WIDTH

NAME_LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING)
MAX_CANDIDATES = 5
_SPACE = re.compile(r"\s+")


class RegionRef(NamedTuple):
    id: object
    code: str
    path: str
    level: int
    name: str
    parent_id: object


def fold(name: str) -> str:
    """Names compare without spaces, full-width forms or case: "１ 号楼" is "1号楼"."""
    return _SPACE.sub("", (name or "").translate(FULL_WIDTH)).casefold()


class LocationError(ValueError):
    pass


def region_code(value) -> str:
    """A region code cell: digits only; a long code Excel turned into a number is refused,
    because a float keeps only 15 of its 18 digits."""
    if isinstance(value, float) and value >= 1e15:
        raise normalise.CellError(
            _("代码被 Excel 存成了数字，后几位已经丢失；请把该列设为文本格式后重新填写。")
        )
    code = normalise.text(value).replace(" ", "")
    if code and not code.isdigit():
        raise normalise.CellError(_("代码只能包含数字：%(value)s") % {"value": code})
    return code


class RegionIndex:
    def __init__(self, *, actor, within: str = "", levels=None):
        levels = levels or [Level.DISTRICT, *NAME_LEVELS]
        rows = (
            Region.objects.restrict(actor, VIEW, within=within)
            .filter(level__in=levels)
            .values_list("id", "code", "path", "level", "name", "parent_id")
        )
        self.by_code: dict[str, RegionRef] = {}
        self.by_path: dict[str, RegionRef] = {}
        self.by_id: dict[object, RegionRef] = {}
        self.buildings_by_name: dict[str, list[RegionRef]] = {}
        for row in rows.iterator(chunk_size=5000):
            self.add(RegionRef(*row))
        # The regions above one's scope give the street and community names a ledger row
        # writes (and an export shows) for a grid worker's own buildings.
        scope = scope_paths(actor, REGION, VIEW)
        roots = [within] if within else []
        if scope is not EVERYWHERE:
            roots.extend(scope)
        above = {path for root in roots for path in ancestor_paths(root)[:-1]}
        if above:
            for row in Region.objects.filter(path__in=above, level__in=levels).values_list(
                "id", "code", "path", "level", "name", "parent_id"
            ):
                self.add(RegionRef(*row))
        self._resolved: dict[tuple, RegionRef | str] = {}

    def add(self, ref: RegionRef) -> None:
        self.by_code[ref.code] = ref
        self.by_path[ref.path] = ref
        self.by_id[ref.id] = ref
        if ref.level == Level.BUILDING:
            self.buildings_by_name.setdefault(fold(ref.name), []).append(ref)

    def ancestor(self, ref: RegionRef, level: Level) -> RegionRef | None:
        return self.by_path.get(ref.path[: PATH_LENGTHS[level]])

    def ancestor_name(self, path: str, level: Level) -> str:
        ref = self.by_path.get(path[: PATH_LENGTHS[level]])
        return ref.name if ref else ""

    def describe(self, ref: RegionRef) -> str:
        names = [self.ancestor_name(ref.path, level) for level in NAME_LEVELS[:-1]]
        return "/".join([*(n for n in names if n), ref.name]) + f"（{ref.code}）"

    def building(self, *, code: str = "", names: tuple[str, str, str, str] = ("", "", "", "")):
        """The building a row names; LocationError says why none or which several fit."""
        key = (code, *names)
        found = self._resolved.get(key)
        if found is None:
            try:
                found = self._building(code, names)
            except LocationError as exc:
                found = str(exc)
            self._resolved[key] = found
        if isinstance(found, str):
            raise LocationError(found)
        return found

    def _building(self, code: str, names: tuple[str, str, str, str]) -> RegionRef:
        if code:
            ref = self.by_code.get(code)
            if ref is None:
                raise LocationError(
                    _("没有代码为 %(code)s 的楼栋，或它不在您的辖区内。") % {"code": code}
                )
            if ref.level != Level.BUILDING:
                raise LocationError(
                    _("代码 %(code)s 是%(level)s，不是楼栋。")
                    % {"code": code, "level": Level(ref.level).label}
                )
            return ref
        street, community, grid, building = (fold(n) for n in names)
        if not building:
            raise LocationError(_("请填写楼栋代码，或楼栋名称（可加街道、社区、网格名称）。"))
        candidates = [
            ref
            for ref in self.buildings_by_name.get(building, ())
            if all(
                not wanted or fold(self.ancestor_name(ref.path, level)) == wanted
                for wanted, level in (
                    (grid, Level.GRID),
                    (community, Level.COMMUNITY),
                    (street, Level.STREET),
                )
            )
        ]
        given = "/".join(n for n in names if n)
        if not candidates:
            raise LocationError(_("找不到楼栋“%(names)s”，或它不在您的辖区内。") % {"names": given})
        if len(candidates) > 1:
            shown = "；".join(self.describe(ref) for ref in candidates[:MAX_CANDIDATES])
            more = len(candidates) - MAX_CANDIDATES
            if more > 0:
                shown += _("；另有 %(n)d 个") % {"n": more}
            raise LocationError(
                _("楼栋“%(names)s”不唯一，可能是：%(candidates)s。请填写楼栋代码或补全上级名称。")
                % {"names": given, "candidates": shown}
            )
        return candidates[0]
