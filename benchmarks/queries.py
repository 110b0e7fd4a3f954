"""Latency of the person list, ID-tail search and region pages on a seeded database.

    FANGYI_DATABASE_URL=sqlite:///var/bench-1m.sqlite3 .venv/bin/python benchmarks/queries.py
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/queries.py [--requests 200] [--json results.json]

The database must hold a city made by `fangyi seed --demo-staff` (benchmarks/seed.py keeps
two). Requests go through django.test.Client in this process, signed in as the demo
`commander` (whose scope is the whole city, so every query also carries the scope filter), so
the figures include URL routing, middleware, the view, serialisation and the database, but
no network or WSGI server. Each series draws its grids, districts and digits from a seeded
generator, sends a few unmeasured requests first, then reports the median and p95 of
`--requests` requests. The baseline is what Django's Paginator would do for the same pages:
COUNT(*) plus OFFSET, timed as ORM calls without HTTP, once with the naive
`region_path__startswith` (LIKE, which PostgreSQL answers from a B-tree only under the C
collation) and once with the index range that core.paths.under writes.
"""

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402
from machine import database_version  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.pagination import encode_cursor, keyset_page  # noqa: E402
from fangyi.core.paths import under  # noqa: E402
from fangyi.demo.city import CITY  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402

PAGE_SIZE = 50
DEEP_PAGES = 10
FAR_OFFSET = 100_000  # page 2,001 of a district list
WARM_UP = 5
COLD_REQUESTS = 20  # counting a whole city is slow: fewer of those
GOALS_MS = {"list": 150, "search": 300, "tree": 200}
SCOPE_ORDER = ("region_path", "id")


class Series:
    def __init__(self, name: str, goal: str | None, note: str = ""):
        self.name, self.goal, self.note = name, goal, note
        self.timings_ms: list[float] = []
        self.failure = ""

    def row(self) -> dict:
        timings = sorted(self.timings_ms)
        median = statistics.median(timings) if timings else None
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)] if timings else None
        goal_ms = GOALS_MS.get(self.goal) if self.goal else None
        return {
            "name": self.name,
            "goal_ms": goal_ms,
            "median_ms": round(median, 1) if median is not None else None,
            "p95_ms": round(p95, 1) if p95 is not None else None,
            "max_ms": round(timings[-1], 1) if timings else None,
            "n": len(timings),
            "meets_goal": None if goal_ms is None or p95 is None else p95 < goal_ms,
            "note": self.failure or self.note,
        }


class Bench:
    def __init__(self, client: Client, requests: int):
        self.client = client
        self.requests = requests
        self.series: list[Series] = []

    def http(
        self,
        name: str,
        goal: str | None,
        url_for: Callable[[int], str],
        note: str = "",
        *,
        before: Callable[[], object] | None = None,
        requests: int | None = None,
    ) -> Series:
        """Times GET url_for(i), after calling `before` untimed if given; a series stops at the
        first answer that is not 200."""
        series = Series(name, goal, note)
        self.series.append(series)
        for i in range(-WARM_UP, requests or self.requests):
            url = url_for(i)
            if before is not None:
                before()
            started = time.perf_counter()
            response = self.client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                series.failure = f"{url} answered {response.status_code}"
                series.timings_ms.clear()
                break
            if i >= 0:
                series.timings_ms.append(elapsed)
        print(f"  {series.name}: {series.row()}", file=sys.stderr)
        return series

    def orm(self, name: str, run: Callable[[int], object], note: str = "") -> Series:
        series = Series(name, None, note)
        self.series.append(series)
        for i in range(-WARM_UP, self.requests):
            started = time.perf_counter()
            run(i)
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 0:
                series.timings_ms.append(elapsed)
        print(f"  {series.name}: {series.row()}", file=sys.stderr)
        return series


def follow(client: Client, url: str, pages: int) -> str:
    """The cursor of page `pages + 1`, reached by following next_cursor from the first page."""
    cursor = None
    for _ in range(pages):
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""))
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        cursor = response.json()["next_cursor"]
    return cursor


