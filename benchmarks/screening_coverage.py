"""Coverage of a screening round at city scale: the whole tree, and a building's missing list.

    FANGYI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/fangyi_bench_1m \\
        .venv/bin/python benchmarks/screening_coverage.py [--json results.json]
    FANGYI_DATABASE_URL=sqlite:///var/bench-1m.sqlite3 \\
        .venv/bin/python benchmarks/screening_coverage.py

The database must hold a city made by `fangyi seed --demo-staff` (1,000,000 residents for
the issue's figures). Setup, not timed: a campaign over the whole city with one round running
now and a sampling site per district; every resident present is sampled through
`batches.record_samples` (the batch API's service), ten to a tube in region order, except
one in twenty, who stay missing, and one in a thousand, who are exempted. Half of the tubes
get a result, written straight into the tables as the lab's import would leave them: 0.1 %
of those positive (their members are retested one to a tube, one in ten positive), 0.5 %
invalid (their members are sampled again in new tubes), the rest negative. Then, as the demo
`commander` (the whole city):

- coverage tree: `coverage.round_coverage` of the whole city down to buildings, with the cache
  cleared before each run (cold), `--repeat` times; goal ≤ 2 s;
- a grid's tree, cold, over `--grids` grids chosen at random (seed 1);
- missing list: the first page of `coverage.missing_persons` of a building (what the missing
  page and the API show), over `--buildings` buildings chosen at random; goal ≤ 200 ms;
- home tasks: `coverage.create_home_sampling_tasks` over the whole city, as the background
  job (`fangyi screening home-tasks`) runs it.

Everything it created is then deleted (samples, tubes, exemptions, home-sampling tasks,
their audit rows, the campaign), so the database can be used again; other benchmarks'
campaigns are left alone. Runs in this process, one core; the database shares the machine,
so the database's own CPU time is printed beside the wall time.
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
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
os.environ.setdefault("FANGYI_INSECURE_DEV_KEY", "1")
os.environ.setdefault("FANGYI_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from machine import database_version, load_average  # noqa: E402
from screening_city import (  # noqa: E402
    city_campaign,
    residents_in_queue_order,
)

from fangyi.accounts.models import User  # noqa: E402
from fangyi.core.context import acting  # noqa: E402
from fangyi.core.models import ObjectChange  # noqa: E402
from fangyi.core.pagination import keyset_page  # noqa: E402
from fangyi.fieldwork.models import Task  # noqa: E402
from fangyi.health.models import TestOutcome  # noqa: E402
from fangyi.people.models import Person  # noqa: E402
from fangyi.regions.models import Level, Region  # noqa: E402
from fangyi.screening.coverage import services as coverage  # noqa: E402
from fangyi.screening.models import Campaign, Exemption, Sample, Tube, TubeState  # noqa: E402
from fangyi.screening.sampling import batches  # noqa: E402

GOALS = {"tree_seconds": 2.0, "missing_list_seconds": 0.2}
NAME = "基准测试：筛查覆盖"
BATCH_TUBES = 1000
MISSING_EVERY = 20
EXEMPT_EVERY = 1000


def database_cpu() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend so far, when the server runs on
    this machine (from /proc); on a shared machine wall time also counts waiting for a core."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seconds(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "runs": len(values),
        "median": round(statistics.median(values), 4),
        "p95": round(values[min(len(values) - 1, int(len(values) * 0.95))], 4),
        "max": round(values[-1], 4),
    }


def site_for(sites, path: str):
    return next((site for site in sites if path.startswith(site.region_path)), sites[0])


def record(admin, sites, people: list, *, prefix: str, sampled_at, size: int = 10) -> list[str]:
    """Samples `people` `size` to a tube through the batch service; answers the barcodes."""
    tubes = [people[start : start + size] for start in range(0, len(people), size)]
    barcodes = []
    for number, start in enumerate(range(0, len(tubes), BATCH_TUBES)):
        items = []
        for index, members in enumerate(tubes[start : start + BATCH_TUBES]):
            barcode = f"{prefix}{number:04d}-{index:04d}"
            barcodes.append(barcode)
            items.append(
                batches.SampleInput(
                    tube=barcode,
                    persons=[pk for pk, _path in members],
                    site=site_for(sites, members[0][1]),
                    sampled_at=sampled_at,
                    pool_size=size,
                )
            )
        batches.record_samples(actor=admin, items=items)
    return barcodes


def set_results(barcodes: list[str], outcome: str) -> None:
    now = timezone.now()
    for start in range(0, len(barcodes), 5000):
        chunk = barcodes[start : start + 5000]
        tubes = Tube.objects.filter(barcode__in=chunk)
        tubes.update(
            state=TubeState.RESULTED,
            result=outcome,
            tested_at=now,
            resulted_at=now,
            received_at=now,
        )
        Sample.objects.filter(tube__in=tubes.values("pk")).update(result=outcome)


def setup(admin) -> tuple:
    started = time.perf_counter()
    campaign, screening_round, sites = city_campaign(
        admin, name=NAME, started_hours_ago=2, site_name="覆盖基准采样点"
    )
    now = timezone.now()
    present = residents_in_queue_order()
    sampled = [row for index, row in enumerate(present) if index % MISSING_EVERY != 7]
    exempted = [row for index, row in enumerate(present) if index % EXEMPT_EVERY == 7]
    Exemption.objects.bulk_create(
        [
            Exemption(campaign=campaign, person_id=pk, region_path=path, reason="住院")
            for pk, path in exempted
        ],
        batch_size=2000,
    )
    print(f"setup: recording {len(sampled):,} samples", file=sys.stderr)
    barcodes = record(
        admin, sites, sampled, prefix="CV", sampled_at=now - datetime.timedelta(hours=1)
    )
    resulted = barcodes[::2]
    positive = resulted[::1000]
    invalid = [barcode for index, barcode in enumerate(resulted) if index % 200 == 3]
    chosen = set(positive) | set(invalid)
    set_results([barcode for barcode in resulted if barcode not in chosen], TestOutcome.NEGATIVE)
    set_results(positive, TestOutcome.POSITIVE)
    set_results(invalid, TestOutcome.INVALID)
    again = list(
        Sample.objects.filter(tube__barcode__in=invalid)
        .order_by("region_path", "person_id")
        .values_list("person_id", "region_path")
    )
    record(admin, sites, again, prefix="CR", sampled_at=now - datetime.timedelta(minutes=30))
    retested = list(
        Sample.objects.filter(tube__barcode__in=positive)
        .order_by("region_path", "person_id")
        .values_list("person_id", "region_path")
    )
    singles = record(
        admin, sites, retested, prefix="CS", sampled_at=now - datetime.timedelta(minutes=20), size=1
    )
    set_results(singles[::10], TestOutcome.POSITIVE)
    set_results(
        [barcode for index, barcode in enumerate(singles) if index % 10], TestOutcome.NEGATIVE
    )
    # As after any bulk load: fresh statistics, and (PostgreSQL) the visibility map.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in (Sample, Tube, Exemption):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        else:
            cursor.execute("ANALYZE")
    return (
        campaign,
        screening_round,
        {
            "present": len(present),
            "samples": Sample.objects.filter(round=screening_round).count(),
            "tubes": Tube.objects.filter(round=screening_round).count(),
            "tubes_resulted": len(resulted),
            "tubes_positive": len(positive),
            "single_retests": len(singles),
            "tubes_invalid": len(invalid),
            "exempted": len(exempted),
            "setup_seconds": round(time.perf_counter() - started, 1),
        },
    )


def tree(screening_round, commander, *, repeat: int) -> dict:
    spent, cpu, database = [], [], []
    rows = []
    for _ in range(repeat):
        cache.clear()
        database_before = database_cpu()
        started, cpu_before = time.perf_counter(), time.process_time()
        rows = coverage.round_coverage(screening_round, user=commander)
        spent.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_before)
        if database_before is not None:
            database.append(database_cpu() - database_before)
    top = rows[0]
    return {
        "rows": len(rows),
        "buildings": sum(1 for row in rows if row.level == Level.BUILDING),
        "city": {
            "expected": top.expected,
            "sampled": top.sampled,
            "resulted": top.resulted,
            "positive": top.positive,
            "percent": top.percent,
        },
        "seconds": seconds(spent),
        "python_cpu_seconds": seconds(cpu),
        "database_cpu_seconds": seconds(database) if database else None,
    }


def grid_trees(screening_round, commander, *, count: int) -> dict:
    grids = list(Region.objects.filter(level=Level.GRID).order_by("path"))
    spent = []
    for grid in random.Random(1).sample(grids, min(count, len(grids))):
        cache.clear()
        started = time.perf_counter()
        coverage.round_coverage(screening_round, user=commander, region=grid)
        spent.append(time.perf_counter() - started)
    return {"seconds": seconds(spent)}


def missing_lists(screening_round, commander, *, count: int) -> dict:
    buildings = list(Region.objects.filter(level=Level.BUILDING).order_by("path"))
    spent = []
    shown = []
    for building in random.Random(1).sample(buildings, min(count, len(buildings))):
        started = time.perf_counter()
        persons = coverage.missing_persons(screening_round, user=commander, region=building)
        rows, _next = keyset_page(
            persons, ordering=("region_path", "id"), cursor=None, size=settings.FANGYI_PAGE_SIZE
        )
        for person in rows:
            person.masked_name, person.tags, person.household.short_address  # noqa: B018
        spent.append(time.perf_counter() - started)
        shown.append(len(rows))
    return {"persons_shown_median": statistics.median(shown), "seconds": seconds(spent)}


def home_tasks(screening_round) -> dict:
    started = time.perf_counter()
    counts = coverage.create_home_sampling_tasks(actor=None, round=screening_round)
    return {
        "eligible": counts.eligible,
        "created": counts.created,
        "seconds": round(time.perf_counter() - started, 2),
    }


def clean_up(campaign) -> float:
    """Deletes what a run made: the audit rows written under its request id (which the
    campaign's own creation row names), its home-sampling tasks, samples, tubes and the
    campaign with its rounds, sites and exemptions."""
    started = time.perf_counter()
    request_ids = list(
        ObjectChange.objects.filter(
            object_type=Campaign._meta.label_lower, object_id=str(campaign.pk)
        ).values_list("request_id", flat=True)
    )
    with transaction.atomic():
        ObjectChange.objects.filter(request_id__in=request_ids)._raw_delete(ObjectChange.objects.db)
        for screening_round in campaign.rounds.all():
            Task.objects.filter(source=f"screening:{screening_round.pk}").delete()
        Sample.objects.filter(round__campaign=campaign)._raw_delete(Sample.objects.db)
        Tube.objects.filter(round__campaign=campaign)._raw_delete(Tube.objects.db)
        campaign.delete()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold runs of the city's tree")
    parser.add_argument("--grids", type=int, default=50)
    parser.add_argument("--buildings", type=int, default=200)
    parser.add_argument("--json", type=argparse.FileType("w"))
    args = parser.parse_args()

    for leftover in Campaign.objects.filter(name=NAME):
        clean_up(leftover)
    admin = User.objects.get(username="admin")
    commander = User.objects.get(username="commander")
    results: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "database": database_version(),
        "residents": Person.objects.count(),
        "buildings": Region.objects.filter(level=Level.BUILDING).count(),
        "date": datetime.date.today().isoformat(),
        "load_before": load_average(),
    }
    with acting(via="benchmark"):
        campaign, screening_round, results["data"] = setup(admin)
        try:
            print("coverage tree of the city", file=sys.stderr)
            results["city_tree"] = tree(screening_round, commander, repeat=args.repeat)
            print(f"  {results['city_tree']['seconds']}", file=sys.stderr)
            results["grid_tree"] = grid_trees(screening_round, commander, count=args.grids)
            print(f"  grid: {results['grid_tree']['seconds']}", file=sys.stderr)
            results["building_missing_list"] = missing_lists(
                screening_round, commander, count=args.buildings
            )
            print(f"  missing: {results['building_missing_list']['seconds']}", file=sys.stderr)
            results["home_tasks"] = home_tasks(screening_round)
            print(f"  home tasks: {results['home_tasks']}", file=sys.stderr)
        finally:
            results["clean_up_seconds"] = round(clean_up(campaign), 1)
    results["load_after"] = load_average()
    results["goals"] = GOALS
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        json.dump(results, args.json, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
