"""Household sweeps over a whole city: starting the sweep (goal: worklists ready < 60 s for
about 390,000 households), uploading 10,000 visits in batches with what they cause (goal:
>= 2,000 visits/s), and the sweep's coverage for the whole city (goal: < 2 s).

One run, on a database you made (a copy of the city, migrated):

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of fangyi_bench_1m> \\
        .venv/bin/python benchmarks/sweeps.py [--visits 10000] [--batch 500] [--uploaders 1]
        [--json out.json]

Or every run of a comparison, each on a fresh copy made, migrated and dropped by the script
(one copy at a time), the code before and after one after the other for each number of
uploaders, and a table of them at the end:

    .venv/bin/python benchmarks/sweeps.py --template fangyi_bench_1m \\
        --code before=/tmp/visits_before/src --code after=src --uploaders 1 --uploaders 2

The database must hold a city made by `fangyi seed` (benchmarks/seed.py keeps one) and be
migrated; the run writes a sweep, its doors, tasks, visits, facts and persons, which stay: use
a copy (`CREATE DATABASE x TEMPLATE fangyi_bench_1m`) and drop it after. Timed in this process
(wall and CPU), as the city's administrator:

1. `services.start_sweep` over the city: the question set, a door per household and a visit
   task per household on its grid's worklist, with an audit row per task;
2. `services.upload_visits` of `--visits` visits in batches of `--batch`, made untimed
   beforehand from the first households of the city in region order: in every hundred, 80
   confirm their members, 5 find a newcomer (registered through people.services), 3 an
   arrival from a high-risk area of a member (a fact; the colour recomputed; an isolation
   order proposed), 5 a fever (a declaration fact and a referral task), 2 a special need (the
   person's tags) and 5 a door not answered. With `--uploaders N` above 1, N processes
   (forked once the visits are made, each with its own connection, as N server workers
   taking N phones' uploads) upload at once, batch i by process i mod N, each batch one
   `upload_visits` call as the API makes it; the wall time runs from their common start to
   the last one's end;
3. `coverage.coverage` for the city, cold (the sweep's doors counted per building and added up),
   then once more.

Each step prints its wall and CPU time (this process's, and the uploaders' added up), the SQL
statements sent (COPY not counted; an executemany is one), the time spent waiting in them, the
CPU time of the PostgreSQL backends that served them (read from /proc: the database must run
on this machine, else it is left out) and the load average as it ended: the machine may be
shared, and CPU times and statements are what its load changes least. The sweep's doors,
tasks and audit rows are ANALYZEd after the start (untimed), as autovacuum is off on the
benchmark copies.
"""

import argparse
import datetime
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.health.models import Fact  # noqa: E402
from fangyi.isolation.models import Order  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402
from fangyi.sweeps import coverage, services  # noqa: E402
from fangyi.sweeps.models import Door  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
START_GOAL = 60.0
RATE_GOAL = 2000.0
COVERAGE_GOAL = 2.0


class Statements:
    """Counts the SQL statements this process sends (an executemany is one; COPY is not seen)
    and the time spent waiting for them: figures the machine's load changes little."""

    def __init__(self) -> None:
        self.count = 0
        self.waited = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.waited += time.perf_counter() - began


STATEMENTS = Statements()


def backend_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend serving this process's connection has used, when
    the database runs on this machine."""
    if connection.vendor != "postgresql" or connection.settings_dict["HOST"] not in (
        "127.0.0.1",
        "localhost",
        "::1",
    ):
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # After the command name: state is the 3rd field, utime and stime the 14th and 15th.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Meter:
    """What a stretch of this process's work cost: wall, CPU, statements, their wait and the
    backend's CPU."""

    def __enter__(self):
        self.backend = backend_cpu()
        self.wall, self.cpu = time.monotonic(), time.process_time()
        self.sent, self.waited = STATEMENTS.count, STATEMENTS.waited
        self.wrapper = connection.execute_wrapper(STATEMENTS)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)
        backend = backend_cpu()
        self.figures = {
            "wall_s": round(time.monotonic() - self.wall, 2),
            "cpu_s": round(time.process_time() - self.cpu, 2),
            "statements": STATEMENTS.count - self.sent,
            "db_wait_s": round(STATEMENTS.waited - self.waited, 2),
            "db_cpu_s": None if backend is None else round(backend - self.backend, 2),
            "load": load_average(),
        }
        return False


def timed(run):
    with Meter() as meter:
        value = run()
    return value, meter.figures


