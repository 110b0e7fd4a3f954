"""Necessities monitoring: the whole city's lights from a day of reports, and a year of one
item's series for the chart.

    .venv/bin/python benchmarks/markets.py [--points 5000] [--days 20] [--rounds 3]
        [--json out.json]
    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_markets \\
        .venv/bin/python benchmarks/markets.py

Without FANGYI_DATABASE_URL a scratch SQLite database is made in a temporary directory and
migrated; with it, the database must be an empty, migrated one of its own (everything is
written into it and left there). Check it small: `--points 200 --days 20`.

The city: 10 districts × 10 streets × 10 communities × 2 grids (3,112 regions with the city
and province); `--points` monitoring points spread over the grids, each reporting all 20
basket items every day for `--days` days (the windows of the published rule need 20),
written in bulk (setup, not timed). Then, each over `--rounds` rounds (best and median):

- lights: the whole city from the last day's reports, as after a city-wide ledger import:
  `services.refresh_figures` for every item of the day (one grouped INSERT … SELECT per
  region level) and `services.recompute_all` (every item × region light evaluated by the
  pure rules; new and changed ones written, the others moved to the day), timed apart and
  together. Before each round the lights are set back a day, as the day before left them:
  the first round writes every light, the others move every light to its day. Goal: < 5 s
  together.
- series: a year of one item in one street, from its points' reports (the year before the
  city's days written for that street's first 40 points only); the API's GET /api/v1/markets/lights/{id}/series?days=365 through
  Django's test client (token, schema, JSON) and `services.chart` alone. Goal: < 300 ms.

The load average is printed before and after: the machine may be shared.
"""

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
SCRATCH = None
if "FANGYI_DATABASE_URL" not in os.environ:
    SCRATCH = tempfile.mkdtemp(prefix="fangyi-bench-markets-")
    os.environ["FANGYI_DATABASE_URL"] = f"sqlite:///{SCRATCH}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
