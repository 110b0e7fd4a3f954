"""A day of supply requests across a city: the reads staff make of them all day.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/supplies_requests.py [--requests 100000] [--json results.json]

The database must hold a city made by `fangyi seed --demo-staff` (benchmarks/seed.py keeps
one). The run adds `--requests` requests, untimed, from households spread over the city. They
stay, so use a benchmark database. They are made as the services would have left them, each
with its items and its first event: packages from the city's catalogue (the demo's, or two
items made here), a tenth of them medicines, a twentieth hospital trips. Priority is marked from
the households' members. They were asked over the last 24 hours, and some are already accepted,
out for delivery, delivered or cancelled.

Then, timed in this process (wall seconds, the median of `--repeat` runs):

1. the board's first page (50 open requests, priority first then oldest) of the demo
   commander (the whole city) and of the demo grid worker (one grid);
2. the overdue home card of the commander (a bounded count);
3. the day's cost totals per community for the whole city (`services.daily_totals`);
4. the costs ledger's export rows for the city (`supplies-costs`, the last 7 days).

Issue 16 sets no figure for these reads. Its figure for 100,000 requests a day is the cut-off
batching of the daily cycle, which this request model feeds. The load average is printed before
and after, as the machine may be shared.
"""

import argparse
import datetime
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from decimal import Decimal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core import permissions  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.people.models import Household, Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402
from fangyi.supplies import home, services  # noqa: E402
from fangyi.supplies.ledger import CostsLedger  # noqa: E402
from fangyi.supplies.models import (  # noqa: E402
    OPEN_STATES,
    CatalogueItem,
    Request,
    RequestEvent,
    RequestItem,
    RequestState,
)

BOARD = ("-priority", "submitted_at", "id")
CHUNK = 5_000
PRIORITY = Q(on_dialysis=True) | Q(is_pregnant=True) | Q(is_infant=True) | Q(is_bedridden=True)


def _catalogue(admin, city) -> list[CatalogueItem]:
    items = list(CatalogueItem.objects.filter(region=city, active=True, kind="package"))
    if not items:
        for name, price in (("蔬菜包", "39.90"), ("肉蛋包", "68.00")):
            items.append(
                services.add_item(
                    actor=admin,
                    region=city,
                    kind="package",
                    name=f"基准{name}",
                    unit="份",
                    price=Decimal(price),
                )
            )
    return items


def make_requests(count: int, seed: int, now: datetime.datetime) -> dict:
    rng = random.Random(seed)
    admin = User.objects.get(username=permissions.ADMIN)
    city = Region.objects.filter(level=Level.CITY).earliest("path")
    items = _catalogue(admin, city)
    households = list(Household.objects.order_by("?").values_list("pk", "region_path")[:count])
    flagged = set(Person.objects.filter(PRIORITY).values_list("household_id", flat=True).distinct())
    limits = services.limits()
    states = (
        [RequestState.SUBMITTED] * 40
        + [RequestState.ACCEPTED] * 20
        + [RequestState.OUT_FOR_DELIVERY] * 15
        + [RequestState.DELIVERED] * 20
        + [RequestState.CANCELLED] * 5
    )
    made = 0
    while made < count:
        batch = []
        lines = []
        events = []
        for _ in range(min(CHUNK, count - made)):
            household, path = households[made % len(households)]
            roll = rng.random()
            kind = "medicine" if roll < 0.1 else "hospital_trip" if roll < 0.15 else "package"
            submitted = now - datetime.timedelta(seconds=rng.randrange(24 * 3600))
            state = rng.choice(states)
            request = Request(
                id=uuid.uuid4(),
                household_id=household,
                region_path=path,
                kind=kind,
                priority=household in flagged,
                priority_tags=["dialysis"] if household in flagged else [],
                chronic_condition="糖尿病" if kind == "medicine" else "",
                notes="复诊" if kind == "hospital_trip" else "",
                channel="grid_worker",
                made_by=admin,
                made_by_name=admin.username,
                state=state,
                state_changed_at=submitted,
                submitted_at=submitted,
                due_at=submitted + limits[kind],
                delivered_at=submitted if state == RequestState.DELIVERED else None,
                confirmation="note" if state == RequestState.DELIVERED else "",
                confirmation_note="签收" if state == RequestState.DELIVERED else "",
                cancel_reason="重复" if state == RequestState.CANCELLED else "",
            )
            if kind == "package":
                item = rng.choice(items)
                quantity = rng.randint(1, 2)
                lines.append(
                    RequestItem(
                        request=request,
                        catalogue_item=item,
                        name=item.name,
                        unit=item.unit,
                        quantity=quantity,
                        unit_price=item.price,
                    )
                )
                request.amount = item.price * quantity
            elif kind == "medicine":
                lines.append(
                    RequestItem(
                        request=request, name="胰岛素", unit="支", quantity=2, dose="每日三次"
                    )
                )
            events.append(
                RequestEvent(request=request, to_state="submitted", at=submitted, actor=admin)
            )
            batch.append(request)
            made += 1
        with transaction.atomic():
            Request.objects.bulk_create(batch)
            RequestItem.objects.bulk_create(lines)
            RequestEvent.objects.bulk_create(events)
    return {"requests": made, "households": min(len(households), count)}


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this file")
    options = parser.parse_args()

    load_before = load_average()
    now = timezone.now()
    print(f"{database_version()}; load {load_before}; making requests…", file=sys.stderr)
    with acting(via="cli"):
        start = time.perf_counter()
        made = make_requests(options.requests, options.seed, now)
        made["seconds"] = round(time.perf_counter() - start, 1)
    commander = User.objects.get(username=permissions.COMMANDER)
    worker = User.objects.get(username=permissions.GRID_WORKER)
    city = Region.objects.filter(level=Level.CITY).earliest("path")
    today = timezone.localdate()

    def board(user):
        return lambda: list(
            Request.objects.restrict(user, "view")
            .filter(state__in=OPEN_STATES)
            .select_related("person", "household")
            .order_by(*BOARD)[:50]
        )

    measures = {
        "board_city": median_seconds(board(commander), options.repeat),
        "board_grid": median_seconds(board(worker), options.repeat),
        "overdue_card_city": median_seconds(lambda: home.overdue(commander), options.repeat),
        "totals_city_day": median_seconds(
            lambda: services.daily_totals(commander, since=today, until=today), options.repeat
        ),
        "ledger_rows_city_week": median_seconds(
            lambda: list(
                CostsLedger(actor=commander).export_rows(
                    region=city, reveal=False, filters={"days": "7"}
                )
            ),
            options.repeat,
        ),
    }
    results = {
        "database": database_version(),
        "date": today.isoformat(),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_before": load_before,
        "made": made,
        "total_requests": Request.objects.count(),
        "seconds": measures,
        "load_after": load_average(),
    }
    print(
        f"{results['database']}; {results['machine']}; "
        f"load average {load_before} before, {results['load_after']} after"
    )
    print(
        f"{made['requests']:,} requests made in {made['seconds']} s "
        f"({results['total_requests']:,} in the database)"
    )
    print("| measure | median wall seconds |")
    print("| --- | ---: |")
    for name, seconds in measures.items():
        print(f"| {name} | {seconds} |")
    if options.json:
        with open(options.json, "w") as out:
            json.dump(results, out, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
