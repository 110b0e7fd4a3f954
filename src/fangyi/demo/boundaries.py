"""Synthetic outlines for the demo city, so that the command screen draws a map: the city is a
rectangle of about 40 × 40 km near Fuzhou, cut into its districts, each district into its
streets, and so on down to the grids. No real geography: each region's children are laid out
in rows of slightly slanted quadrilaterals mapped through their parent's four corners, so they
cover it (where rows of different sizes meet, within a few metres: the map's borders hide
that)."""

import math
import random
from collections import defaultdict

from fangyi.regions.models import Boundary, Level, Region

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]  # south-west, south-east, north-east, north-west

# The city's corners, longitude and latitude (WGS84).
CITY: Quad = ((119.10, 25.90), (119.50, 25.90), (119.50, 26.25), (119.10, 26.25))


def _row_sizes(count: int) -> list[int]:
    rows = max(1, round(math.sqrt(count)))
    return [count // rows + (1 if r < count % rows else 0) for r in range(rows)]


def unit_tiles(count: int, rng: random.Random) -> list[Quad]:
    """`count` quadrilaterals tiling the unit square, in rows from the south, each row cut at
    jittered points; the lines between rows are slanted a little, so no two maps look alike."""
    sizes = _row_sizes(count)
    rows = len(sizes)
    # Each line between rows: v = centre + slope × (u − ½); the outer two are the square's.
    lines = [(0.0, 0.0)]
    for r in range(1, rows):
        lines.append((r / rows + rng.uniform(-0.15, 0.15) / rows, rng.uniform(-0.1, 0.1) / rows))
    lines.append((1.0, 0.0))

    def cuts(size: int) -> list[float]:
        return [0.0, *(i / size + rng.uniform(-0.2, 0.2) / size for i in range(1, size)), 1.0]

    tiles: list[Quad] = []
    for r, size in enumerate(sizes):
        (low, low_slope), (high, high_slope) = lines[r], lines[r + 1]
        below, above = cuts(size), cuts(size)
        for i in range(size):
            tiles.append(
                (
                    (below[i], low + low_slope * (below[i] - 0.5)),
                    (below[i + 1], low + low_slope * (below[i + 1] - 0.5)),
                    (above[i + 1], high + high_slope * (above[i + 1] - 0.5)),
                    (above[i], high + high_slope * (above[i] - 0.5)),
                )
            )
    return tiles


def place(quad: Quad, point: Point) -> Point:
    """A point of the unit square mapped into the quadrilateral (bilinear: lines of the square
    stay straight, so tiles of the square tile the quadrilateral)."""
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = quad
    u, v = point
    x = (1 - u) * (1 - v) * ax + u * (1 - v) * bx + u * v * cx + (1 - u) * v * dx
    y = (1 - u) * (1 - v) * ay + u * (1 - v) * by + u * v * cy + (1 - u) * v * dy
    return (x, y)


def polygon(quad: Quad) -> dict:
    ring = [[round(x, 5), round(y, 5)] for x, y in (*quad, quad[0])]
    return {"type": "Polygon", "coordinates": [ring]}


def seed_boundaries(seed: int = 0) -> int:
    """Outlines for every city and the regions below it down to the grids; replaces any the
    demo wrote before. Returns how many were written."""
    rng = random.Random(seed)
    rows = Region.objects.filter(level__gte=Level.CITY, level__lte=Level.GRID).order_by("path")
    children: dict[object, list[tuple]] = defaultdict(list)
    cities = []
    for row in rows.values_list("id", "path", "level", "parent_id"):
        if row[2] == Level.CITY:
            cities.append(row)
        else:
            children[row[3]].append(row)
    outlines: list[Boundary] = []

    def outline(row: tuple, quad: Quad) -> None:
        outlines.append(Boundary(region_id=row[0], path=row[1], geometry=polygon(quad)))
        below = children.get(row[0], [])
        for child, tile in zip(below, unit_tiles(len(below), rng), strict=True):
            outline(child, tuple(place(quad, corner) for corner in tile))  # type: ignore[arg-type]

    for city in cities:
        outline(city, CITY)
    Boundary.objects.filter(path__in=[o.path for o in outlines]).delete()
    Boundary.objects.bulk_create(outlines, batch_size=1000)
    return len(outlines)