# The series is asked through Django's test client.
os.environ.setdefault("FANGYI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.accounts.services import issue_token  # noqa: E402
from fangyi.core.bulk import TableWriter  # noqa: E402
from fangyi.markets import services  # noqa: E402
from fangyi.markets.models import (  # noqa: E402
    DailyFigure,
    Item,
    Light,
    MonitoringPoint,
    PriceReport,
    today,  # noqa: E402
)
from fangyi.regions.models import Level, Region  # noqa: E402

GOALS = {"lights": 5.0, "series": 0.3}
SERIES_DAYS = 365
SERIES_POINTS = 40


def seconds(work):
    started = time.perf_counter()
    value = work()
    return time.perf_counter() - started, value


def build_regions() -> tuple[list[Region], Region]:
    """The city's tree, bulk-created; answers the grids and the first street."""
    province = Region.objects.create(code="350000", name="福建省", level=Level.PROVINCE)
    city = Region.objects.create(code="350100", name="福州市", level=Level.CITY, parent=province)
    rows, grids = [], []

    def add(code, name, level, parent, path):
        region = Region(
            id=uuid.uuid4(), code=code, name=name, level=level, parent=parent, path=path
        )
        rows.append(region)
        return region

    first_street = None
    for d in range(10):
        district = add(f"3501{d + 1:02d}", f"区{d + 1}", Level.DISTRICT, city, f"3501{d + 1:02d}")
        for s in range(10):
            path = f"{district.path}{s + 1:03d}"
            street = add(f"{path}", f"街道{d + 1}-{s + 1}", Level.STREET, district, path)
            first_street = first_street or street
            for c in range(10):
                cpath = f"{path}{c + 1:03d}"
                community = add(cpath, f"社区{cpath[-6:]}", Level.COMMUNITY, street, cpath)
                for g in range(2):
                    gpath = f"{cpath}{g + 1:03d}"
                    grids.append(add(gpath, f"网格{gpath[-6:]}", Level.GRID, community, gpath))
    Region.objects.bulk_create(rows, batch_size=2000)
    return grids, first_street


def build_points(grids: list[Region], count: int) -> list[MonitoringPoint]:
    points = [
        MonitoringPoint(
            id=uuid.uuid4(),
            code=f"B{n:05d}",
            name=f"监测点{n}",
            kind="supermarket" if n % 2 else "market",
            region=grids[n % len(grids)],
            region_path=grids[n % len(grids)].path,
        )
        for n in range(count)
    ]
    MonitoringPoint.objects.bulk_create(points, batch_size=2000)
    return points


def write_reports(points, items, days: list[datetime.date], rng: random.Random) -> int:
    columns = ["id", "point_id", "item_id", "day", "region_path", "price", "stock", "sales"]
    writer = TableWriter(
        PriceReport,
        columns,
        {"reporter_id": None, "reported_at": datetime.datetime.now(datetime.UTC)},
    )
    base = {item.pk: Decimal(rng.randint(200, 8000)) / 100 for item in items}
    written = 0
    for day in days:
        rows = []
        for point in points:
            for item in items:
                price = (base[item.pk] * Decimal(1 + rng.uniform(-0.02, 0.02))).quantize(
                    Decimal("0.01")
                )
                sales = Decimal(rng.randint(20, 200))
                rows.append(
                    (
                        uuid.uuid4(),
                        point.pk,
                        item.pk,
                        day,
                        point.region_path,
                        price,
                        sales * 30,
                        sales,
                    )
                )
        with transaction.atomic():
            writer.write(rows)
        written += len(rows)
    return written


def time_lights(items, day, rounds: int) -> dict:
    touched = {(item.pk, day) for item in items}
    figures, lights, totals = [], [], []
    written = 0
    for _round in range(rounds):
        with transaction.atomic():
            # As the day before left them (untimed): every light moves to the new day, as
            # after a day's import, and not only those whose verdict changed.
            Light.objects.update(day=F("day") - datetime.timedelta(days=1))
            spent_figures, _ = seconds(lambda: services.refresh_figures(touched))
            spent_lights, written = seconds(lambda: services.recompute_all(day))
        figures.append(spent_figures)
        lights.append(spent_lights)
        totals.append(spent_figures + spent_lights)
    return {
        "lights": written,
        "seconds": round(min(totals), 3),
        "median_seconds": round(statistics.median(totals), 3),
        "figures_seconds": round(min(figures), 3),
        "recompute_seconds": round(min(lights), 3),
    }


def time_series(street: Region, items, rounds: int, rng: random.Random, after: int) -> dict:
    item = items[3]
    points = list(
        MonitoringPoint.objects.filter(region_path__startswith=street.path)[:SERIES_POINTS]
    )
    end = today()
    # The year before the city's `after` days of reports, so that the chart's year is whole.
    days = [end - datetime.timedelta(days=n) for n in range(after + SERIES_DAYS - 1, after - 1, -1)]
    write_reports(points, [item], days, rng)
    services.refresh_figures({(item.pk, day) for day in days})
    services.recompute_all(end)
    light = Light.objects.get(item=item, region_path=street.path)
    admin = User.objects.create(username="bench-admin", is_superuser=True, is_staff=True)
    client = Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=admin)}"})
    url = f"/api/v1/markets/lights/{light.pk}/series?days={SERIES_DAYS}"
    api, direct = [], []
    for _round in range(rounds):
        spent, response = seconds(lambda: client.get(url))
        assert response.status_code == 200, response.content[:200]
        api.append(spent)
        spent, (chart, _rules) = seconds(lambda: services.chart(light, SERIES_DAYS))
        direct.append(spent)
    priced = sum(1 for point in chart if point.price is not None)
    return {
        "days": SERIES_DAYS,
        "priced_days": priced,
        "seconds": round(min(api), 3),
        "median_seconds": round(statistics.median(api), 3),
        "chart_seconds": round(min(direct), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--points", type=int, default=5000)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load_before = load_average()
    if SCRATCH:
        call_command("migrate", verbosity=0)
    if Region.objects.exists():
        sys.exit("The database is not empty: give the benchmark a database of its own.")
    items = list(Item.objects.all())
    end = today()
    days = [end - datetime.timedelta(days=n) for n in range(args.days - 1, -1, -1)]
    built_regions, (grids, street) = seconds(build_regions)
    points = build_points(grids, args.points)
    built_reports, reports = seconds(lambda: write_reports(points, items, days, rng))
    # Every day but the last is in the figures already, as the daily imports left them.
    seconds(lambda: services.refresh_figures({(i.pk, d) for i in items for d in days[:-1]}))
    if connection.vendor == "postgresql":
        # The planner's statistics, as autovacuum would have left them after the imports
        # (without them the city's statement joined the last days' figures row by row).
        with connection.cursor() as cursor:
            for model in (Region, PriceReport, DailyFigure, Light):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    lights = time_lights(items, end, args.rounds)
    series = time_series(street, items, args.rounds, rng, args.days)
    result = {
        "machine": {
            "python": platform.python_version(),
            "database": database_version(),
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "load_after": load_average(),
        },
        "points": args.points,
        "items": len(items),
        "reports": reports,
        "regions": Region.objects.count(),
        "figures": DailyFigure.objects.count(),
        "setup_seconds": {"regions": round(built_regions, 1), "reports": round(built_reports, 1)},
        "lights": lights,
        "series": series,
        "goals": GOALS,
        "colours": dict(
            sorted(
                (colour, Light.objects.filter(colour=colour).count())
                for colour in ("green", "yellow", "red", "none")
            )
        ),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    for name, figure, goal in (
        (f"lights, whole city ({lights['lights']:,} lights)", lights["seconds"], GOALS["lights"]),
        (f"series, {SERIES_DAYS} days via API", series["seconds"], GOALS["series"]),
    ):
        verdict = "met" if figure < goal else "NOT met"
        print(f"{name}: {figure} s (goal < {goal} s, {verdict})")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    if SCRATCH:
        shutil.rmtree(SCRATCH, ignore_errors=True)


if __name__ == "__main__":
    main()
