"""The command centre on a city already loaded: the screen for the whole city with today's
figures counted live (warm and cold), a district's screen for a past day from snapshots, the
snapshot of every region, and the same figures counted by the ORM one region at a time.

    .venv/bin/python benchmarks/command.py \\
        --database-url postgres://postgres@127.0.0.1:5432/fangyi_bench_command \\
        [--rounds 20] [--cold 5] [--per-region 200] [--json out.json]

(`--database-url` defaults to FANGYI_DATABASE_URL.) The database must be a migrated copy of a
loaded city (e.g. `CREATE DATABASE fangyi_bench_command TEMPLATE fangyi_bench_1m`, then
`fangyi migrate`); the snapshots of today and yesterday and a superuser `bench_commander`
are written into it first, so a city seeded only (10,000,000 residents) needs nothing else.
Timed:

- snapshot: `services.take_snapshot` for today, every region down to the grid. Goal: < 60 s.
- city screen, warm: GET /command/ for the city through Django's test client (session, the
  whole page rendered), today's figures counted live, `--rounds` times in this process; p95,
  median, SQL statements and this process's CPU time per request. Goal: p95 < 1 s.
- city screen, cold: `--cold` fresh processes, each timing its very first request (Django's
  URLconf, templates and imports loaded on it) on a new database connection after
  `DISCARD ALL`; when run as root, the OS page cache is dropped before each (`sync; echo 3 >
  /proc/sys/vm/drop_caches`). PostgreSQL's own buffers stay as they are unless
  `--restart-postgresql "<command>"` is given (e.g. "pg_ctlcluster 15 main restart"): then it
  is restarted before each round, so nothing the screen reads is in any cache.
- city screen, cold data (`--cold-data` rounds): the same, but each fresh process first
  answers one request that counts no figure (the login page), as a server's worker has long
  done before a commander opens the screen; then the screen is timed with every cache cold.
- district screen: GET /command/?region=<district>&date=<yesterday>, figures from snapshots,
  with SQL statements, and the board and the page's rendering timed apart. Goal: < 200 ms.
- per region by the ORM (`--per-region` regions, 0 to skip): each figure with its own
  `count()`, extrapolated to every region, against the snapshot's grouped queries.
"""

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("FANGYI_DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cold", type=int, default=3, help="fresh processes for the cold case")
    parser.add_argument("--per-region", type=int, default=200)
    parser.add_argument("--no-snapshot", action="store_true", help="today's and yesterday's exist")
    parser.add_argument("--json")
    parser.add_argument("--cold-data", type=int, default=0, help="fresh, warmed-up processes")
    parser.add_argument("--restart-postgresql", default="", help="a command, run before each")
    # Internal: one cold request in this fresh process, its figures printed as JSON.
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm-process", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


OPTIONS = arguments()
if OPTIONS.database_url:
    os.environ["FANGYI_DATABASE_URL"] = OPTIONS.database_url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")
os.environ.setdefault("FANGYI_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.command import services, views  # noqa: E402
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


def commander() -> User:
    user, _created = User.objects.get_or_create(
        username="bench_commander", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def city_region() -> Region:
    return Region.objects.filter(level=Level.CITY).order_by("path").first()


def request(client: Client, url: str) -> dict:
    """One GET: wall and CPU seconds, SQL statements."""
    with CaptureQueriesContext(connection) as queries:
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    return {"seconds": wall, "cpu": cpu, "queries": len(queries)}


def summary(runs: list[dict]) -> dict:
    times = [run["seconds"] for run in runs]
    return {
        "p95": round(p95(times), 3),
        "median": round(statistics.median(times), 3),
        "max": round(max(times), 3),
        "cpu_median": round(statistics.median(run["cpu"] for run in runs), 3),
        "queries": sorted({run["queries"] for run in runs}),
        "rounds": len(runs),
    }


def cold_child() -> None:
    """The first request of a fresh process, on a new connection with no session state."""
    with connection.cursor() as cursor:
        cursor.execute("DISCARD ALL" if connection.vendor == "postgresql" else "SELECT 1")
    client = Client()
    if OPTIONS.warm_process:
        assert Client().get("/login/").status_code == 200
    client.force_login(commander())
    print(json.dumps(request(client, f"/command/?region={city_region().code}")))


def drop_os_cache() -> bool:
    if os.geteuid() != 0:
        return False
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")
    return True


def cold_runs(count: int, *, warm_process: bool = False) -> dict:
    runs, dropped = [], False
    restart = OPTIONS.restart_postgresql
    for _round in range(count):
        if restart:
            subprocess.run(restart, shell=True, check=True)
            connection.close()
        dropped = drop_os_cache()
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--cold-child",
                *(["--warm-process"] if warm_process else []),
            ],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ | {"FANGYI_DATABASE_URL": OPTIONS.database_url or ""},
        )
        runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
    return summary(runs) | {"os_cache_dropped": dropped, "postgresql_restarted": bool(restart)}


