"""The command centre on a city already loaded: the screen for the whole city with today's
figures counted live, a district's screen for a past day from snapshots, the snapshot of every
region, and the same figures counted by the ORM one region at a time.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_command \\
        .venv/bin/python benchmarks/command.py [--rounds 10] [--per-region 200] [--json out.json]

The database must be a migrated copy of a loaded city (e.g. `CREATE DATABASE
fangyi_bench_command TEMPLATE fangyi_bench_1m`, then `fangyi migrate`); snapshots and a
superuser `bench_commander` are written into it. Timed, each over `--rounds` rounds:

- city screen: GET /command/ for the city through Django's test client (session, the whole
  page rendered), today's figures counted live; the first round is the cold one (no cache of
  fangyi's in between: the figures are never cached), p95 over all rounds. Goal: < 1 s.
- district screen: GET /command/?region=<district>&date=<yesterday>, figures from snapshots.
  Goal: < 200 ms.
- snapshot: `services.take_snapshot` for today, every region down to the grid. Goal: < 60 s.
- per region by the ORM: the same region's figures counted with one `count()` per figure
  per region for `--per-region` regions (chosen evenly over the levels), extrapolated to
  every region, for comparison with the snapshot's grouped queries.
"""

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
os.environ.setdefault("FANGYI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.command import services  # noqa: E402
from fangyi.command.figures.isolation import day_range  # noqa: E402
from fangyi.core.areas import cards_for  # noqa: E402
from fangyi.core.paths import under  # noqa: E402
from fangyi.health.models import Status, Zone  # noqa: E402
from fangyi.isolation.models import RUNNING_STATES, Order, OrderState  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402
from fangyi.screening.models import Sample  # noqa: E402
from fangyi.supplies.models import OPEN_STATES, Request, RequestState  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from machine import database_version, load_average  # noqa: E402


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def orm_per_region(region: Region, day: datetime.date, now: datetime.datetime) -> dict:
    """What a loop would do: each figure counted with its own query, for one region."""
    inside = under("region_path", region.path)
    start, end = day_range(day)
    counts = {}
    for colour in ("green", "yellow", "orange", "red"):
        counts[f"residents.{colour}"] = Status.objects.filter(inside, colour=colour).count()
    counts["zones"] = Zone.objects.filter(inside, lifted_at__isnull=True).count()
    running = Order.objects.filter(inside, state__in=RUNNING_STATES)
    for kind in ("centralised", "home", "home_monitoring"):
        counts[f"orders.{kind}"] = running.filter(kind=kind).count()
    counts["orders.to_place"] = Order.objects.filter(inside, state=OrderState.TO_PLACE).count()
    counts["orders.overdue"] = running.filter(planned_end_at__lt=now).count()
    counts["orders.released"] = Order.objects.filter(
        inside, state=OrderState.RELEASED, ended_at__gte=start, ended_at__lt=end
    ).count()
    counts["screening.sampled"] = Sample.objects.filter(
        inside, sampled_at__gte=start, sampled_at__lt=end
    ).count()
    open_requests = Request.objects.filter(inside, state__in=OPEN_STATES)
    counts["supplies.open"] = open_requests.count()
    counts["supplies.late"] = open_requests.filter(due_at__lt=now).count()
    counts["supplies.delivered"] = Request.objects.filter(
        inside, state=RequestState.DELIVERED, delivered_at__gte=start, delivered_at__lt=end
    ).count()
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-region", type=int, default=200)
    parser.add_argument("--json")
    options = parser.parse_args()
    results: dict = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "database": database_version(),
        "date": timezone.now().isoformat(timespec="seconds"),
        "load_before": load_average(),
        "residents": Region.objects.filter(parent__isnull=True).first().resident_count,
        "regions_to_grid": Region.objects.filter(level__lte=Level.GRID).count(),
    }
    user, _created = User.objects.get_or_create(
        username="bench_commander", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    city = Region.objects.filter(level=Level.CITY).order_by("path").first()
    district = Region.objects.filter(level=Level.DISTRICT).order_by("path").first()
    today = services.today()
    yesterday = today - datetime.timedelta(days=1)

    snapshot = []
    rows = 0
    for _round in range(max(1, options.rounds // 5)):
        start = time.perf_counter()
        rows = services.take_snapshot()
        snapshot.append(time.perf_counter() - start)
    results["snapshot"] = {"rows": rows, "seconds": [round(s, 2) for s in snapshot]}
    services.take_snapshot(day=yesterday)

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    city_times = [
        timed(lambda: get(f"/command/?region={city.code}")) for _ in range(options.rounds)
    ]
    results["city_screen"] = {
        "cold": round(city_times[0], 3),
        "p95": round(p95(city_times), 3),
        "median": round(statistics.median(city_times), 3),
    }
    past = f"/command/?region={district.code}&date={yesterday.isoformat()}"
    district_times = [timed(lambda: get(past)) for _ in range(options.rounds)]
    results["district_screen_from_snapshots"] = {
        "p95": round(p95(district_times), 3),
        "median": round(statistics.median(district_times), 3),
    }
    board_times = [
        timed(lambda: services.board(user=user, region=city)) for _ in range(options.rounds)
    ]
    results["city_board_alone"] = {"p95": round(p95(board_times), 3)}
    district_board = [
        timed(lambda: services.board(user=user, region=district, day=yesterday))
        for _ in range(options.rounds)
    ]
    results["district_board_from_snapshots_alone"] = {"p95": round(p95(district_board), 3)}
    # The screen's to-do is the user's home cards, counted in their scope by each area.
    cards = [timed(lambda: cards_for(user)) for _ in range(max(1, options.rounds // 2))]
    results["todo_cards"] = {"p95": round(p95(cards), 3)}

    every = list(Region.objects.filter(level__lte=Level.GRID).order_by("path"))
    step = max(1, len(every) // options.per_region)
    sample = every[::step][: options.per_region]
    now = timezone.now()
    start = time.perf_counter()
    for region in sample:
        orm_per_region(region, today, now)
    spent = time.perf_counter() - start
    results["orm_per_region"] = {
        "regions_timed": len(sample),
        "seconds": round(spent, 2),
        "per_region_ms": round(1000 * spent / len(sample), 1),
        "extrapolated_seconds_for_every_region": round(spent / len(sample) * len(every), 1),
        "figures_per_region": len(orm_per_region(sample[0], today, now)),
    }
    results["load_after"] = load_average()
    text = json.dumps(results, ensure_ascii=False, indent=2)
    print(text)
    if options.json:
        Path(options.json).write_text(text)


if __name__ == "__main__":
    main()