def resident_id(rng: random.Random) -> str:
    """A valid resident ID number of Fuzhou's Gulou district, born 1960–2000."""
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
    body = f"350102{born:%Y%m%d}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def make_visits(sweep, count: int, seed: int) -> list[services.VisitInput]:
    rng = random.Random(seed)
    doors = list(
        Door.objects.filter(sweep=sweep)
        .order_by("region_path", "id")
        .values_list("household_id", flat=True)[:count]
    )
    members: dict = {}
    for pk, household_id in Person.objects.filter(household_id__in=doors).values_list(
        "pk", "household_id"
    ):
        members.setdefault(household_id, []).append(str(pk))
    at = timezone.now()
    arrived = (at - datetime.timedelta(days=1)).isoformat()
    visits = []
    for n, household_id in enumerate(doors):
        kind = n % 100
        people = members.get(household_id, [])
        answers: dict = {"members": [{"person": pk, "status": "here"} for pk in people]}
        outcome = "answered"
        if kind < 5:
            answers["newcomers"] = [{"name": "新来居民", "id_number": resident_id(rng)}]
        elif kind < 8 and people:
            answers["arrivals"] = [
                {"who": people[0], "from": "上海市浦东新区", "risk": "high", "arrived_at": arrived}
            ]
        elif kind < 13 and people:
            answers["health"] = [{"who": people[0], "temperature": 38.1, "symptoms": ["咳嗽"]}]
        elif kind < 15 and people:
            answers["needs"] = [{"who": people[0], "tags": ["chronic_illness"]}]
        elif kind >= 95:
            outcome, answers = "not_answered", {}
        visits.append(
            services.VisitInput(
                id=uuid.uuid4(),
                household_id=household_id,
                visited_at=at,
                outcome=outcome,
                answers=answers,
            )
        )
    return visits


def upload_batches(admin, sweep, batches: list) -> dict:
    totals = {"accepted": 0, "problems": 0}
    with acting(via="cli"):
        for batch in batches:
            result = services.upload_visits(actor=admin, sweep=sweep, items=batch)
            totals["accepted"] += len(result.accepted)
            totals["problems"] += len(result.problems)
    return totals


def uploader(admin, sweep, batches, ready, results) -> None:
    """One of `--uploaders` processes: its own connection, opened before the common start."""
    backend_cpu()
    ready.wait()
    with Meter() as meter:
        totals = upload_batches(admin, sweep, batches)
    results.put(totals | meter.figures)


def upload_at_once(admin, sweep, batches: list, uploaders: int) -> tuple[dict, dict]:
    """The batches uploaded by `uploaders` processes at once; their figures added up."""
    context = multiprocessing.get_context("fork")
    # A connection shared across fork would be corrupted: each process opens its own.
    connections.close_all()
    ready, results = context.Barrier(uploaders + 1), context.Queue()
    processes = [
        context.Process(target=uploader, args=(admin, sweep, batches[n::uploaders], ready, results))
        for n in range(uploaders)
    ]
    for process in processes:
        process.start()
    ready.wait()
    began = time.monotonic()
    parts = [results.get() for _process in processes]
    wall = time.monotonic() - began
    for process in processes:
        process.join()
        if process.exitcode:
            sys.exit(f"an uploader failed (exit code {process.exitcode})")
    db_cpu = [part["db_cpu_s"] for part in parts]
    timing = {
        "wall_s": round(wall, 2),
        "cpu_s": round(sum(part["cpu_s"] for part in parts), 2),
        "statements": sum(part["statements"] for part in parts),
        "db_wait_s": round(sum(part["db_wait_s"] for part in parts), 2),
        "db_cpu_s": None if None in db_cpu else round(sum(db_cpu), 2),
        "load": load_average(),
        "uploaders_wall_s": [part["wall_s"] for part in parts],
    }
    totals = {key: sum(part[key] for part in parts) for key in ("accepted", "problems")}
    return totals, timing


def run(args) -> dict:
    city = Region.objects.filter(level=Level.CITY).order_by("code").first()
    if city is None:
        sys.exit("no city: seed one first (fangyi seed)")
    admin = User.objects.filter(is_superuser=True).order_by("username").first()
    if admin is None:
        # A city seeded without --demo-staff: the copy gets its own administrator.
        admin, _made = User.objects.get_or_create(
            username="bench-sweeps-admin", defaults={"is_superuser": True, "is_staff": True}
        )
    figures: dict = {
        "database": database_version(),
        "code": services.__file__,
        "load_before": load_average(),
        "residents": city.resident_count,
        "households": city.household_count,
    }
    with acting(via="cli"):
        sweep, timing = timed(
            lambda: services.start_sweep(
                actor=admin,
                title="全市入户排查（基准）",
                regions=[city],
                deadline=timezone.now() + datetime.timedelta(days=3),
            )
        )
    figures["start"] = {"doors": sweep.household_count, **timing, "goal_s": START_GOAL}
    print(f"start: {figures['start']}", flush=True)
    if connection.vendor == "postgresql":
        # Autovacuum is off on the benchmark copies: the upload's plans need the new rows
        # counted. Not timed.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sweeps_door, fieldwork_task, core_objectchange")
    visits = make_visits(sweep, args.visits, args.seed)
    batches = [visits[start : start + args.batch] for start in range(0, len(visits), args.batch)]
    facts_before, persons_before = Fact.objects.count(), Person.objects.count()
    orders_before = Order.objects.count()
    if args.uploaders > 1:
        totals, timing = upload_at_once(admin, sweep, batches, args.uploaders)
    else:
        totals, timing = timed(lambda: upload_batches(admin, sweep, batches))
    count = len(visits)
    figures["upload"] = totals | {
        "visits": count,
        "batch": args.batch,
        "uploaders": args.uploaders,
        **timing,
        "visits_per_s": round(count / timing["wall_s"], 1),
        "visits_per_cpu_s": round(count / max(timing["cpu_s"], 0.01), 1),
        "cpu_ms_per_visit": round(1000 * timing["cpu_s"] / count, 3),
        "db_cpu_ms_per_visit": (
            None if timing["db_cpu_s"] is None else round(1000 * timing["db_cpu_s"] / count, 3)
        ),
        "statements_per_batch": round(timing["statements"] / len(batches), 1),
        "goal_per_s": RATE_GOAL,
        "facts": Fact.objects.count() - facts_before,
        "persons": Person.objects.count() - persons_before,
        "orders": Order.objects.count() - orders_before,
    }
    print(f"upload: {figures['upload']}", flush=True)
    with acting(via="cli"):
        found, timing = timed(lambda: coverage.coverage(admin, sweep, city))
        figures["coverage"] = {
            "households": found.total.households,
            "visited": found.total.visited,
            "children": len(found.rows),
            **timing,
            "goal_s": COVERAGE_GOAL,
        }
        print(f"coverage: {figures['coverage']}", flush=True)
        _again, timing = timed(lambda: coverage.coverage(admin, sweep, city))
    figures["coverage_again"] = timing
    print(f"coverage again: {timing}", flush=True)
    figures["load_after"] = load_average()
    figures["vendor"] = connection.vendor
    return figures


