"""Daily follow-up of a quarantine site: the phone sheet and one batch of check-ins.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/isolation_checkins.py [--people 2000] [--json results.json]

The database must be migrated (a seeded city or an empty one: the script brings its own
people). It makes a region tree of its own (province 990000, "基准省", down to one building),
a site there with rooms of two beds, `--people` new residents under running centralised
orders at the site, and a site-staff user of the grid, then:

- sheet: `GET /isolation/check-ins/?site=…` through Django's test client as that user,
  `--repeats` times after one warm-up; p50 and p95 of the wall time (goal p95 < 300 ms).
- sheet baseline: the naive rows, per person an ORM read of their person, room and check-in
  of the slot (what a template walking `order.person.name` would do), timed once.
- batch: `isolation.followup.services.record` of the morning slot for everyone (2 % with a
  fever: alerts and referral tasks included) as the site staff, once (goal < 1 s); then the
  same through `POST /api/v1/isolation/check-ins` for the afternoon slot, JSON included.
- batch baseline: the per-person ORM loop for the same people (yesterday's morning slot):
  look the check-in up, `CheckIn.objects.create`, one `audit.record_created`, and for a fever
  one `fieldwork.services.create_tasks` call; timed over everyone.

Everything it made is deleted at the end (and left-overs of an interrupted run at the start).
Runs in this process, one core; the database shares the machine.
"""

import argparse
import datetime
import decimal
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
from fangyi.core import audit  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.core.models import ObjectChange  # noqa: E402
from fangyi.fieldwork.models import Task, TaskKind  # noqa: E402
from fangyi.fieldwork.services import TaskInput, create_tasks  # noqa: E402
from fangyi.health.models import Policy  # noqa: E402
from fangyi.isolation.area import SITE_STAFF  # noqa: E402
from fangyi.isolation.followup import services  # noqa: E402
from fangyi.isolation.models import (  # noqa: E402
    CheckIn,
    Order,
    OrderReason,
    OrderState,
    Room,
    Site,
)
from fangyi.people.models import Household, Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402

GOALS = {"sheet_p95_ms": 300, "batch_seconds": 1.0}
PROVINCE = "990000"
CODES = [
    (PROVINCE, "基准省", Level.PROVINCE),
    ("990100", "基准市", Level.CITY),
    ("990102", "基准区", Level.DISTRICT),
    ("990102001", "基准街道", Level.STREET),
    ("990102001001", "基准社区", Level.COMMUNITY),
    ("990102001001001", "基准网格", Level.GRID),
    ("990102001001001001", "基准楼", Level.BUILDING),
]
STAFF = "bench_site_staff"
FEVER_EVERY = 50
CHUNK = 2000


def timed(run) -> tuple[object, float]:
    started = time.perf_counter()
    result = run()
    return result, time.perf_counter() - started