def row_cursor(path: str, offset: int) -> str:
    """The cursor that keyset pagination would hand out after `offset` rows under `path`."""
    last = (
        Person.objects.filter(under("region_path", path))
        .order_by(*SCOPE_ORDER)
        .values_list(*SCOPE_ORDER)[offset - 1]
    )
    return encode_cursor(last)


def paginator_page(path: str, number: int, *, like: bool = True) -> None:
    scope = Q(region_path__startswith=path) if like else under("region_path", path)
    queryset = Person.objects.filter(scope).order_by(*SCOPE_ORDER)
    page = Paginator(queryset, PAGE_SIZE).page(number)
    list(page.object_list)
    page.paginator.count  # noqa: B018 -- Paginator's COUNT(*) is what the baseline costs


def orm_series(
    bench: Bench, deep_grids: list, deep_cursors: list, biggest_path: str, far_cursor: str
):
    """The keyset queries alone and Django's Paginator for the same pages, as ORM calls."""

    def keyset_deep_grid(i: int) -> None:
        grid = deep_grids[i % len(deep_grids)]
        keyset_page(
            Person.objects.filter(under("region_path", grid.path)),
            ordering=SCOPE_ORDER,
            cursor=deep_cursors[i % len(deep_cursors)],
            size=PAGE_SIZE,
        )

    bench.orm(f"ORM keyset, grid page {DEEP_PAGES + 1}", keyset_deep_grid)
    bench.orm(
        f"ORM Paginator (COUNT + OFFSET), LIKE, grid page {DEEP_PAGES + 1}",
        lambda i: paginator_page(deep_grids[i % len(deep_grids)].path, DEEP_PAGES + 1),
        note="baseline",
    )
    bench.orm(
        f"ORM Paginator, range filter, grid page {DEEP_PAGES + 1}",
        lambda i: paginator_page(deep_grids[i % len(deep_grids)].path, DEEP_PAGES + 1, like=False),
        note="baseline without LIKE",
    )
    bench.orm(
        f"ORM keyset, district page {FAR_OFFSET // PAGE_SIZE + 1}",
        lambda i: keyset_page(
            Person.objects.filter(under("region_path", biggest_path)),
            ordering=SCOPE_ORDER,
            cursor=far_cursor,
            size=PAGE_SIZE,
        ),
    )
    bench.orm(
        f"ORM Paginator (COUNT + OFFSET), LIKE, district page {FAR_OFFSET // PAGE_SIZE + 1}",
        lambda i: paginator_page(biggest_path, FAR_OFFSET // PAGE_SIZE + 1),
        note="baseline",
    )
    bench.orm(
        f"ORM Paginator, range filter, district page {FAR_OFFSET // PAGE_SIZE + 1}",
        lambda i: paginator_page(biggest_path, FAR_OFFSET // PAGE_SIZE + 1, like=False),
        note="baseline without LIKE",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--user", default="commander", help="demo login to sign in as")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="leave out the ORM series (keyset and Paginator), which scan whole districts",
    )
    options = parser.parse_args()

    rng = random.Random(2026)
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=options.user))
    city = Region.objects.get(code=CITY[0])
    districts = list(Region.objects.filter(level=Level.DISTRICT, parent=city).order_by("path"))
    grids = list(Region.objects.filter(under("path", city.path), level=Level.GRID))
    biggest = max(districts, key=lambda d: d.resident_count)
    residents = city.resident_count
    print(f"{database_version()}: {residents:,} residents, {len(grids):,} grids", file=sys.stderr)

    bench = Bench(client, options.requests)
    n = options.requests + WARM_UP

    def grid_code(i: int) -> str:
        return grids[(i * 7919) % len(grids)].code

    def district_code(i: int) -> str:
        return districts[i % len(districts)].code

    api = "/api/v1/persons"
    bench.http("API city list, page 1", "list", lambda i: f"{api}?region={city.code}")
    bench.http(
        "API grid list, tag=elderly, page 1",
        "list",
        lambda i: f"{api}?region={grid_code(i)}&tag=elderly",
    )
    deep_grids = [grids[k] for k in rng.sample(range(len(grids)), min(20, len(grids)))]
    deep_cursors = [follow(client, f"{api}?region={g.code}", DEEP_PAGES) for g in deep_grids]
    bench.http(
        f"API grid list, page {DEEP_PAGES + 1} (by next_cursor)",
        "list",
        lambda i: (
            f"{api}?region={deep_grids[i % len(deep_grids)].code}"
            f"&cursor={deep_cursors[i % len(deep_cursors)]}"
        ),
    )
    for tag in ("elderly", "bedridden"):
        bench.http(
            f"API district list, tag={tag}, page 1",
            "list",
            lambda i, tag=tag: f"{api}?region={district_code(i)}&tag={tag}",
        )
    far_cursor = row_cursor(biggest.path, FAR_OFFSET)
    bench.http(
        f"API district list, page {FAR_OFFSET // PAGE_SIZE + 1} (keyset)",
        "list",
        lambda i: f"{api}?region={biggest.code}&cursor={far_cursor}",
        note=f"district {biggest.code}, {biggest.resident_count:,} residents",
    )
    digits = [f"{rng.randrange(10_000):04d}" for _ in range(n)]
    bench.http(
        "API search, last 4 ID digits in a district",
        "search",
        lambda i: f"{api}?region={district_code(i)}&q={digits[i]}",
    )
    bench.http(
        "API search, last 4 ID digits in the city",
        "search",
        lambda i: f"{api}?region={city.code}&q={digits[i]}",
    )

    tree = bench.http("page /regions/ (tree)", "tree", lambda i: "/regions/")
    if tree.failure:
        bench.http(
            "API /api/v1/regions?parent=<city> (tree fallback)",
            "tree",
            lambda i: f"/api/v1/regions?parent={city.code}",
        )
    bench.http("page /regions/<city>/", "tree", lambda i: f"/regions/{city.code}/")
    bench.http("page /regions/<district>/", "tree", lambda i: f"/regions/{district_code(i)}/")
    bench.http("page /regions/<grid>/", "tree", lambda i: f"/regions/{grid_code(i)}/")
    # The colour counts of a region page are cached for a minute and until a status under the
    # region changes (health.counts); these pay for counting them each time.
    for level, code_of in (("city", lambda i: city.code), ("district", district_code)):
        bench.http(
            f"page /regions/<{level}>/, colour counts not cached",
            "tree",
            lambda i, code_of=code_of: f"/regions/{code_of(i)}/",
            before=cache.clear,
            requests=min(options.requests, COLD_REQUESTS),
        )
    bench.http(
        "page /people/?region=<grid>&tag=elderly",
        "list",
        lambda i: f"/people/?region={grid_code(i)}&tag=elderly",
    )
    bench.http(
        "page /people/?region=<district>&q=<last 4>",
        "search",
        lambda i: f"/people/?region={district_code(i)}&q={digits[i]}",
    )

    if not options.no_baseline:
        orm_series(bench, deep_grids, deep_cursors, biggest.path, far_cursor)

    rows = [s.row() for s in bench.series]
    print(
        f"{database_version()}, {residents:,} residents; {platform.node()}, "
        f"{os.cpu_count()} cores; {options.requests} requests per series, as {options.user}"
    )
    print("| series | goal p95 | median ms | p95 ms | max ms | note |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        goal = f"< {r['goal_ms']}" if r["goal_ms"] else ""
        mark = {True: " ✓", False: " ✗", None: ""}[r["meets_goal"]]
        print(
            f"| {r['name']} | {goal} | {r['median_ms']} | {r['p95_ms']}{mark} "
            f"| {r['max_ms']} | {r['note']} |"
        )
    if options.json:
        with open(options.json, "w") as out:
            json.dump({"database": database_version(), "residents": residents, "rows": rows}, out)


if __name__ == "__main__":
    main()
