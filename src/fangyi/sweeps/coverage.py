"""A sweep's coverage ("不漏一户不漏一人"): per region, down to the building, how many households
the sweep has, how many were visited, how many are still to visit (never answered, answered
once not, listed for the community after two misses), and what the visits found: people
confirmed, newcomers, arrivals from risk areas, households visited twice.

One GROUP BY over the sweep's doors by building path (the doors carry their building's path
and the running figures of their visits), then Python adds the buildings up the tree. Only
the doors the user may see (sweep view scope) are counted. The unvisited doors are a live list.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from fangyi.core.permissions import VIEW
from fangyi.regions.models import PATH_LENGTHS, Level, Region, ancestor_paths

from .models import Door, DoorState, Sweep

FIGURES = (
    "households",
    "visited",
    "not_answered",
    "listed",
    "confirmed",
    "newcomers",
    "arrivals",
    "conflicts",
)


@dataclass
class Counts:
    households: int = 0
    visited: int = 0
    not_answered: int = 0
    listed: int = 0
    confirmed: int = 0
    newcomers: int = 0
    arrivals: int = 0
    conflicts: int = 0

    @property
    def to_visit(self) -> int:
        return self.households - self.visited

    @property
    def percent(self) -> float | None:
        return None if not self.households else round(100 * self.visited / self.households, 1)

    def add(self, other: "Counts") -> None:
        for name in FIGURES:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Row:
    region: Region
    counts: Counts


@dataclass
class Coverage:
    region: Region
    total: Counts
    rows: list[Row] = field(default_factory=list)


def doors(user, sweep: Sweep, *, within: str = "", action: str = VIEW):
    return Door.objects.restrict(user, action, within=within).filter(sweep=sweep)


def by_building(user, sweep: Sweep, *, within: str = "") -> dict[str, Counts]:
    """The figures of each building of the sweep the user may see (under `within`)."""
    rows = (
        doors(user, sweep, within=within)
        .order_by()
        .values("region_path")
        .annotate(
            households=Count("id"),
            visited=Count("id", filter=Q(state=DoorState.VISITED)),
            not_answered=Count("id", filter=Q(state=DoorState.NOT_ANSWERED)),
            listed=Count("id", filter=Q(state=DoorState.LISTED)),
            confirmed_sum=Sum("confirmed"),
            newcomers_sum=Sum("newcomers"),
            arrivals_sum=Sum("arrivals"),
            conflicts=Count("id", filter=Q(conflict=True)),
        )
    )
    return {
        row["region_path"]: Counts(
            households=row["households"],
            visited=row["visited"],
            not_answered=row["not_answered"],
            listed=row["listed"],
            confirmed=row["confirmed_sum"] or 0,
            newcomers=row["newcomers_sum"] or 0,
            arrivals=row["arrivals_sum"] or 0,
            conflicts=row["conflicts"],
        )
        for row in rows
    }


def rolled_up(buildings: dict[str, Counts]) -> dict[str, Counts]:
    """Every region above the buildings, with the sum of its buildings."""
    totals: dict[str, Counts] = {}
    for path, counts in buildings.items():
        for ancestor in ancestor_paths(path):
            totals.setdefault(ancestor, Counts()).add(counts)
    return totals


def coverage(user, sweep: Sweep, region: Region) -> Coverage:
    """The region's figures and its children's (those the sweep reaches), by path."""
    totals = rolled_up(by_building(user, sweep, within=region.path))
    total = totals.get(region.path, Counts())
    if region.level == Level.BUILDING:
        return Coverage(region=region, total=total)
    length = PATH_LENGTHS[Level(region.level + 1)]
    child_paths = sorted(path for path in totals if len(path) == length)
    children = {child.path: child for child in Region.objects.filter(path__in=child_paths)}
    rows = [Row(children[path], totals[path]) for path in child_paths if path in children]
    return Coverage(region=region, total=total, rows=rows)


def unvisited(user, sweep: Sweep, region: Region, *, state: str = ""):
    """The doors of the region not visited yet (or only those in `state`), by building."""
    rows = doors(user, sweep, within=region.path).exclude(state=DoorState.VISITED)
    if state:
        rows = rows.filter(state=state)
    return rows.select_related("household", "household__building")
