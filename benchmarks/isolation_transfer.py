"""Transfer: the officer's waiting-longest list over the to-place queue, and one coach's run.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/isolation_transfer.py [--orders 20000] [--json results.json]

The database must be migrated (a seeded city or an empty one: the script brings its own
people). It makes a region tree of its own (province 980000, "转运基准省", down to one
building), `--orders` new residents in households of three, each under an order waiting to be
placed and found at a different time, a site with rooms of three beds, an officer of the street
and a driver, then:

- waiting: `GET /api/v1/isolation/transfers/waiting` (the first page, longest first, with the
  hours) through the test client as the officer, `--repeats` times after one warm-up; p50 and
  p95. Then the tenth page through the cursors.
- waiting baseline: the per-order ORM loop: every to-place order of the officer's scope, its
  reason fact read one by one, sorted in Python, the first page cut; timed once.
- run: a batch of `--coach` people (whole households) to the site, driven through the services:
  create, depart, a pick-up per person (as a driver taps), arrival (rooms allocated with
  households together, each order started); seconds of each step.

Everything it made is deleted at the end (and left-overs of an interrupted run at the start),
the facts and audit rows of its own persons and objects included. Runs in this process, one
core; the database shares the machine.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.accounts.models import RoleAssignment, User  # noqa: E402
from fangyi.accounts.services import issue_token  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.core.models import ObjectChange  # noqa: E402
from fangyi.core.permissions import OFFICER, VIEW  # noqa: E402
from fangyi.health.models import Fact, Policy  # noqa: E402
from fangyi.isolation.area import DRIVER  # noqa: E402
from fangyi.isolation.models import (  # noqa: E402
    Order,
    OrderReason,
    OrderState,
    Room,
    Site,
    TransferBatch,
)
from fangyi.isolation.transfer import services  # noqa: E402
from fangyi.people.models import Household, Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402

PREFIX = "98"
CODES = [
    ("980000", "转运基准省", Level.PROVINCE),
    ("980100", "转运基准市", Level.CITY),
    ("980102", "转运基准区", Level.DISTRICT),
    ("980102001", "转运基准街道", Level.STREET),
    ("980102001001", "转运基准社区", Level.COMMUNITY),
    ("980102001001001", "转运基准网格", Level.GRID),
    ("980102001001001001", "转运基准楼", Level.BUILDING),
]
USERS = {"bench_transfer_officer": OFFICER, "bench_transfer_driver": DRIVER}
PAGE = 50
CHUNK = 2000


def timed(run) -> tuple[object, float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def build(count: int) -> dict:
    parent = None
    for code, name, level in CODES:
        parent = Region(code=code, name=name, level=level, parent=parent)
        parent.save()
    building = parent
    street = Region.objects.get(code=CODES[3][0])
    community = Region.objects.get(code=CODES[4][0])
    households = [
        Household(building=building, unit="1", room=f"{n + 1:05d}", region_path=building.path)
        for n in range(count // 3 + 1)
    ]
    Household.objects.bulk_create(households, batch_size=CHUNK)
    persons = [
        Person(
            household=households[n // 3],
            region_path=building.path,
            name=f"转运{n:06d}",
            gender="M",
            birth_date=datetime.date(1980, 1, 1),
            id_type="other",
            id_number=f"TRANSFER{n:08d}",
            id_tail=f"{n % 10_000:04d}",
        )
        for n in range(count)
    ]
    Person.objects.bulk_create(persons, batch_size=CHUNK)
    policy = Policy.objects.in_force()
    now = timezone.now()
    # Found over the last three days, a minute apart, in no order of the ids.
    orders = [
        Order(
            person=person,
            household=person.household,
            region_path=building.path,
            kind="centralised",
            reason=OrderReason.CLOSE_CONTACT,
            policy=policy,
            term_days=7,
            test_days=[1, 4, 7],
            state=OrderState.TO_PLACE,
            created_at=now - datetime.timedelta(minutes=(n * 7919) % (3 * 24 * 60)),
        )
        for n, person in enumerate(persons)
    ]
    Order.objects.bulk_create(orders, batch_size=CHUNK)
    site = Site.objects.create(
        name="转运基准隔离点", address="基准路2号", region=community, region_path=community.path
    )
    Room.objects.bulk_create(
        [Room(site=site, number=f"{n + 1:04d}", capacity=3) for n in range(count // 3 + 1)],
        batch_size=CHUNK,
    )
    users = {}
    for username, role in USERS.items():
        user = User.objects.create_user(username=username, password=uuid.uuid4().hex)
        RoleAssignment.objects.create(user=user, role=role, region=street, region_path=street.path)
        users[role] = user
    return {"officer": users[OFFICER], "driver": users[DRIVER], "site": site, "region": community}


def clean_up() -> float:
    started = time.perf_counter()
    with transaction.atomic():
        orders = Order.objects.filter(region_path__startswith=PREFIX)
        person_ids = list(
            Person.objects.filter(region_path__startswith=PREFIX).values_list("pk", flat=True)
        )
        batches = TransferBatch.objects.filter(region_path__startswith=PREFIX)
        # Facts and audit rows are never deleted through the ORM; these are the benchmark's
        # own, of persons and objects about to go.
        written = [str(pk) for pk in orders.values_list("pk", flat=True)]
        written += [str(pk) for pk in batches.values_list("pk", flat=True)]
        for start in range(0, len(written), CHUNK):
            ObjectChange.objects.filter(
                via="benchmark", object_id__in=written[start : start + CHUNK]
            )._raw_delete(ObjectChange.objects.db)
        for start in range(0, len(person_ids), CHUNK):
            Fact.objects.filter(person_id__in=person_ids[start : start + CHUNK])._raw_delete(
                Fact.objects.db
            )
        batches.delete()
        orders.delete()
        Site.objects.filter(region_path__startswith=PREFIX).delete()
        Person.objects.filter(region_path__startswith=PREFIX).delete()
        Household.objects.filter(region_path__startswith=PREFIX).delete()
        User.objects.filter(username__in=list(USERS)).delete()
        for code, _name, _level in reversed(CODES):
            Region.objects.filter(code=code).delete()
    return time.perf_counter() - started


def waiting(officer: User, repeats: int) -> dict:
    client = Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=officer)}"})
    url = "/api/v1/isolation/transfers/waiting"
    client.get(url)
    times = []
    for _ in range(repeats):
        response, seconds = timed(lambda: client.get(url, {"limit": PAGE}))
        assert response.status_code == 200, response.content[:300]
        times.append(seconds * 1000)
    cursor, pages = None, 0
    started = time.perf_counter()
    while pages < 10:
        response = client.get(url, {"limit": PAGE, **({"cursor": cursor} if cursor else {})})
        pages += 1
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    tenth = (time.perf_counter() - started) * 1000 / pages
    first = response.json()["items"]
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(statistics.quantiles(times, n=20)[-1], 1) if len(times) > 1 else None,
        "mean_ms_per_page_over_10": round(tenth, 1),
        "rows": len(first),
    }


def naive_waiting(officer: User) -> dict:
    def run():
        found = []
        for order in Order.objects.restrict(officer, VIEW).filter(state=OrderState.TO_PLACE):
            fact = order.reason_fact
            found.append((fact.recorded_at if fact else order.created_at, str(order.pk)))
        return sorted(found)[:PAGE]

    rows, seconds = timed(run)
    return {"rows": len(rows), "seconds": round(seconds, 3)}


def run(world: dict, coach: int) -> dict:
    officer, driver = world["officer"], world["driver"]
    people = list(
        Order.objects.filter(region_path__startswith=PREFIX, state=OrderState.TO_PLACE)
        .select_related("person")
        .order_by("household__room", "id")[:coach]
    )
    batch, create = timed(
        lambda: services.create_batch(
            actor=officer,
            region=world["region"],
            vehicle="闽A·基准",
            driver=driver,
            orders=people,
            planned_at=timezone.now(),
            site=world["site"],
        )
    )
    _done, depart = timed(lambda: services.depart(actor=driver, batch=batch))

    def pick_up_all():
        for passenger in batch.passengers.order_by("pk"):
            services.pick_up(actor=driver, batch=batch, passenger=passenger)

    _done, picks = timed(pick_up_all)
    _done, arrive = timed(lambda: services.arrive(actor=driver, batch=batch))
    placed = Order.objects.filter(pk__in=[order.pk for order in people])
    households = placed.values("household").distinct().count()
    # Households together: as many rooms taken as households carried (rooms of three beds).
    rooms = placed.values("room").distinct().count()
    return {
        "people": len(people),
        "create_seconds": round(create, 3),
        "depart_seconds": round(depart, 3),
        "pick_up_ms_each": round(picks * 1000 / max(len(people), 1), 1),
        "arrive_seconds": round(arrive, 3),
        "households": households,
        "rooms": rooms,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--coach", type=int, default=services.MAX_PASSENGERS)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--json", type=argparse.FileType("w"))
    args = parser.parse_args()
    setup_test_environment()

    clean_up()
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "database": database_version(),
        "date": datetime.date.today().isoformat(),
        "orders": args.orders,
        "load_before": load_average(),
    }
    with acting(via="benchmark"):
        try:
            print(f"making {args.orders:,} people waiting to be placed", file=sys.stderr)
            world, seconds = timed(lambda: build(args.orders))
            results["setup_seconds"] = round(seconds, 1)
            print("waiting list", file=sys.stderr)
            results["waiting"] = waiting(world["officer"], args.repeats)
            results["waiting_baseline"] = naive_waiting(world["officer"])
            print("a coach's run", file=sys.stderr)
            results["run"] = run(world, args.coach)
        finally:
            results["clean_up_seconds"] = round(clean_up(), 1)
    results["load_after"] = load_average()
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print()
    print("| measure | result | per-order baseline |")
    print("| --- | --- | --- |")
    print(
        f"| waiting longest, first page of {results['orders']:,} (p50 / p95) | "
        f"{results['waiting']['p50_ms']} / {results['waiting']['p95_ms']} ms | "
        f"{results['waiting_baseline']['seconds'] * 1000:.0f} ms |"
    )
    print(
        f"| waiting longest, pages 1–10 (mean per page) | "
        f"{results['waiting']['mean_ms_per_page_over_10']} ms | |"
    )
    ride = results["run"]
    print(
        f"| a run of {ride['people']} people: create / depart / arrive | "
        f"{ride['create_seconds']} / {ride['depart_seconds']} / {ride['arrive_seconds']} s | |"
    )
    print(f"| one pick-up tap | {ride['pick_up_ms_each']} ms | |")
    if args.json:
        json.dump(results, args.json, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