def build(people: int) -> tuple[Site, User, list[Order]]:
    parent = None
    for code, name, level in CODES:
        parent = Region(code=code, name=name, level=level, parent=parent)
        parent.save()
    building = parent
    grid = Region.objects.get(code=CODES[5][0])
    site = Site.objects.create(
        name="基准隔离点", address="基准路1号", region=grid, region_path=grid.path
    )
    rooms = [Room(site=site, number=f"{n + 1:04d}", capacity=2) for n in range(people // 2 + 1)]
    Room.objects.bulk_create(rooms, batch_size=CHUNK)
    households = [
        Household(building=building, unit="1", room=f"{n + 1:04d}", region_path=building.path)
        for n in range(people // 2 + 1)
    ]
    Household.objects.bulk_create(households, batch_size=CHUNK)
    persons = [
        Person(
            household=households[n // 2],
            region_path=building.path,
            name=f"基准{n:05d}",
            gender="M",
            birth_date=datetime.date(1980, 1, 1),
            id_type="other",
            id_number=f"BENCH{n:08d}",
            id_tail=f"{n % 10_000:04d}",
        )
        for n in range(people)
    ]
    Person.objects.bulk_create(persons, batch_size=CHUNK)
    policy = Policy.objects.in_force()
    started = timezone.now() - datetime.timedelta(days=2)
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
            site=site,
            room=rooms[n // 2],
            state=OrderState.ACTIVE,
            started_at=started,
            planned_end_at=started + datetime.timedelta(days=7),
        )
        for n, person in enumerate(persons)
    ]
    Order.objects.bulk_create(orders, batch_size=CHUNK)
    user = User.objects.create_user(username=STAFF, password=uuid.uuid4().hex)
    RoleAssignment.objects.create(user=user, role=SITE_STAFF, region=grid, region_path=grid.path)
    return site, user, orders


def clean_up() -> float:
    started = time.perf_counter()
    with transaction.atomic():
        orders = Order.objects.filter(region_path__startswith="99")
        person_ids = list(orders.values_list("person_id", flat=True))
        check_ins = CheckIn.objects.filter(order__in=orders)
        tasks = Task.objects.filter(person_id__in=person_ids)
        # Audit rows are never deleted through the ORM; these are the benchmark's own, of
        # objects about to go (the run's rows all carry via "benchmark").
        written = [str(pk) for pk in check_ins.values_list("pk", flat=True)]
        written += [str(pk) for pk in tasks.values_list("pk", flat=True)]
        for start in range(0, len(written), CHUNK):
            ObjectChange.objects.filter(
                via="benchmark", object_id__in=written[start : start + CHUNK]
            )._raw_delete(ObjectChange.objects.db)
        tasks.delete()
        check_ins.delete()
        orders.delete()
        Site.objects.filter(region_path__startswith="99").delete()
        Person.objects.filter(region_path__startswith="99").delete()
        Household.objects.filter(region_path__startswith="99").delete()
        User.objects.filter(username=STAFF).delete()
        for code, _name, _level in reversed(CODES):
            Region.objects.filter(code=code).delete()
    return time.perf_counter() - started


def sheet(user: User, site: Site, repeats: int) -> dict:
    client = Client()
    client.force_login(user)
    url = f"/isolation/check-ins/?site={site.pk}&slot=1"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    times = []
    for _ in range(repeats):
        response, seconds = timed(lambda: client.get(url))
        assert response.status_code == 200
        times.append(seconds * 1000)
    times.sort()
    return {
        "rows": first.content.decode().count('value="ok"'),
        "bytes": len(first.content),
        "repeats": repeats,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


def naive_sheet(site: Site) -> dict:
    day, slot = services.current_slot()

    def rows():
        out = []
        for order in Order.objects.filter(site=site, state__in=[OrderState.ACTIVE]):
            check_in = CheckIn.objects.filter(order=order, day=day, slot=slot).first()
            out.append((order.person.masked_name, order.room.number, check_in))
        return out

    made, seconds = timed(rows)
    return {"rows": len(made), "seconds": round(seconds, 3)}


def inputs(orders: list[Order]) -> list[services.CheckInInput]:
    return [
        services.CheckInInput(
            order_id=order.pk,
            temperature=decimal.Decimal("38.2") if n % FEVER_EVERY == 0 else None,
        )
        for n, order in enumerate(orders)
    ]


def batch(user: User, orders: list[Order]) -> dict:
    items = inputs(orders)
    recorded, seconds = timed(lambda: services.record(actor=user, items=items, slot=1))
    return {
        "check_ins": recorded.created,
        "fevers": len(recorded.fevers),
        "seconds": round(seconds, 3),
    }


def batch_api(user: User, orders: list[Order]) -> dict:
    client = Client(headers={"Authorization": f"Bearer {issue_token(actor=None, user=user)}"})
    body = json.dumps(
        {
            "slot": 2,
            "items": [
                {"order": str(item.order_id)}
                | ({"temperature": float(item.temperature)} if item.temperature else {})
                for item in inputs(orders)
            ],
        }
    )
    response, seconds = timed(
        lambda: client.post("/api/v1/isolation/check-ins", body, content_type="application/json")
    )
    assert response.status_code == 200, response.content[:300]
    return {"check_ins": response.json()["created"], "seconds": round(seconds, 3)}


def baseline(user: User, orders: list[Order]) -> dict:
    """The per-person ORM loop: what recording one check-in at a time costs."""
    day = timezone.localdate() - datetime.timedelta(days=1)
    now = timezone.now()

    def loop():
        for item, order in zip(inputs(orders), orders, strict=True):
            with transaction.atomic():
                if CheckIn.objects.filter(order=order, day=day, slot=1).exists():
                    continue
                fever = services.is_fever(item.temperature, item.symptoms)
                check_in = CheckIn.objects.create(
                    order=order,
                    person_id=order.person_id,
                    region_path=order.site.region_path,
                    day=day,
                    slot=1,
                    temperature=item.temperature,
                    fever=fever,
                    channel="staff",
                    reported_by=user,
                    reported_by_name=user.username,
                )
                audit.record_created(actor=user, obj=check_in, fields=services.AUDIT_FIELDS)
                if fever:
                    create_tasks(
                        actor=user,
                        source=services.SOURCE,
                        items=[
                            TaskInput(
                                kind=TaskKind.FEVER_REFERRAL,
                                due_at=now + services.REFERRAL_WITHIN,
                                person=order.person,
                                source_ref=f"fever:{check_in.pk.hex}",
                            )
                        ],
                        authorised=True,
                    )

    _none, seconds = timed(loop)
    return {"check_ins": len(orders), "seconds": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--json", type=argparse.FileType("w"))
    args = parser.parse_args()
    # The test client's responses carry their templates and context only in a test environment;
    # "testserver" must be an allowed host for it.
    setup_test_environment()

    clean_up()
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "database": database_version(),
        "date": datetime.date.today().isoformat(),
        "people": args.people,
        "load_before": load_average(),
    }
    with acting(via="benchmark"):
        try:
            print(f"making a site of {args.people:,} people under orders", file=sys.stderr)
            (site, user, orders), seconds = timed(lambda: build(args.people))
            results["setup_seconds"] = round(seconds, 1)
            print("sheet", file=sys.stderr)
            results["sheet"] = sheet(user, site, args.repeats)
            results["sheet_baseline"] = naive_sheet(site)
            print("batch", file=sys.stderr)
            results["batch"] = batch(user, orders)
            results["batch_api"] = batch_api(user, orders)
            print("baseline", file=sys.stderr)
            results["batch_baseline"] = baseline(user, orders)
        finally:
            results["clean_up_seconds"] = round(clean_up(), 1)
    results["load_after"] = load_average()
    results["goals"] = GOALS
    results["speedup_over_baseline"] = {
        "sheet": round(results["sheet_baseline"]["seconds"] * 1000 / results["sheet"]["p50_ms"], 1),
        "batch": round(results["batch_baseline"]["seconds"] / results["batch"]["seconds"], 1),
    }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print()
    print("| measure | result | goal | per-person baseline |")
    print("| --- | --- | --- | --- |")
    print(
        f"| phone sheet of {results['sheet']['rows']:,} (p50 / p95) | "
        f"{results['sheet']['p50_ms']} / {results['sheet']['p95_ms']} ms | p95 < 300 ms | "
        f"{results['sheet_baseline']['seconds'] * 1000:.0f} ms (rows only) |"
    )
    print(
        f"| batch of {results['batch']['check_ins']:,} check-ins (service) | "
        f"{results['batch']['seconds']} s | < 1 s | {results['batch_baseline']['seconds']} s |"
    )
    print(
        f"| batch of {results['batch_api']['check_ins']:,} check-ins (API, JSON) | "
        f"{results['batch_api']['seconds']} s | < 1 s | |"
    )
    if args.json:
        json.dump(results, args.json, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
