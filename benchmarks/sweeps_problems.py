"""The community's list of a city-wide sweep (issue 19: households missed twice, households
visited twice) at 1,000,000 residents: the first page of each list, for the city's
administrator and for an officer of one street, and settling one of each.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a copy of fangyi_bench_1m> \\
        .venv/bin/python benchmarks/sweeps_problems.py [--listed 2000] [--conflicts 2000] \\
        [--repeat 3] [--json out.json]

The database must hold a city made by `fangyi seed --demo-staff` (benchmarks/seed.py keeps one)
and be migrated with this branch. Untimed first: a city-wide sweep (the one benchmarks/sweeps.py
left, or a new one), then `--listed` households with two doors not answered and `--conflicts`
households visited twice (members confirmed, then the first member away), spread evenly over
the city in region order, uploaded through `services.upload_visits`, and ANALYZE. Then timed
in this process (wall, CPU and SQL statements), each `--repeat` times (the first cold):

1. the page's work for each list (`problems.problem_doors` → one keyset page →
   `problems.rows_for`), for the administrator (the whole city) and for the demo `officer`;
2. the page itself through Django's test client (the template rendered), the same two users;
3. `problems.keep_visit` of a visit set aside (its answers applied) and `problems.mark_handled`.

It writes sweeps, doors, visits, settlements and audit rows, which stay: use a copy
(`CREATE DATABASE x TEMPLATE fangyi_bench_1m`) and drop it after. The load average is printed
before and after: the machine may be shared.
"""

import argparse
import datetime
import json
import os
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.core.pagination import keyset_page  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402
from fangyi.sweeps import problems, services  # noqa: E402
from fangyi.sweeps.models import Door, DoorState, ProblemKind, Sweep, SweepStatus  # noqa: E402

BY_REGION = ("region_path", "id")
TITLE = "全市入户排查（基准）"


def measure(run) -> tuple[object, dict]:
    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.monotonic(), time.process_time()
        value = run()
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    return value, {
        "wall_ms": round(1000 * wall, 1),
        "cpu_ms": round(1000 * cpu, 1),
        "statements": len(queries.captured_queries),
    }


def city_sweep(city: Region, admin) -> Sweep:
    sweep = (
        Sweep.objects.filter(region=city, status=SweepStatus.RUNNING)
        .order_by("-created_at")
        .first()
    )
    if sweep is not None:
        return sweep
    print("starting a city-wide sweep (untimed) …", flush=True)
    return services.start_sweep(
        actor=admin,
        title=TITLE,
        regions=[city],
        deadline=timezone.now() + datetime.timedelta(days=3),
    )


def make_problems(sweep: Sweep, admin, listed: int, conflicts: int) -> dict:
    """Households spread over the city, still to visit: `listed` missed twice, `conflicts`
    visited twice."""
    total = Door.objects.filter(sweep=sweep).count()
    wanted = listed + conflicts
    step = max(total // max(wanted, 1), 1)
    doors = list(
        Door.objects.filter(sweep=sweep, state=DoorState.TO_VISIT)
        .order_by("region_path", "id")
        .values_list("household_id", flat=True)[: step * wanted : step]
    )
    members: dict = {}
    for pk, household_id in Person.objects.filter(household_id__in=doors).values_list(
        "pk", "household_id"
    ):
        members.setdefault(household_id, []).append(str(pk))
    at = timezone.now()
    missed, twice = doors[:listed], doors[listed:wanted]
    first, second = [], []
    for household_id in missed:
        for batch in (first, second):
            batch.append(services.VisitInput(uuid.uuid4(), household_id, at, "not_answered", {}))
    for household_id in twice:
        people = members.get(household_id, [])
        for batch, away in ((first, False), (second, True)):
            batch.append(
                services.VisitInput(
                    uuid.uuid4(),
                    household_id,
                    at,
                    "answered",
                    {
                        "members": [
                            {"person": pk, "status": "away" if away and n == 0 else "here"}
                            for n, pk in enumerate(people)
                        ]
                    },
                )
            )
    for batch in (first, second):
        for start in range(0, len(batch), services.MAX_VISITS):
            services.upload_visits(
                actor=admin, sweep=sweep, items=batch[start : start + services.MAX_VISITS]
            )
    with connection.cursor() as cursor:
        for table in ("sweeps_door", "sweeps_visit", "sweeps_settlement"):
            cursor.execute(f"ANALYZE {table}")
    return {"listed": len(missed), "conflicts": len(twice), "doors": total}


def list_page(user, sweep: Sweep, region: Region, kind: str) -> int:
    rows = problems.problem_doors(user, sweep, region, kind=kind)
    doors, _cursor = keyset_page(
        rows, ordering=BY_REGION, cursor=None, size=settings.FANGYI_PAGE_SIZE
    )
    return len(problems.rows_for(user, sweep, doors))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listed", type=int, default=2000)
    parser.add_argument("--conflicts", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args()
    city = Region.objects.filter(level=Level.CITY).order_by("code").first()
    admin = User.objects.filter(is_superuser=True).order_by("username").first()
    officer = User.objects.filter(username="officer").first()
    if city is None or admin is None or officer is None:
        sys.exit("no city, administrator or demo officer: seed with --demo-staff first")
    figures: dict = {"database": database_version(), "load_before": load_average()}
    with acting(via="cli"):
        sweep = city_sweep(city, admin)
        figures["made"] = make_problems(sweep, admin, args.listed, args.conflicts)
        print(f"made: {figures['made']}", flush=True)
        for name, user in (("admin", admin), ("officer", officer)):
            for kind in ProblemKind.values:
                runs = []
                for _n in range(args.repeat):
                    shown, found = measure(
                        lambda u=user, k=kind: list_page(u, sweep, sweep.region, k)
                    )
                    runs.append(found | {"rows": shown})
                figures[f"list {kind} as {name}"] = runs
                print(f"list {kind} as {name}: {runs}", flush=True)
                client = Client()
                client.force_login(user)
                url = f"{reverse('sweeps:problems', args=[sweep.pk])}?kind={kind}"
                runs = []
                for _n in range(args.repeat):
                    response, found = measure(
                        lambda c=client, u=url: c.get(u, HTTP_HOST="localhost")
                    )
                    runs.append(found | {"status": response.status_code})
                figures[f"page {kind} as {name}"] = runs
                print(f"page {kind} as {name}: {runs}", flush=True)
        conflict = problems.problem_doors(admin, sweep, sweep.region, kind="conflict").first()
        if conflict is not None:
            set_aside = conflict.visit_rows.filter(conflict=True).first()
            _settled, figures["keep a visit set aside"] = measure(
                lambda: problems.keep_visit(
                    actor=admin, sweep=sweep, door=conflict, visit_id=set_aside.pk
                )
            )
        missed = problems.problem_doors(admin, sweep, sweep.region, kind="listed").first()
        if missed is not None:
            _settled, figures["mark handled"] = measure(
                lambda: problems.mark_handled(
                    actor=admin, sweep=sweep, door=missed, note="电话联系，外出务工"
                )
            )
        print(f"settle: {figures.get('keep a visit set aside')} {figures.get('mark handled')}")
    figures["load_after"] = load_average()
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, ensure_ascii=False, indent=2)
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
