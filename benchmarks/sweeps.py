"""Household sweeps over a whole city: starting the sweep (goal: worklists ready < 60 s for
about 390,000 households), uploading 10,000 visits in batches with what they cause (goal:
>= 2,000 visits/s), and the sweep's coverage for the whole city (goal: < 2 s).

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of fangyi_bench_1m> \\
        .venv/bin/python benchmarks/sweeps.py [--visits 10000] [--batch 500] [--json out.json]

The database must hold a city made by `fangyi seed` (benchmarks/seed.py keeps one) and be
migrated; the run writes a sweep, its doors, tasks, visits, facts and persons, which stay: use
a copy (`CREATE DATABASE x TEMPLATE fangyi_bench_1m`) and drop it after. Timed in this process
(wall and CPU), as the city's administrator:

1. `services.start_sweep` over the city: the question set, a door per household (one INSERT …
   SELECT), a visit task per household on its grid's worklist through
   `fieldwork.services.create_tasks` (COPY on PostgreSQL, with an audit row per task);
2. `services.upload_visits` of `--visits` visits in batches of `--batch`, made untimed
   beforehand from the first households of the city in region order: in every hundred, 80
   confirm their members, 5 find a newcomer (registered through people.services), 3 an
   arrival from a high-risk area of a member (a fact; the colour recomputed; an isolation
   order proposed), 5 a fever (a declaration fact and a referral task), 2 a special need (the
   person's tags) and 5 a door not answered;
3. `coverage.coverage` for the city, cold (the sweep's doors counted per building and added up),
   then once more.

Each step prints its wall and CPU time, the SQL statements sent (COPY not counted) and the load
average as it ended: the machine may be shared. The sweep's doors, tasks and audit rows are
ANALYZEd after the start (untimed), as autovacuum is off on the benchmark copies.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
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

START_GOAL = 60.0
RATE_GOAL = 2000.0
COVERAGE_GOAL = 2.0


class Statements:
    """Counts the SQL statements this process sends (an executemany is one; COPY is not seen):
    a figure the machine's load does not change."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


STATEMENTS = Statements()


def timed(run):
    wall, cpu, sent = time.monotonic(), time.process_time(), STATEMENTS.count
    with connection.execute_wrapper(STATEMENTS):
        value = run()
    timing = {
        "wall_s": round(time.monotonic() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "statements": STATEMENTS.count - sent,
        "load": load_average(),
    }
    return value, timing


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
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
        facts_before, persons_before = Fact.objects.count(), Person.objects.count()
        orders_before = Order.objects.count()

        def upload() -> dict:
            totals = {"accepted": 0, "problems": 0}
            for start in range(0, len(visits), args.batch):
                result = services.upload_visits(
                    actor=admin, sweep=sweep, items=visits[start : start + args.batch]
                )
                totals["accepted"] += len(result.accepted)
                totals["problems"] += len(result.problems)
            return totals

        totals, timing = timed(upload)
        figures["upload"] = totals | {
            "visits": len(visits),
            "batch": args.batch,
            **timing,
            "visits_per_s": round(len(visits) / timing["wall_s"], 1),
            "visits_per_cpu_s": round(len(visits) / max(timing["cpu_s"], 0.01), 1),
            "goal_per_s": RATE_GOAL,
            "facts": Fact.objects.count() - facts_before,
            "persons": Person.objects.count() - persons_before,
            "orders": Order.objects.count() - orders_before,
        }
        print(f"upload: {figures['upload']}", flush=True)
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
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, ensure_ascii=False, indent=2)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