def psql(sql: str, *, attempts: int = 1) -> None:
    for attempt in range(attempts):
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
            check=attempt == attempts - 1,
        )
        if done.returncode == 0:
            return
        # CREATE DATABASE … TEMPLATE fails while anyone else is connected to the template.
        time.sleep(10)


def compare(args) -> None:
    """Each code's run on a fresh copy of the template, one copy at a time, for each number
    of uploaders; then the table."""
    codes = [code.split("=", 1) for code in args.code]
    runs = []
    with tempfile.TemporaryDirectory() as scratch:
        for uploaders in args.uploaders:
            for name, src in codes:
                database = f"{args.database}_{os.getpid()}"
                url = f"postgres://postgres@127.0.0.1:5432/{database}"
                psql(f"CREATE DATABASE {database} TEMPLATE {args.template}", attempts=30)
                try:
                    env = os.environ | {"FANGYI_DATABASE_URL": url}
                    # The copies are migrated by this checkout's code; the run is the code's.
                    env["PYTHONPATH"] = str(ROOT / "src")
                    subprocess.run(
                        [sys.executable, "-m", "fangyi", "migrate", "-v", "0"], env=env, check=True
                    )
                    out = Path(scratch) / f"{name}-{uploaders}.json"
                    env["PYTHONPATH"] = str(Path(src).resolve())
                    print(f"== {name} ({src}), {uploaders} uploader(s), on {database}", flush=True)
                    subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            f"--visits={args.visits}",
                            f"--batch={args.batch}",
                            f"--seed={args.seed}",
                            f"--uploaders={uploaders}",
                            f"--json={out}",
                        ],
                        env=env,
                        check=True,
                    )
                    runs.append({**json.loads(out.read_text()), "code": name, "src": src})
                finally:
                    psql(f"DROP DATABASE IF EXISTS {database}", attempts=3)
    print(
        "\ncode    uploaders  visits/s  wall s  CPU s  ms CPU/visit  DB CPU s  ms DB CPU/visit"
        "  statements/batch  DB wait s  load after   persons facts orders  start s  coverage s"
    )
    for one in runs:
        up = one["upload"]
        print(
            f"{one['code']:<8}{up['uploaders']:>9}{up['visits_per_s']:>10}{up['wall_s']:>8}"
            f"{up['cpu_s']:>7}{up['cpu_ms_per_visit']:>14}{str(up['db_cpu_s']):>10}"
            f"{str(up['db_cpu_ms_per_visit']):>17}{up['statements_per_batch']:>18}"
            f"{up['db_wait_s']:>11}  {up['load'].split()[0]:>9}   {up['persons']:>7}"
            f"{up['facts']:>6}{up['orders']:>7}{one['start']['wall_s']:>9}"
            f"{one['coverage']['wall_s']:>12}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(runs, ensure_ascii=False, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--json", help="write the figures here too")
    parser.add_argument(
        "--template", help="compare runs, each on a fresh copy of this database (PostgreSQL)"
    )
    parser.add_argument(
        "--code",
        action="append",
        default=[],
        help="with --template: name=path of a src directory to run (repeat; default after=src)",
    )
    parser.add_argument(
        "--uploaders",
        type=int,
        action="append",
        help="processes uploading at once (default 1; with --template, repeat for several runs)",
    )
    parser.add_argument("--database", default="sweeps_bench", help="with --template: copy name")
    args = parser.parse_args()
    args.uploaders = args.uploaders or [1]
    if args.template:
        args.code = args.code or [f"after={ROOT / 'src'}"]
        compare(args)
        return
    if len(args.uploaders) != 1:
        parser.error("one --uploaders for a single run; several need --template")
    args.uploaders = args.uploaders[0]
    figures = run(args)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, ensure_ascii=False, indent=2)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