def district_parts(client: Client, user: User, district: Region, day: datetime.date) -> dict:
    """A district's screen from snapshots in parts: the board alone, and the page's template
    (the view's `render`, timed where the view calls it)."""
    url = f"/command/?region={district.code}&date={day.isoformat()}"
    boards, renders = [], []
    original = views.render

    def render(*args, **kwargs):
        start = time.perf_counter()
        response = original(*args, **kwargs)
        renders.append(time.perf_counter() - start)
        return response

    views.render = render
    try:
        for _round in range(max(1, OPTIONS.rounds)):
            boards.append(timed(lambda: services.board(user=user, region=district, day=day)))
            assert client.get(url).status_code == 200
    finally:
        views.render = original
    return {"board_p95": round(p95(boards), 3), "template_render_p95": round(p95(renders), 3)}


def main() -> None:
    results: dict = {
        "machine": platform.platform(),
        "python": platform.python_version(),
        "database": database_version(),
        "date": timezone.now().isoformat(timespec="seconds"),
        "load_before": load_average(),
        "residents": Region.objects.filter(parent__isnull=True).first().resident_count,
        "regions_to_grid": Region.objects.filter(level__lte=Level.GRID).count(),
    }
    user = commander()
    client = Client()
    client.force_login(user)
    city = city_region()
    district = Region.objects.filter(level=Level.DISTRICT).order_by("path").first()
    today = services.today()
    yesterday = today - datetime.timedelta(days=1)

    if not OPTIONS.no_snapshot:
        snapshot = []
        rows = 0
        for _round in range(max(1, OPTIONS.rounds // 5)):
            start = time.perf_counter()
            rows = services.take_snapshot()
            snapshot.append(time.perf_counter() - start)
        results["snapshot"] = {"rows": rows, "seconds": [round(s, 2) for s in snapshot]}
        services.take_snapshot(day=yesterday)

    if OPTIONS.cold:
        results["city_screen_cold"] = cold_runs(OPTIONS.cold)
        results["load_after_cold"] = load_average()
    if OPTIONS.cold_data:
        results["city_screen_cold_data"] = cold_runs(OPTIONS.cold_data, warm_process=True)
    city_url = f"/command/?region={city.code}"
    results["city_screen"] = summary([request(client, city_url) for _ in range(OPTIONS.rounds)])
    past = f"/command/?region={district.code}&date={yesterday.isoformat()}"
    results["district_screen_from_snapshots"] = summary(
        [request(client, past) for _ in range(OPTIONS.rounds)]
    )
    results["district_screen_parts"] = district_parts(client, user, district, yesterday)
    board_times = [
        timed(lambda: services.board(user=user, region=city)) for _ in range(OPTIONS.rounds)
    ]
    results["city_board_alone"] = {"p95": round(p95(board_times), 3)}
    # The screen's to-do is the user's home cards, counted in their scope by each area.
    cards = [timed(lambda: cards_for(user)) for _ in range(max(1, OPTIONS.rounds // 2))]
    results["todo_cards"] = {"p95": round(p95(cards), 3)}

    if OPTIONS.per_region:
        every = list(Region.objects.filter(level__lte=Level.GRID).order_by("path"))
        step = max(1, len(every) // OPTIONS.per_region)
        sample = every[::step][: OPTIONS.per_region]
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
    if OPTIONS.json:
        Path(OPTIONS.json).write_text(text)


if __name__ == "__main__":
    if OPTIONS.cold_child:
        cold_child()
    else:
        main()
