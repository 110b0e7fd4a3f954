"""The grid tree, read-only. Regions are named by their code, never by an internal id.

A caller sees the regions under their role assignments (`Region.objects.restrict(user,
"view")`): a grid worker sees their grid and its buildings, not the community above it.
`?parent=` lists the visible children of any code, so a grid worker asking for the children
of their community gets their own grid.
"""

from typing import Literal

from ninja import Field, Query, Router, Schema

from fangyi.core.api import page_of
from fangyi.core.permissions import VIEW
from fangyi.core.schemas import ERROR_RESPONSES, PageParams, Text

from .models import LEVEL_NAMES, Region

router = Router(tags=["regions"])

LevelSlug = Literal[*LEVEL_NAMES]  # type: ignore[valid-type]  # a Literal of the choices, built at run time


class RegionParams(PageParams):
    parent: str | None = Field(None, description="code of the parent region")
    level: LevelSlug | None = None


class RegionRead(Schema):
    code: str
    name: str
    level: LevelSlug
    path: str
    parent: str | None
    resident_count: int
    household_count: int

    @staticmethod
    def resolve_level(region: Region) -> str:
        return region.level_slug

    @staticmethod
    def resolve_parent(region: Region) -> str | None:
        return region.parent.code if region.parent else None


class RegionPage(Schema):
    items: list[RegionRead]
    next_cursor: str | None


@router.get("", response={200: RegionPage, **ERROR_RESPONSES})
def list_regions(request, params: Query[RegionParams]):
    """Visible regions in tree order (a parent comes before its children)."""
    regions = Region.objects.restrict(request.auth, VIEW).select_related("parent")
    if params.parent:
        regions = regions.filter(parent__code=params.parent)
    if params.level:
        regions = regions.filter(level=LEVEL_NAMES[params.level])
    items, next_cursor = page_of(regions, ordering=("path",), page=params)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{code}", response={200: RegionRead, **ERROR_RESPONSES})
def get_region(request, code: Text):
    return Region.objects.restrict(request.auth, VIEW).select_related("parent").get(code=code)
