"""Health: residents by colour, and the zones in force by kind with the residents inside."""

from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangyi.core.paths import under
from fangyi.health.counts import colour_counts
from fangyi.health.models import Colour, Zone, ZoneRegion
from fangyi.regions.models import Region

from .base import GRID_PATH, Figure, Source, grouped, roll_up

PEOPLE = _("人")
ZONES = _("个")
COLOURS = _("健康码")
ZONE_GROUP = _("管控区域")

COLOUR_FIGURES = tuple(
    Figure(
        key=f"residents.{colour.value}",
        name=colour.label,
        unit=PEOPLE,
        group=COLOURS,
        list_url="people:person-list",
        list_query=(("colour", colour.value),),
        headline=colour.value != Colour.GREEN,
    )
    for colour in Colour
)

# The kinds of the shipped plans, by how hard they hold: a sealed zone (封控区) and a high-risk
# area are both "stay at home".
ZONE_CLASSES = {
    "sealed": ("sealed", "high"),
    "controlled": ("controlled", "medium"),
    "precaution": ("precaution", "low"),
}
ZONE_NAMES = {
    "sealed": _("封控区（高风险区）"),
    "controlled": _("管控区（中风险区）"),
    "precaution": _("防范区（低风险区）"),
}
ZONE_FIGURES = tuple(
    Figure(
        key=f"zones.{name}",
        name=ZONE_NAMES[name],
        unit=ZONES,
        group=ZONE_GROUP,
        list_url="health:zone-list",
        list_query=tuple(("kind", kind) for kind in ZONE_CLASSES[name]),
    )
    for name in ZONE_CLASSES
)
ZONE_RESIDENTS = Figure(
    key="zones.residents",
    name=_("管控区域内居民"),
    unit=PEOPLE,
    group=ZONE_GROUP,
    list_url="health:zone-list",
    headline=True,
)


def compute(day, now, within: str) -> dict[str, dict[str, float]]:
    values = {}
    # Health's stored counts per path and colour (kept by triggers), not a GROUP BY over
    # every status: a city's colours read in a few thousand rows.
    by_colour: dict[str, list[tuple[str, float]]] = {colour.value: [] for colour in Colour}
    for path, colour, stored in colour_counts(within, depth=GRID_PATH):
        by_colour.setdefault(colour, []).append((path, stored))
    for colour in Colour:
        values[f"residents.{colour.value}"] = roll_up(by_colour[colour.value], within)
    active = Zone.objects.filter(lifted_at__isnull=True, starts_at__lte=now)
    by_kind = grouped(active, within, by="kind")
    for name, kinds in ZONE_CLASSES.items():
        merged: dict[str, float] = {}
        for kind in kinds:
            for path, count in by_kind.get(kind, {}).items():
                merged[path] = merged.get(path, 0) + count
        values[f"zones.{name}"] = merged
    values[ZONE_RESIDENTS.key] = _residents_inside(active, within)
    return values


def _residents_inside(active, within: str) -> dict[str, float]:
    """Residents living in a zone in force, from the regions' stored counts: a zone's region
    counts its residents in itself and every ancestor, and each region below it counts all of
    its own. A region covered by two zones counts once."""
    paths = set(
        ZoneRegion.objects.filter(zone__in=active).values_list("path", flat=True).distinct()
    )
    outermost = sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
    if not outermost:
        return {}
    counts = dict(Region.objects.filter(path__in=outermost).values_list("path", "resident_count"))
    relevant = [p for p in outermost if p.startswith(within) or within.startswith(p)]
    values = roll_up(
        ((path, counts.get(path, 0)) for path in relevant if path.startswith(within)), within
    )
    inner = reduce(or_, (under("path", p) for p in relevant), Q(pk__in=[]))
    for path, count in (
        Region.objects.filter(inner)
        .filter(under("path", within))
        .exclude(path__in=outermost)
        .values_list("path", "resident_count")
    ):
        if len(path) <= 15:
            values[path] = count
    return values


SOURCE = Source(figures=(*COLOUR_FIGURES, *ZONE_FIGURES, ZONE_RESIDENTS), compute=compute)
