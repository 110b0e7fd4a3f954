"""What a figure is, and the roll-up every source shares.

A source counts its rows grouped by the grid part of their region path (one grouped query per
source for every region at once); `roll_up` adds each grid's count to its community, street,
district, city and province. Figures stop at the grid: buildings are counted in their grid.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.http import urlencode

from fangyi.core.paths import under
from fangyi.regions.models import ancestor_paths

GRID_PATH = 15

Values = dict[str, dict[str, float]]


@dataclass(frozen=True)
class Figure:
    """One figure: `key` is stable (snapshots and the API use it), `name` and `unit` are
    gettext-lazy texts, `list_url` names the page that lists what it counts and the query it
    takes besides the region (the region's code is added as `region`), or None where no page
    lists it yet. `day_filter`: the list also takes the day, as `day`."""

    key: str
    name: object
    unit: object
    group: object
    list_url: str | None = None
    list_query: tuple[tuple[str, str], ...] = ()
    day_filter: bool = False
    headline: bool = False

    def url(self, region_code: str, day) -> str | None:
        if not self.list_url:
            return None
        query = [*self.list_query, ("region", region_code)]
        if self.day_filter:
            query.append(("day", day.isoformat()))
        return f"{reverse(self.list_url)}?{urlencode(query)}"


@dataclass(frozen=True)
class Source:
    """A source area's figures and the function that counts them for a day, within a region
    path ("" for everywhere): (day, now, within) -> {key: {path: value}} for every path."""

    figures: tuple[Figure, ...]
    compute: Callable


def roll_up(rows: Iterable[tuple[str, float]], within: str = "") -> dict[str, float]:
    """Counts by (grid or lower) path, added up to every ancestor down to the grid. Ancestors
    above `within` are left out: a district's screen does not count its city."""
    by_grid: dict[str, float] = defaultdict(float)
    for path, count in rows:
        by_grid[path[:GRID_PATH]] += count
    totals: dict[str, float] = defaultdict(float)
    for grid, count in by_grid.items():
        for ancestor in ancestor_paths(grid):
            if len(ancestor) >= len(within):
                totals[ancestor] += count
    return dict(totals)


def grouped(queryset: QuerySet, within: str, by: str | None = None) -> dict[str, dict[str, float]]:
    """One GROUP BY over the grid part of `region_path` (and `by`, when given): counts per
    value of `by` (or under "" without it), rolled up the tree."""
    queryset = queryset.filter(under("region_path", within))
    columns = ["grid"] + ([by] if by else [])
    rows = (
        queryset.annotate(grid=Substr("region_path", 1, GRID_PATH))
        .order_by()
        .values(*columns)
        .annotate(n=Count("*"))
        .values_list(*columns, "n")
    )
    split: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in rows:
        split[row[1] if by else ""].append((row[0], row[-1]))
    return {value: roll_up(pairs, within) for value, pairs in split.items()}
